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

/// The architecture. Every kind reads the keys it needs and ignores the rest, so one struct serves the
/// whole zoo: recurrent models use `cell`, `embedding`, `hidden`, `layers`, `bidirectional`; GPT and the
/// Transformer use `block_size`, `heads`, `width`, `bias`, `activation`.
public struct ModelSpec: Sendable, Equatable {
    public enum Kind: String, SpecChoice {
        case mlpLM = "mlp_lm"
        case rnnLM = "rnn_lm"
        case wavenet, gpt, seq2seq, transformer, bert, ngram
        static let label = "model kind"
    }

    public enum Cell: String, SpecChoice {
        case rnn, gru, lstm
        static let label = "recurrent cell"
    }

    public enum Activation: String, SpecChoice {
        case relu, gelu, tanh
        /// GPT-2's tanh approximation of GELU.
        case geluTanh = "gelu_tanh"
        static let label = "activation"
    }

    /// How GPT's weights start: GPT-2's recipe, or PyTorch's layer defaults (makemore's Transformer).
    public enum Initialization: String, SpecChoice {
        case gpt2, pytorch
        static let label = "initialisation"
    }

    /// Where a Transformer block normalises: before each sub-layer (GPT-2) or after the residual sum
    /// (the original Transformer).
    public enum Norm: String, SpecChoice {
        case pre, post
        static let label = "norm placement"
    }

    public var kind = Kind.rnnLM
    public var cell = Cell.gru
    /// Embedding width; 0 feeds one-hot vectors of the vocabulary size instead (d2l's RNNs).
    public var embedding = 32
    public var hidden = 256
    public var layers = 1
    public var bidirectional = false
    /// Probability of zeroing an activation in training.
    public var dropout = 0.0
    /// Share the input embedding with the output projection (an RNN LM needs `embedding == hidden`).
    public var tieEmbeddings = false
    /// The longest context a position-embedded model sees.
    public var blockSize = 128
    public var heads = 4
    /// The model width (d_model) of attention models.
    public var width = 128
    /// Whether linear and normalization layers of attention models have biases.
    public var bias = true
    public var activation = Activation.gelu
    public var norm = Norm.pre
    public var initialization = Initialization.gpt2

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
            .int("vocab_size", \.vocabSize, .atLeastOne),
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
        let defaults = TokenizerSpec()
        let changed: [String: Bool] = [
            "kind": value.kind != defaults.kind, "lowercase": value.lowercase != defaults.lowercase,
            "normalize": value.normalize != defaults.normalize, "min_frequency": value.minFrequency != defaults.minFrequency,
            "max_size": value.maxSize != defaults.maxSize, "reserved": value.reserved != defaults.reserved,
            "vocab_size": value.vocabSize != defaults.vocabSize, "special_tokens": value.specialTokens != defaults.specialTokens,
        ]
        let given = (node.entries ?? []).filter { changed[$0.key] == true || $0.key == "file" }
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

extension ModelSpec: SpecSection {
    static var fields: [Field<ModelSpec>] {
        [
            .choice("kind", \.kind),
            .choice("cell", \.cell),
            .int("embedding", \.embedding, .nonNegative),
            .int("hidden", \.hidden, .atLeastOne),
            .int("layers", \.layers, .atLeastOne),
            .bool("bidirectional", \.bidirectional),
            .double("dropout", \.dropout, .fraction),
            .bool("tie_embeddings", \.tieEmbeddings),
            .int("block_size", \.blockSize, .atLeastOne),
            .int("heads", \.heads, .atLeastOne),
            .int("width", \.width, .atLeastOne),
            .bool("bias", \.bias),
            .choice("activation", \.activation),
            .choice("norm", \.norm),
            .choice("init", \.initialization),
        ]
    }

    static func validate(_ value: inout ModelSpec, _ node: Node, section: String) throws(SpecError) {
        if value.width % value.heads != 0 {
            throw (node.entry("heads")?.value.mark ?? node.mark)
                .error("'\(section).heads' (\(value.heads)) must divide '\(section).width' (\(value.width))")
        }
        if value.kind == .rnnLM, value.tieEmbeddings, value.embedding != value.hidden {
            throw (node.entry("tie_embeddings")?.value.mark ?? node.mark)
                .error("'\(section).tie_embeddings' needs 'embedding' (\(value.embedding)) equal to 'hidden' (\(value.hidden))")
        }
    }
}
