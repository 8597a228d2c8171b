import Core

/// The pre-tokenizers of a Hugging Face `tokenizer.json` that SeqLab implements: they cut normalized
/// text into words, and the model never merges across a word boundary. Any other type is refused when
/// the file is read.
enum PreTokenizer: Sendable, Equatable {
    /// GPT-2: optionally a space in front, the GPT-2 split (unless `useRegex` is off), then every byte
    /// replaced by its stand-in character (see `ByteLevel`).
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    /// `\w+|[^\w\s]+`: runs of word characters and runs of punctuation; whitespace is dropped.
    case whitespace
    /// BERT: split on whitespace (dropped), and every punctuation character is a word of its own.
    case bert
    case sequence([PreTokenizer])

    static let supportedTypes = ["BertPreTokenizer", "ByteLevel", "Sequence", "Whitespace"]

    init(_ value: JSONValue, at path: String, reader: JSONReader) throws(TextError) {
        let type = try reader.string(reader.required("type", of: value, at: path), at: path + ".type")
        switch type {
        case "ByteLevel":
            func flag(_ key: String, default fallback: Bool) throws(TextError) -> Bool {
                guard let member = try reader.nonNull(key, of: value, at: path) else { return fallback }
                return try reader.bool(member, at: path + "." + key)
            }
            self = .byteLevel(addPrefixSpace: try flag("add_prefix_space", default: true),
                              useRegex: try flag("use_regex", default: true))
        case "Whitespace":
            self = .whitespace
        case "BertPreTokenizer":
            self = .bert
        case "Sequence":
            let items = try reader.array(reader.required("pretokenizers", of: value, at: path), at: path + ".pretokenizers")
            var steps: [PreTokenizer] = []
            for (index, item) in items.enumerated() {
                steps.append(try PreTokenizer(item, at: "\(path).pretokenizers[\(index)]", reader: reader))
            }
            self = .sequence(steps)
        default:
            throw .unsupported(file: reader.file, path: path + ".type",
                               reason: "pre-tokenizer '\(type)' (supported: \(Self.supportedTypes.joined(separator: ", ")))")
        }
    }

    /// This pre-tokenizer as `tokenizer.json` writes it.
    var document: JSONValue {
        switch self {
        case .byteLevel(let addPrefixSpace, let useRegex):
            .object([("type", .string("ByteLevel")), ("add_prefix_space", .bool(addPrefixSpace)),
                     ("trim_offsets", .bool(true)), ("use_regex", .bool(useRegex))])
        case .whitespace: .object([("type", .string("Whitespace"))])
        case .bert: .object([("type", .string("BertPreTokenizer"))])
        case .sequence(let steps): .object([("type", .string("Sequence")), ("pretokenizers", .array(steps.map(\.document)))])
        }
    }

    /// The words of `text`, each as the characters the model will see.
    func words(_ text: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        switch self {
        case .byteLevel(let addPrefixSpace, let useRegex):
            guard !text.isEmpty else { return [] }
            let spaced = addPrefixSpace && text.first != " " ? [" "] + text : text
            let pieces = useRegex ? ByteLevel.gpt2Pieces(spaced) : [0..<spaced.count]
            return pieces.map { ByteLevel.mapped(spaced[$0]) }
        case .whitespace:
            return Self.runs(text, of: Self.whitespaceClass)
        case .bert:
            return Self.runs(text, of: Self.bertClass)
        case .sequence(let steps):
            return steps.reduce([text]) { words, step in words.flatMap { step.words($0) } }
        }
    }

    /// How a character takes part in a split: dropped, joined with its neighbours of the same class, or
    /// always alone.
    private enum Role: Equatable { case drop, join(Int), alone }

    /// Maximal runs of characters with the same `.join` class; `.alone` characters are words by
    /// themselves and `.drop` ones separate words.
    private static func runs(_ text: [Unicode.Scalar], of role: (Unicode.Scalar) -> Role) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        var currentRole = Role.drop
        for scalar in text {
            let next = role(scalar)
            if next != currentRole || next == .alone, !current.isEmpty {
                words.append(current)
                current.removeAll(keepingCapacity: true)
            }
            if next != .drop { current.append(scalar) }
            currentRole = next
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Oniguruma's Unicode `\w` (alphabetic characters, marks, decimal digits, connector punctuation
    /// and the zero-width joiners: `m²` is two words, `Ⓐb` and an emoji joined by U+200D one) and `\s`.
    private static func whitespaceClass(_ scalar: Unicode.Scalar) -> Role {
        if scalar.isASCII {
            switch scalar.value {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F: return .join(0)
            case 0x09...0x0D, 0x20: return .drop
            default: return .join(1)
            }
        }
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isJoinControl { return .join(0) }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            return .join(0)
        case .spaceSeparator, .lineSeparator, .paragraphSeparator:
            return .drop
        default:
            return scalar.value == 0x85 ? .drop : .join(1)
        }
    }

    /// BERT's punctuation is every ASCII non-alphanumeric symbol plus the Unicode punctuation categories.
    private static func bertClass(_ scalar: Unicode.Scalar) -> Role {
        if scalar.properties.isWhitespace { return .drop }
        if scalar.isASCII {
            switch scalar.value {
            case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return .alone
            default: return .join(0)
            }
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return .alone
        default:
            return .join(0)
        }
    }
}
