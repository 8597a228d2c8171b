/// How text becomes token ids.
public struct TokenizerSpec: Sendable, Equatable {
    public enum Kind: String, SpecChoice {
        case char, word, bpe
        case bpeByteLevel = "bpe_bytelevel"
        case wordPiece = "wordpiece"
        static let label = "tokenizer kind"
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
    /// Tokens seen fewer times become `<unk>`.
    public var minFreq = 1
    /// At most this many tokens, reserved ones included; nil for no limit.
    public var maxSize: Int?
    /// Tokens given the first ids, in order.
    public var reserved = ["<unk>"]
    /// The vocabulary a subword tokenizer (bpe, wordpiece) learns up to.
    public var vocabSize: Int?
    /// Extra tokens a subword tokenizer never splits (`<mask>`, `<sep>`).
    public var specialTokens: [String] = []
    /// A trained tokenizer to load instead of training one.
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
        static let label = "activation"
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
    /// Share the input embedding with the output projection (needs `embedding == hidden`).
    public var tieEmbeddings = false
    /// The longest context a position-embedded model sees.
    public var blockSize = 128
    public var heads = 4
    /// The model width (d_model) of attention models.
    public var width = 128
    /// Whether linear and normalization layers of attention models have biases.
    public var bias = true
    public var activation = Activation.gelu

    public init() {}
}

extension TokenizerSpec: SpecSection {
    static var fields: [Field<TokenizerSpec>] {
        [
            .choice("kind", \.kind),
            .bool("lowercase", \.lowercase),
            .choice("normalize", \.normalize),
            .int("min_freq", \.minFreq, .atLeastOne),
            .int("max_size", \.maxSize, .atLeastOne),
            .strings("reserved", \.reserved),
            .int("vocab_size", \.vocabSize, .atLeastOne),
            .strings("special_tokens", \.specialTokens),
            .string("file", \.file),
        ]
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
        ]
    }

    static func validate(_ value: inout ModelSpec, _ node: Node, section: String) throws(SpecError) {
        if value.width % value.heads != 0 {
            throw (node.entry("heads")?.value.mark ?? node.mark)
                .error("'\(section).heads' (\(value.heads)) must divide '\(section).width' (\(value.width))")
        }
        if value.tieEmbeddings, value.embedding != value.hidden {
            throw (node.entry("tie_embeddings")?.value.mark ?? node.mark)
                .error("'\(section).tie_embeddings' needs 'embedding' (\(value.embedding)) equal to 'hidden' (\(value.hidden))")
        }
    }
}
