import Core

/// The `added_tokens` of a Hugging Face `tokenizer.json` (`<|endoftext|>`, `[CLS]`, …): they are found
/// in the raw text before anything else runs and become their own ids, so that normalizing or splitting
/// can never break one apart. Where several start at the same place the longest wins, as in the
/// reference's leftmost-longest matcher.
struct AddedTokens: Sendable {
    /// A piece of the input: ordinary text for the pipeline, or one added token.
    enum Segment: Equatable {
        case text(Range<Int>)
        case token(Int)
    }

    struct Entry: Sendable {
        let id: Int
        let content: [Unicode.Scalar]
        let special: Bool
    }

    let entries: [Entry]
    /// Candidates by first character, longest first.
    private let byFirstScalar: [Unicode.Scalar: [Entry]]

    init(_ value: JSONValue?, reader: JSONReader) throws(TextError) {
        let path = "$.added_tokens"
        var entries: [Entry] = []
        let items = try value.map { list throws(TextError) in try reader.array(list, at: path) } ?? []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            let content = try reader.string(reader.required("content", of: item, at: itemPath), at: itemPath + ".content")
            guard !content.isEmpty else {
                throw .malformed(file: reader.file, path: itemPath + ".content", reason: "an added token cannot be empty")
            }
            // These options change where a token matches (around spaces, inside words, after
            // normalization); matching without them would give different ids, so they are refused.
            for option in ["single_word", "lstrip", "rstrip", "normalized"] {
                if let flag = try reader.nonNull(option, of: item, at: itemPath),
                   try reader.bool(flag, at: "\(itemPath).\(option)") {
                    throw .unsupported(file: reader.file, path: "\(itemPath).\(option)",
                                       reason: "added tokens with \(option) = true")
                }
            }
            let id = try reader.integer(reader.required("id", of: item, at: itemPath), at: itemPath + ".id")
            var special = false
            if let flag = try reader.nonNull("special", of: item, at: itemPath) {
                special = try reader.bool(flag, at: itemPath + ".special")
            }
            entries.append(Entry(id: id, content: Array(content.unicodeScalars), special: special))
        }
        self.entries = entries
        byFirstScalar = Dictionary(grouping: entries) { $0.content[0] }.mapValues {
            $0.sorted { $0.content.count > $1.content.count }
        }
    }

    /// `text` cut at every added token, leftmost match first; empty text pieces are left out.
    func split(_ text: [Unicode.Scalar]) -> [Segment] {
        guard !byFirstScalar.isEmpty else { return text.isEmpty ? [] : [.text(0..<text.count)] }
        var segments: [Segment] = []
        var pending = 0
        var position = 0
        while position < text.count {
            guard let candidates = byFirstScalar[text[position]],
                  let match = candidates.first(where: { text[position...].starts(with: $0.content) }) else {
                position += 1
                continue
            }
            if pending < position { segments.append(.text(pending..<position)) }
            segments.append(.token(match.id))
            position += match.content.count
            pending = position
        }
        if pending < text.count { segments.append(.text(pending..<text.count)) }
        return segments
    }
}
