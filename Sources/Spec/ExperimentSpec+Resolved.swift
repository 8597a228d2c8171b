import Core
extension ExperimentSpec {
    /// The spec as YAML with every key written out — defaults, overrides and `extends:` all applied —
    /// for a run directory's `spec.yaml`. Loading it back gives an equal spec, so a run can be
    /// repeated or resumed from its directory alone.
    public func resolvedYAML() -> String {
        guard case .mapping(let entries) = yaml else { preconditionFailure("a section encodes as a mapping") }
        return YAMLWriter.document(entries)
    }

    /// Every leaf key of `resolvedYAML()` as a dotted path (`train.optimizer.lr`, the form `--set`
    /// takes) with its value written as spec.yaml writes it (`0.3`, `gru`, `[loss, perplexity]`,
    /// `null`), in spec.yaml's order. Built from the same encoding, so the two never disagree; this
    /// is how runs are compared key by key.
    public func flattened() -> [(key: String, value: String)] {
        guard case .mapping(let entries) = yaml else { preconditionFailure("a section encodes as a mapping") }
        return YAMLWriter.leaves(entries, prefix: "")
    }

    /// FNV-1a (64-bit) of `resolvedYAML()`: checkpoints record it so that resuming with a different
    /// spec is caught. It depends only on the resolved values, not on how a file spelled them.
    public var hash: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in resolvedYAML().utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// A value on its way out to YAML text. Numbers, booleans and enum values are `raw` (written as they
/// are); `string` is user text and gets quoted whenever a plain scalar would read back differently.
indirect enum YAMLValue {
    case null
    case raw(String)
    case string(String)
    case list([YAMLValue])
    case mapping([(key: String, value: YAMLValue)])
}

/// Writes a resolved spec: block mappings for sections (one key a line, as a person would write
/// them) and flow style for lists, so `metrics: [loss, perplexity]` stays on one line.
enum YAMLWriter {
    static func document(_ root: [(key: String, value: YAMLValue)]) -> String {
        var lines: [String] = []
        block(root, indent: "", into: &lines)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func block(_ entries: [(key: String, value: YAMLValue)], indent: String, into lines: inout [String]) {
        for (key, value) in entries {
            if case .mapping(let nested) = value, !nested.isEmpty {
                lines.append("\(indent)\(key):")
                block(nested, indent: indent + "  ", into: &lines)
            } else {
                lines.append("\(indent)\(key): \(flow(value))")
            }
        }
    }

    /// The scalars, lists and empty mappings under `entries`, keyed by their dotted paths; the
    /// same leaves `block` writes on lines of their own.
    static func leaves(_ entries: [(key: String, value: YAMLValue)], prefix: String) -> [(key: String, value: String)] {
        entries.flatMap { key, value -> [(key: String, value: String)] in
            let path = qualified(prefix, key)
            if case .mapping(let nested) = value, !nested.isEmpty { return leaves(nested, prefix: path) }
            return [(path, flow(value))]
        }
    }

    static func flow(_ value: YAMLValue) -> String {
        switch value {
        case .null: "null"
        case .raw(let text): text
        case .string(let text): scalar(text)
        case .list(let items): "[" + items.map(flow).joined(separator: ", ") + "]"
        case .mapping(let entries): "{" + entries.map { "\($0.key): \(flow($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    /// Plain when the text is a word or a relative path that YAML cannot mistake for a number, a
    /// boolean, null or flow syntax; otherwise double-quoted with escapes, which reads back exactly.
    static func scalar(_ text: String) -> String {
        let scalars = text.unicodeScalars
        let isWordStart: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0 == "_" }
        let isWordPart: (Unicode.Scalar) -> Bool = {
            isWordStart($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "/" || $0 == "-"
        }
        let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null"]
        if let first = scalars.first, isWordStart(first), scalars.allSatisfy(isWordPart),
           !reserved.contains(text.lowercased()) {
            return text
        }
        // Beyond JSON's set, YAML wants DEL, NEL, the line/paragraph separators and the BOM escaped.
        return doubleQuoted(text) { [0x7F, 0x85, 0x2028, 0x2029, 0xFEFF].contains($0.value) }
    }
}
