/// A classification file: one text and its label a line, the two fields separated by a tab
/// (`label<TAB>text`, as GLUE's SST-2 copy here, or `text<TAB>label`), lines ending in LF, CRLF or a
/// lone CR (SST-2's training file mixes the last two). A header line is skipped when the spec says
/// there is one or, left to tell, when it has no tab, or when its text field is one word (a column
/// name: `sentence`) and its label field a label no other line of the training file has (`label`)
/// or, in another split, no training label. Blank lines are
/// skipped and counted; a line without a tab, or with an empty label or text, is an error naming the
/// file and line.
public struct LabelledLines: Sendable, Equatable {
    /// Which field holds the label.
    public enum LabelColumn: Sendable {
        case first, last
    }

    public struct Example: Hashable, Sendable {
        public let label: String
        public let text: String
        /// The line of the file it was read from (1-based), for messages.
        public let line: Int

        public init(label: String, text: String, line: Int) {
            (self.label, self.text, self.line) = (label, text, line)
        }
    }

    public let examples: [Example]
    /// Whether the first line was a header and skipped.
    public let skippedHeader: Bool
    /// The first example of a training file left to tell when its label is on no other line but its
    /// text is more than one word: kept, though it may be a header (`label<TAB>movie review`).
    public let possibleHeader: Example?
    /// Blank lines skipped.
    public let blank: Int

    /// - Parameters:
    ///   - header: true or false when the spec says; nil to tell by the first line.
    ///   - knownLabels: the training labels, for a validation or test file: its first line is a header
    ///     when its label is not one of them; nil for the training file, judged by itself.
    ///   - path: names the file in messages.
    public init(text: String, path: String, labelColumn: LabelColumn, header: Bool?, knownLabels: Set<String>? = nil)
        throws(DataError) {
        var examples: [Example] = []
        var blank = 0
        // A first line without a tab is a header (`sentence label`) unless the spec says there is none.
        var (firstLine, tablessHeader) = (true, false)
        for (index, line) in DataLocator.lines(of: text).enumerated() {
            guard !line.isBlank else {
                blank += 1
                continue
            }
            let number = index + 1
            // The text may hold tabs itself: the label is before the first tab or after the last.
            let tab = labelColumn == .first ? line.firstIndex(of: "\t") : line.lastIndex(of: "\t")
            defer { firstLine = false }
            if firstLine, tab == nil, header != false {
                tablessHeader = true
                continue
            }
            guard let tab else {
                throw .malformed(file: path, line: number, reason: "no tab between the label and the text; a line is "
                    + (labelColumn == .first ? "label<TAB>text (data.columns: label_text)" : "text<TAB>label (data.columns: text_label)"))
            }
            let (before, after) = (String(line[..<tab]).trimmingWhitespace, String(line[line.index(after: tab)...]).trimmingWhitespace)
            let (label, text) = labelColumn == .first ? (before, after) : (after, before)
            guard !label.isEmpty, !text.isEmpty else {
                throw .malformed(file: path, line: number, reason: "the \(label.isEmpty ? "label" : "text") is empty")
            }
            examples.append(Example(label: label, text: text, line: number))
        }
        // Whether the first example's label is on no other line: a header's `label`, or a rare class.
        let lonelyFirst = examples.first.map { first in !examples.dropFirst().contains { $0.label == first.label } } ?? false
        // A first example of a rare label is kept: a column name is one word, a text seldom.
        let guessed = { (first: Example) in
            !first.text.unicodeScalars.contains { $0.properties.isWhitespace }
                && (knownLabels.map { !$0.contains(first.label) } ?? (examples.count > 1 && lonelyFirst))
        }
        let labelledHeader = !tablessHeader && (header ?? examples.first.map(guessed) ?? false)
        possibleHeader = header == nil && !tablessHeader && !labelledHeader && knownLabels == nil && lonelyFirst
            ? examples.first : nil
        if labelledHeader, !examples.isEmpty { examples.removeFirst() }
        self.examples = examples
        skippedHeader = tablessHeader || labelledHeader
        self.blank = blank
    }
}

extension String {
    /// Whether the text is empty or white space only, looked at without a copy (a whole corpus may be asked).
    public var isBlank: Bool { unicodeScalars.allSatisfy(\.properties.isWhitespace) }

    /// Without the white space at either end.
    public var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...end])
    }
}
