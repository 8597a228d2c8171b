/// How text becomes token ids.
public struct TokenizerSpec: Sendable, Equatable {
    public enum Kind: String, SpecChoice {
        case char, word, bpe
        case bpeByteLevel = "bpe_bytelevel"
        case wordPiece = "wordpiece"
        static let label = "tokenizer kind"

        /// BPE and WordPiece learn subwords up to `vocab_size`; char and word keep whole symbols.
        public var isSubword: Bool { self != .char && self != .word }
    }

    /// Preprocessing before tokenizing. `letters` is d2l's: every run of non-letters becomes one
    /// space, then the text is lowercased.
    public enum Normalization: String, SpecChoice {
        case none, letters
        static let label = "normalization"
    }

    public var kind = Kind.char
    public var lowercase = false
    public var normalize = Normalization.none
    /// Char and word: tokens seen fewer times become `<unk>`. Subword: pairs seen fewer times are not merged.
    public var minFrequency = 1
    /// Char and word: at most this many tokens, reserved ones included; nil for no limit.
    public var maxSize: Int?
    /// Char and word: the reserved tokens (`<unk>`, `<pad>`, `<bos>`, `<eos>`), given the first ids.
    public var reserved = ["<unk>"]
    /// Subword: the vocabulary size learned up to, special tokens included (required).
    public var vocabSize: Int?
    /// Subword: the special tokens, given the first ids in this order and never split; nil for the
    /// pipeline's usual ones (`<|endoftext|>`; `<unk> <pad> <bos> <eos>`; `[PAD] [UNK] [CLS] [SEP] [MASK]`).
    public var specialTokens: [String]?
    /// A trained tokenizer (SeqLab's or a Hugging Face `tokenizer.json`) to load instead of training one;
    /// relative to the working directory, like data paths.
    public var file: String?

    public init() {}
}

extension TokenizerSpec: SpecSection {
    static var fields: [Field<TokenizerSpec>] {
        [
            .choice("kind", \.kind),
            .bool("lowercase", \.lowercase),
            .choice("normalize", \.normalize),
            .int("min_frequency", \.minFrequency, .atLeastOne),
            .int("max_size", \.maxSize, .atLeastOne),
            .strings("reserved", \.reserved),
            .int("vocab_size", \.vocabSize, .atLeastOneAtMost(1 << 24)),
            .strings("special_tokens", \.specialTokens),
            .string("file", \.file),
        ]
    }

    static let subwordKeys = ["vocab_size", "special_tokens"]
    static let wholeSymbolKeys = ["normalize", "max_size", "reserved"]

    /// Keys that the chosen kind would silently ignore are refused: `vocab_size` on a char tokenizer,
    /// `reserved` on BPE, anything but `file` beside `file` (a loaded tokenizer brings its settings).
    /// A key counts as given when its value differs from the default, since a resolved spec (which
    /// must load again) writes every key.
    static func validate(_ value: inout TokenizerSpec, _ node: Node, section: String) throws(SpecError) {
        let given = givenEntries(value, node)
        if let file = value.file {
            if file.isEmpty { throw (node.entry("file")?.value.mark ?? node.mark).error("'\(section).file' must not be empty") }
            if let entry = given.first(where: { $0.key != "file" }) {
                throw entry.keyMark.error("'\(section).\(entry.key)' has no effect with '\(section).file': a loaded "
                    + "tokenizer brings its own settings", hint: "remove '\(entry.key)', or remove 'file' to train one")
            }
            return
        }
        let (ignored, applies) = value.kind.isSubword
            ? (wholeSymbolKeys, "char and word tokenizers")
            : (subwordKeys, "bpe, bpe_bytelevel and wordpiece tokenizers")
        if let entry = given.first(where: { ignored.contains($0.key) }) {
            throw entry.keyMark.error("'\(section).\(entry.key)' applies to \(applies), not to kind '\(value.kind.rawValue)'",
                                      hint: "remove it")
        }
        if value.kind.isSubword, value.vocabSize == nil {
            throw (node.entry("kind")?.value.mark ?? node.mark).error(
                "a '\(value.kind.rawValue)' tokenizer needs '\(section).vocab_size'",
                hint: "add 'vocab_size: 2000' (special tokens included)")
        }
    }
}
