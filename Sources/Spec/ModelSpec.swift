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
/// Transformer use `block_size`, `heads`, `width`, `bias`, `activation`; the window models
/// (`mlp_lm`, `wavenet_hier`, `ngram`) `block_size` (`order` for n-grams), `embedding`, `hidden`,
/// `batch_norm`; `wavenet` `embedding`, `width` (residual), `hidden` (gate), `skip_channels`,
/// `layers` (per stack), `stacks`, `kernel_size`.
public struct ModelSpec: Sendable, Equatable {
    public enum Kind: String, SpecChoice {
        case mlpLM = "mlp_lm"
        case rnnLM = "rnn_lm"
        case wavenetHier = "wavenet_hier"
        case wavenet, gpt, seq2seq, transformer, bert, ngram
        static let label = "model kind"

        /// Models that predict one token from a fixed window of the previous ones (`block_size` of
        /// them; `order − 1` for n-grams), trained on (context, target) examples as makemore does.
        public var readsWindows: Bool { [.mlpLM, .wavenetHier, .ngram].contains(self) }
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

    /// How the weights start. `default` is each model's usual: GPT-2's recipe for `gpt`, PyTorch's
    /// layer defaults otherwise; `makemore` is the lectures' scaled normal init of `mlp_lm` and
    /// `wavenet_hier`; `normal` and `uniform` draw every parameter that does not start at a constant
    /// from N(0, init_scale²) or U(−init_scale, init_scale); `xavier_uniform` redraws every matrix.
    public enum Initialization: String, SpecChoice {
        case standard = "default"
        case gpt2, pytorch, makemore, normal, uniform
        case xavierUniform = "xavier_uniform"
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
    public var initialization = Initialization.standard
    /// The std of `init: normal`, the bound of `init: uniform`.
    public var initScale: Double?
    /// `mlp_lm`: batch-normalise the hidden pre-activations (no hidden bias then).
    public var batchNorm = false
    /// The momentum of BatchNorm's running statistics (makemore part 3: 0.001).
    public var batchNormMomentum = 0.1
    /// `mlp_lm`: Bengio's direct connections from the embeddings to the output.
    public var direct = false
    /// `ngram`: n, the order (the prediction reads n − 1 tokens).
    public var order = 2
    /// `ngram`: k of add-k smoothing.
    public var smoothing = 1.0
    /// `wavenet`: how many times the dilation cycle 1, 2, …, 2^(layers − 1) repeats.
    public var stacks = 1
    /// `wavenet`: taps of every causal convolution.
    public var kernelSize = 2
    /// `wavenet`: width of the skip connections and the output layers (`width` is the residual
    /// stream's, `hidden` the gated activation's).
    public var skipChannels = 256

    public init() {}

    /// Tokens of context a window model reads; nil for sequence models.
    public var window: Int? {
        guard kind.readsWindows else { return nil }
        return kind == .ngram ? order - 1 : blockSize
    }
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
            .double("init_scale", \.initScale, .positive),
            .bool("batch_norm", \.batchNorm),
            .double("batch_norm_momentum", \.batchNormMomentum, .fraction),
            .bool("direct", \.direct),
            .int("order", \.order, .atLeastOne),
            .double("smoothing", \.smoothing, .nonNegative),
            .int("stacks", \.stacks, .atLeastOne),
            .int("kernel_size", \.kernelSize, .atLeastOne),
            .int("skip_channels", \.skipChannels, .atLeastOne),
        ]
    }

    /// The initialisations each kind knows besides `default`, `pytorch` and the generic ones.
    private static func ownInitializations(_ kind: Kind) -> [Initialization] {
        switch kind {
        case .gpt: [.gpt2]
        case .mlpLM, .wavenetHier: [.makemore]
        default: []
        }
    }

    static func validate(_ value: inout ModelSpec, _ node: Node, section: String) throws(SpecError) {
        if [.gpt, .transformer, .bert, .seq2seq].contains(value.kind), value.width % value.heads != 0 {
            throw (node.entry("heads")?.value.mark ?? node.mark)
                .error("'\(section).heads' (\(value.heads)) must divide '\(section).width' (\(value.width))")
        }
        if value.kind == .rnnLM, value.tieEmbeddings, value.embedding != value.hidden {
            throw (node.entry("tie_embeddings")?.value.mark ?? node.mark)
                .error("'\(section).tie_embeddings' needs 'embedding' (\(value.embedding)) equal to 'hidden' (\(value.hidden))")
        }
        let mark = { (key: String) in node.entry(key)?.value.mark ?? node.mark }
        let initialization = value.initialization
        if [.gpt2, .makemore].contains(initialization), !ownInitializations(value.kind).contains(initialization) {
            throw mark("init").error("'\(section).init: \(initialization.rawValue)' is not a recipe of model kind "
                + "'\(value.kind.rawValue)'", hint: "use default, pytorch, normal, uniform or xavier_uniform")
        }
        let scaled = [.normal, .uniform].contains(initialization)
        if scaled, value.initScale == nil {
            throw mark("init").error("'\(section).init: \(initialization.rawValue)' needs '\(section).init_scale'",
                                     hint: initialization == .normal ? "add 'init_scale: 1.0' (the std)"
                                         : "add 'init_scale: 0.08' (the bound)")
        }
        if !scaled, value.initScale != nil {
            throw mark("init_scale").error("'\(section).init_scale' applies to init normal or uniform, not "
                + "'\(initialization.rawValue)'", hint: "remove it")
        }
        if value.kind == .wavenetHier, value.blockSize < 2 || value.blockSize & (value.blockSize - 1) != 0 {
            throw mark("block_size").error("'\(section).block_size' (\(value.blockSize)) must be a power of two for "
                + "wavenet_hier, which fuses pairs of positions until one is left", hint: "use 8 (makemore) or 16")
        }
        if value.kind == .ngram, value.order < 2 {
            throw mark("order").error("'\(section).order' must be at least 2 (a bigram reads one token)")
        }
    }
}
