/// The text a spec was read from, kept so that any error found later — while decoding, merging or
/// applying overrides — can show the offending line without reading the file again.
final class SourceText: Sendable {
    let path: String
    let lines: [String]

    /// Cut into lines where libyaml counts them (YAML 1.1's line breaks: LF, CR, CRLF, NEL, U+2028 and
    /// U+2029), so that its line numbers name the lines shown under messages.
    init(path: String, text: String) {
        self.path = path
        var (lines, current, afterCR) = ([String](), String.UnicodeScalarView(), false)
        for scalar in text.unicodeScalars {
            defer { afterCR = scalar == "\r" }
            if afterCR, scalar == "\n" { continue }
            if ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"].contains(scalar) {
                lines.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        self.lines = lines + [String(current)]
    }

    /// Command-line overrides: one pseudo-line per `--set` argument, so line N is the N-th override.
    init(path: String, lines: [String]) {
        self.path = path
        self.lines = lines
    }

    func line(_ number: Int) -> String? {
        lines.indices.contains(number - 1) ? lines[number - 1] : nil
    }
}

/// A 1-based position in a `SourceText`.
struct Mark: Sendable {
    let source: SourceText
    let line: Int
    let column: Int

    var location: SourceLocation { SourceLocation(path: source.path, line: line, column: column) }

    func error(_ message: String, hint: String? = nil, kind: SpecError.Kind = .invalidSpec) -> SpecError {
        SpecError(kind, at: location, message, hint: hint, sourceLine: source.line(line))
    }
}

/// A YAML value with its position: the only shape of data between libyaml and `ExperimentSpec`.
/// Scalars stay text until the schema says which type a key wants, so `hidden: "256"` (quoted) can be
/// refused as a string while `hidden: 256` is an integer.
struct Node: Sendable {
    struct Entry: Sendable {
        var key: String
        var keyMark: Mark
        var value: Node
    }

    enum Value: Sendable {
        /// `plain` is false for quoted or block scalars: they are strings whatever they look like.
        case scalar(String, plain: Bool)
        case sequence([Node])
        /// Keys in file order; the reader guarantees they are unique.
        case mapping([Entry])
    }

    var value: Value
    var mark: Mark

    /// `~`, `null` or nothing at all (`key:`), written plain.
    var isNull: Bool {
        if case .scalar(let text, plain: true) = value {
            return ["", "~", "null", "Null", "NULL"].contains(text)
        }
        return false
    }

    var entries: [Entry]? {
        if case .mapping(let entries) = value { return entries }
        return nil
    }

    func entry(_ key: String) -> Entry? {
        entries?.first { $0.key == key }
    }

    /// How a value is named in "expected …, found …" messages.
    var summary: String {
        switch value {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let text, let plain):
            isNull ? "nothing (null)" : plain ? "'\(text)'" : "the string \"\(text)\""
        }
    }

    /// `base` with `self` laid over it: mappings merge key by key (base order first, new keys after),
    /// anything else in `self` replaces what `base` had — lists too, since merging lists element-wise
    /// has no meaning a reader could predict.
    func merged(over base: Node) -> Node {
        guard var result = base.entries, let mine = entries else { return self }
        for entry in mine {
            if let index = result.firstIndex(where: { $0.key == entry.key }) {
                result[index].value = entry.value.merged(over: result[index].value)
                result[index].keyMark = entry.keyMark
            } else {
                result.append(entry)
            }
        }
        return Node(value: .mapping(result), mark: mark)
    }
}
