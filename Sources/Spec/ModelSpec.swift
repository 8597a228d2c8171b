/// The architecture. One struct serves the whole zoo, and each kind reads only its own keys
/// (`Kind.keys`): a key the kind does not read is refused, naming the ones it does. A key means one
/// thing across kinds: `hidden` is the width of hidden layers, `width` the model width (d_model) of
/// attention models, `layers` the depth (WaveNet's per stack).
public struct ModelSpec: Sendable, Equatable {
    public enum Kind: String, SpecChoice {
        case mlpLM = "mlp_lm"
        case rnnLM = "rnn_lm"
        case wavenetHier = "wavenet_hier"
        case wavenet, gpt, seq2seq, transformer, bert, ngram, elmo
        case word2vec, glove, fasttext
        case classifier
        static let label = "model kind"

        /// The task this kind is trained for; nil for kinds whose task is not built yet.
        public var task: ExperimentSpec.Task? {
            switch self {
            case .mlpLM, .rnnLM, .wavenetHier, .wavenet, .gpt, .ngram, .elmo: .languageModel
            case .seq2seq, .transformer: .translation
            case .word2vec, .glove, .fasttext: .embeddings
            case .classifier: .classification
            case .bert: .maskedLM
            }
        }

        /// What a scored split logs beyond the task's names: ELMo's loss and perplexity per direction.
        public var loggedNames: [String] {
            self == .elmo ? Self.elmoDirections.flatMap { [$0 + "_loss", $0 + "_ppl"] } : []
        }

        /// The names ELMo's two language models log their metrics under (`forward_ppl`, …).
        public static let elmoDirections = ["forward", "backward"]

        /// The keys of `model` this kind reads besides `kind`; every other key is refused.
        var keys: [String] {
            let initialization = ["init", "init_scale"]
            let wordVectors = ["dimensions", "window", "min_count", "alpha", "batch_words"]
            return switch self {
            case .rnnLM: ["cell", "embedding", "hidden", "layers", "bidirectional", "dropout", "dropout_between_layers",
                          "dropout_mode", "word_dropout", "tie_embeddings"] + initialization
            case .gpt: ["block_size", "layers", "heads", "width", "dropout", "bias", "activation", "norm", "tie_embeddings"]
                + initialization
            case .mlpLM: ["block_size", "embedding", "hidden", "layers", "batch_norm", "batch_norm_momentum", "direct"]
                + initialization
            case .wavenetHier: ["block_size", "embedding", "hidden", "batch_norm_momentum"] + initialization
            case .ngram: ["order", "smoothing"]
            case .wavenet: ["embedding", "residual_channels", "dilation_channels", "skip_channels", "kernel_size", "layers",
                            "stacks"] + initialization
            case .seq2seq: ["cell", "embedding", "hidden", "layers", "dropout", "encoder_bidirectional", "context",
                            "attention", "teacher_forcing", "teacher_forcing_draw"] + initialization
            case .transformer: ["encoder_layers", "decoder_layers", "width", "heads", "ffn", "activation", "norm", "dropout",
                                "attention_dropout", "positions", "max_positions", "share_embeddings"] + initialization
            case .word2vec: ["architecture", "loss", "negatives", "ns_exponent"] + wordVectors + ["subsample", "min_alpha"]
            case .fasttext: ["architecture", "negatives", "ns_exponent", "min_n", "max_n", "buckets"] + wordVectors
                + ["subsample", "min_alpha"]
            case .glove: ["x_max", "weighting_power"] + wordVectors
            case .classifier: ["encoder", "pool", "embedding", "hidden", "layers", "dropout", "kernel_sizes", "channels", "width",
                               "heads", "ffn", "activation", "norm", "attention_dropout", "max_positions", "projection",
                               "elmo_hidden", "elmo_layers"] + initialization
            case .elmo: ["embedding", "hidden", "projection", "layers", "dropout"] + initialization
            case .bert: ["width", "layers", "heads", "ffn", "dropout", "attention_dropout", "max_positions"] + initialization
            }
        }

        /// The initialisation recipes of this kind's own papers, besides `default`, `pytorch` and the generic ones.
        var ownInitializations: [Initialization] {
            switch self {
            case .gpt: [.gpt2]
            case .mlpLM, .wavenetHier: [.makemore]
            case .rnnLM: [.wordLanguageModel]
            case .bert: [.bert]
            case .wavenet, .ngram, .seq2seq, .transformer, .word2vec, .glove, .fasttext, .classifier, .elmo: []
            }
        }
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
    /// `wavenet_hier`; `word_language_model` is PyTorch's example's for `rnn_lm` (U(±0.1) embedding
    /// and output tables, zero output bias); `normal` and `uniform` draw every parameter that does not start at a constant
    /// from N(0, init_scale²) or U(−init_scale, init_scale); `xavier_uniform` redraws every matrix.
    public enum Initialization: String, SpecChoice {
        case standard = "default"
        case gpt2, pytorch, makemore, normal, uniform
        case wordLanguageModel = "word_language_model"
        case xavierUniform = "xavier_uniform"
        case bert
        static let label = "initialisation"
    }

    /// Where a Transformer block normalises: before each sub-layer (GPT-2) or after the residual sum
    /// (the original Transformer).
    public enum Context: String, SpecChoice {
        case initial
        case everyStep = "every_step"
        static let label = "context"
    }

    public enum TeacherForcingDraw: String, SpecChoice {
        case sentence, batch
        static let label = "teacher forcing draw"
    }

    public enum Attention: String, SpecChoice {
        case none, additive, dot, general
        static let label = "attention"
    }

    /// How dropout masks are drawn: afresh for every step, or one per sequence shared by its steps
    /// (variational dropout, AWD-LSTM's `LockedDropout`).
    public enum DropoutMode: String, SpecChoice {
        case standard, locked
        static let label = "dropout mode"
    }

    /// What reads a classifier's tokens: a bidirectional LSTM, Kim's convolutions of several widths,
    /// a Transformer encoder, BERT's (to fine-tune a masked_lm run through `init_from`), or a biLSTM
    /// over an elmo run's features (its layers mixed, the biLM itself fixed).
    public enum Encoder: String, SpecChoice {
        case bilstm, cnn, transformer, bert, elmo
        static let label = "encoder"
    }

    /// How a classifier turns the encoder's states into one vector: the final states of both
    /// directions (`last`), the maximum or mean over the real positions, or the state at the `<bos>`
    /// that starts every text (`cls`, BERT's [CLS]; BERT's pooler then reads it).
    public enum Pool: String, SpecChoice {
        case last, max, mean, cls
        static let label = "pooling"
    }

    public enum Norm: String, SpecChoice {
        case pre, post
        static let label = "norm placement"
    }

    /// How an attention model tells positions apart: the paper's fixed sinusoids or a learned table.
    public enum Positions: String, SpecChoice {
        case sinusoidal, learned
        static let label = "positions"
    }

    /// Which of an encoder–decoder's tables are one: none, the decoder's input embedding and its output
    /// layer, or those and the encoder's embedding too (one vocabulary for both sides).
    public enum SharedEmbeddings: String, SpecChoice {
        case none
        case decoderOutput = "decoder_output"
        case all
        static let label = "shared embeddings"
    }

    public var kind = Kind.rnnLM
    public var cell = Cell.gru
    /// Embedding width; 0 feeds one-hot vectors of the vocabulary size instead (d2l's RNNs).
    public var embedding = 32
    public var hidden = 256
    public var layers = 1
    public var bidirectional = false
    /// Probability of zeroing an activation in training. For `rnn_lm` it acts where Zaremba et al.
    /// and PyTorch's `word_language_model` drop: the embedded inputs, between layers and the last
    /// layer's outputs.
    public var dropout = 0.0
    /// `rnn_lm`: dropout between recurrent layers only (PyTorch's `nn.LSTM(dropout=)`); nil for `dropout`.
    public var dropoutBetweenLayers: Double?
    /// `rnn_lm`: one dropout mask per step, or one per sequence.
    public var dropoutMode = DropoutMode.standard
    /// `rnn_lm`: the probability of dropping a whole word (a row of the embedding table) for a batch.
    public var wordDropout = 0.0
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
    /// `seq2seq`: a bidirectional encoder (Bahdanau's), bridged to the decoder's first state.
    public var encoderBidirectional = false
    /// `seq2seq` without attention: the encoder's summary only starts the decoder (`initial`,
    /// Sutskever) or is also read at every step and by the output layer (`every_step`, Cho).
    public var context = Context.initial
    /// `seq2seq`: how the decoder reads the encoder outputs: `none`, `additive` (Bahdanau), `dot`
    /// or `general` (Luong's scores).
    public var attention = Attention.none
    /// `seq2seq`: the probability that a training step feeds the decoder the gold token rather than
    /// its own prediction.
    public var teacherForcing = 1.0
    /// `seq2seq`: whether that choice is drawn for each sentence at each step, or once per step for the
    /// whole batch (bentrevett's tutorials).
    public var teacherForcingDraw = TeacherForcingDraw.sentence
    /// `transformer`: blocks in the encoder and in the decoder.
    public var encoderLayers = 6
    public var decoderLayers = 6
    /// `transformer`: the hidden width of each block's MLP; nil for 4 × width.
    public var ffn: Int?
    /// `transformer`: dropout on the attention weights (`dropout` acts everywhere else).
    public var attentionDropout = 0.0
    /// `transformer`: fixed sinusoids or learned position vectors, `max_positions` of them.
    public var positions = Positions.sinusoidal
    public var maxPositions = 256
    public var shareEmbeddings = SharedEmbeddings.none
    /// Word vectors: how word2vec and fastText predict (`skipgram` or `cbow`).
    public var architecture = Architecture.skipgram
    /// `word2vec`: the output layer, negative sampling or hierarchical softmax (fastText: negative sampling).
    public var loss = OutputLoss.negativeSampling
    /// Noise words per prediction (negative sampling).
    public var negatives = 5
    /// The power of the unigram counts noise words are drawn by.
    public var nsExponent = 0.75
    /// Word vectors: the width of every vector.
    public var dimensions = 100
    /// Word vectors: the largest distance of a context word (word2vec and fastText shrink it at random
    /// per centre word; GloVe weights a pair by 1/distance).
    public var window = 5
    /// Word vectors: words seen fewer times are left out of the vocabulary and the sentences.
    public var minCount = 5
    /// word2vec, fastText: the frequent-word down-sampling threshold (0 keeps every word).
    public var subsample = 1e-3
    /// Word vectors: the learning rate, falling linearly to `min_alpha` over training (word2vec, fastText)
    /// or AdaGrad's (GloVe); nil for 0.025, or GloVe's 0.05.
    public var alpha: Double?
    public var minAlpha = 0.0001
    /// Word vectors: the words (GloVe: the co-occurrence entries) of one training step, at whose start
    /// the rate is set (word2vec's 10,000).
    public var batchWords = 10_000
    /// `fasttext`: character n-grams of these lengths, hashed into `buckets` rows.
    public var minN = 3
    public var maxN = 6
    public var buckets = 2_000_000
    /// `glove`: the count above which a pair has full weight, and the weight's power below it.
    public var xMax = 100.0
    public var weightingPower = 0.75
    /// `classifier`: the encoder, and how its states are pooled (nil for the encoder's usual: `last`
    /// for bilstm, `max` for cnn, `cls` for transformer).
    public var encoder = Encoder.bilstm
    public var pool: Pool?
    /// `classifier` with `encoder: cnn`: the widths of the convolutions, `channels` filters each.
    public var kernelSizes = [3, 4, 5]
    public var channels = 100
    /// `wavenet`: width of the residual stream.
    public var residualChannels = 128
    /// `wavenet`: width of each layer's gated (dilated) activation.
    public var dilationChannels = 256
    /// `wavenet`: width of the skip connections and the output layers.
    public var skipChannels = 256
    /// `elmo`: the width each LSTM's h is projected to (LSTMP); nil for none.
    public var projection: Int?
    /// `classifier` with `encoder: elmo`: the pretrained biLM's cells and layers (`hidden` and
    /// `layers` are the biLSTM that reads its features); `embedding` and `projection` are the biLM's.
    public var elmoHidden = 512
    public var elmoLayers = 2

    public init() {}

    /// `classifier`: the most positions a text may take (an attention encoder's position table); nil for none.
    public var classifierPositionLimit: Int? { [.transformer, .bert].contains(encoder) ? maxPositions : nil }
}

extension ModelSpec: SpecSection {
    /// Bounds on a model's sizes far above any model of these families, so that the shapes and counts
    /// computed from a few of them stay within Int, and a model no machine holds is refused at its
    /// key instead of while its graph is built: a width (embedding, hidden, channels…) 65,536, a
    /// depth (layers, stacks) 256, a number of positions 2^20.
    static let widthLimit = 1 << 16
    static let depthLimit = 256
    static let positionLimit = 1 << 20

    static var fields: [Field<ModelSpec>] {
        [
            .choice("kind", \.kind),
            .choice("cell", \.cell),
            .int("embedding", \.embedding, .nonNegativeAtMost(Double(widthLimit))),
            .int("hidden", \.hidden, .atLeastOneAtMost(widthLimit)),
            .int("layers", \.layers, .atLeastOneAtMost(depthLimit)),
            .bool("bidirectional", \.bidirectional),
            .double("dropout", \.dropout, .fraction),
            .double("dropout_between_layers", \.dropoutBetweenLayers, .fraction),
            .choice("dropout_mode", \.dropoutMode),
            .double("word_dropout", \.wordDropout, .fraction),
            .bool("tie_embeddings", \.tieEmbeddings),
            .int("block_size", \.blockSize, .atLeastOneAtMost(positionLimit)),
            .int("heads", \.heads, .atLeastOneAtMost(widthLimit)),
            .int("width", \.width, .atLeastOneAtMost(widthLimit)),
            .bool("bias", \.bias),
            .choice("activation", \.activation),
            .choice("norm", \.norm),
            .choice("init", \.initialization),
            .double("init_scale", \.initScale, .positive),
            .bool("batch_norm", \.batchNorm),
            .double("batch_norm_momentum", \.batchNormMomentum, .fraction),
            .bool("direct", \.direct),
            .int("order", \.order, .atLeastOneAtMost(16)),
            // Add-0 would give an n-gram unseen in training probability 0: an infinite (NaN) loss.
            .double("smoothing", \.smoothing, .positiveAtMost(1e6)),
            .int("stacks", \.stacks, .atLeastOneAtMost(depthLimit)),
            .int("kernel_size", \.kernelSize, .atLeastOneAtMost(1024)),
            .int("residual_channels", \.residualChannels, .atLeastOneAtMost(widthLimit)),
            .int("dilation_channels", \.dilationChannels, .atLeastOneAtMost(widthLimit)),
            .int("skip_channels", \.skipChannels, .atLeastOneAtMost(widthLimit)),
            .bool("encoder_bidirectional", \.encoderBidirectional),
            .choice("context", \.context),
            .choice("attention", \.attention),
            .double("teacher_forcing", \.teacherForcing, .closedFraction),
            .choice("teacher_forcing_draw", \.teacherForcingDraw),
            .int("encoder_layers", \.encoderLayers, .atLeastOneAtMost(depthLimit)),
            .int("decoder_layers", \.decoderLayers, .atLeastOneAtMost(depthLimit)),
            .int("ffn", \.ffn, .atLeastOneAtMost(4 * widthLimit)),
            .double("attention_dropout", \.attentionDropout, .fraction),
            .choice("positions", \.positions),
            .int("max_positions", \.maxPositions, .atLeastOneAtMost(positionLimit)),
            .choice("share_embeddings", \.shareEmbeddings),
            .choice("architecture", \.architecture),
            .choice("loss", \.loss),
            .int("negatives", \.negatives, .nonNegativeAtMost(1024)),
            .double("ns_exponent", \.nsExponent, .nonNegative),
            .int("dimensions", \.dimensions, .atLeastOneAtMost(widthLimit)),
            .int("window", \.window, .atLeastOneAtMost(1024)),
            .int("min_count", \.minCount, .atLeastOne),
            .double("subsample", \.subsample, .nonNegative),
            .double("alpha", \.alpha, .positive),
            .double("min_alpha", \.minAlpha, .nonNegative),
            .int("batch_words", \.batchWords, .atLeastOneAtMost(1 << 24)),
            .int("min_n", \.minN, .atLeastOneAtMost(64)),
            .int("max_n", \.maxN, .atLeastOneAtMost(64)),
            .int("buckets", \.buckets, .atLeastOneAtMost(1 << 26)),
            .double("x_max", \.xMax, .positive),
            .double("weighting_power", \.weightingPower, .positive),
            .choice("encoder", \.encoder),
            .choice("pool", \.pool),
            .ints("kernel_sizes", \.kernelSizes, .atLeastOneAtMost(1024)),
            .int("channels", \.channels, .atLeastOneAtMost(widthLimit)),
            .int("projection", \.projection, .atLeastOneAtMost(widthLimit)),
            .int("elmo_hidden", \.elmoHidden, .atLeastOneAtMost(widthLimit)),
            .int("elmo_layers", \.elmoLayers, .atLeastOneAtMost(depthLimit)),
        ]
    }

    static func validate(_ value: inout ModelSpec, _ node: Node, section: String) throws(SpecError) {
        let kind = value.kind
        if let entry = givenEntries(value, node).first(where: { $0.key != "kind" && !kind.keys.contains($0.key) }) {
            throw entry.keyMark.error("'\(section).\(entry.key)' does not apply to model kind '\(kind.rawValue)', which reads "
                + kind.keys.joined(separator: ", "),
                hint: "remove it; to change the kind from the command line, give the whole section: --set 'model={kind: "
                    + "\(kind.rawValue), …}'")
        }
        if kind == .classifier { try checkEncoderKeys(value, node, section: section) }
        if [.gpt, .transformer, .bert, .seq2seq, .classifier].contains(kind), value.width % value.heads != 0 {
            throw (node.entry("heads")?.value.mark ?? node.mark)
                .error("'\(section).heads' (\(value.heads)) must divide '\(section).width' (\(value.width))")
        }
        let mark = { (key: String) in node.entry(key)?.value.mark ?? node.mark }
        // The Transformer's own defaults where the keys it shares with GPT default to GPT-2's.
        if kind == .transformer {
            if node.entry("norm") == nil { value.norm = .post }
            if node.entry("activation") == nil { value.activation = .relu }
        }
        let initialization = value.initialization
        if [.gpt2, .makemore, .wordLanguageModel, .bert].contains(initialization), !kind.ownInitializations.contains(initialization) {
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
        // What the output layer reads; a width past Int's range is refused later with the model's sizes.
        let outputWidth = value.hidden.multipliedReportingOverflow(by: value.bidirectional ? 2 : 1).partialValue
        if kind == .rnnLM, value.tieEmbeddings, value.embedding != outputWidth {
            throw mark("tie_embeddings").error("'\(section).tie_embeddings' needs 'embedding' (\(value.embedding)) equal to "
                + (value.bidirectional ? "2 × 'hidden' (\(outputWidth)), the bidirectional output" : "'hidden' (\(outputWidth))")
                + ": the output layer multiplies by the embedding table",
                hint: "set 'embedding: \(outputWidth)' or remove tie_embeddings")
        }
        if kind == .elmo || (kind == .classifier && value.encoder == .elmo) {
            let layerWidth = value.projection ?? (kind == .elmo ? value.hidden : value.elmoHidden)
            if node.entry("embedding") == nil { value.embedding = layerWidth }
            if value.embedding != layerWidth {
                throw mark("embedding").error("'\(section).embedding' (\(value.embedding)) must equal "
                    + (value.projection != nil ? "'projection' (\(layerWidth))"
                        : kind == .elmo ? "'hidden' (\(layerWidth)), the LSTMs' cells" : "'elmo_hidden' (\(layerWidth))")
                    + ": ELMo mixes its token layer with its LSTM layers", hint: "set 'embedding: \(layerWidth)'")
            }
        }
        if value.kind == .ngram, value.order < 2 {
            throw mark("order").error("'\(section).order' must be at least 2 (a bigram reads one token)")
        }
        try checkWordVectors(value, node, section: section)
        if kind == .classifier { try checkClassifier(&value, node, section: section) }
    }

    /// The keys of a classifier's encoders besides those every one reads (`encoder`, `pool`, `dropout`,
    /// the initialisation): a key that only another encoder reads would be silently ignored.
    private static func encoderKeys(_ encoder: Encoder) -> Set<String> {
        switch encoder {
        case .bilstm: ["embedding", "hidden", "layers"]
        case .cnn: ["embedding", "kernel_sizes", "channels"]
        case .transformer: ["width", "layers", "heads", "ffn", "activation", "norm", "attention_dropout", "max_positions"]
        case .bert: ["width", "layers", "heads", "ffn", "attention_dropout", "max_positions"]
        case .elmo: ["embedding", "hidden", "layers", "projection", "elmo_hidden", "elmo_layers"]
        }
    }

    private static func checkEncoderKeys(_ value: ModelSpec, _ node: Node, section: String) throws(SpecError) {
        let own = encoderKeys(value.encoder)
        let others = Encoder.allCases.filter { $0 != value.encoder }
        for entry in givenEntries(value, node) where !own.contains(entry.key) {
            guard let reader = others.first(where: { encoderKeys($0).contains(entry.key) }) else { continue }
            let what = reader == .elmo && !["embedding", "hidden", "layers"].contains(entry.key) ? "the biLM of 'encoder: elmo'"
                : "'encoder: \(reader.rawValue)'"
            throw entry.keyMark.error("'\(section).\(entry.key)' describes \(what), not 'encoder: \(value.encoder.rawValue)', "
                + "which reads " + own.sorted().joined(separator: ", "),
                hint: "remove it; to change the encoder from the command line, give the whole section: --set 'model={kind: "
                    + "classifier, encoder: \(value.encoder.rawValue), …}'")
        }
    }

    /// A classifier's pooling must suit its encoder: `cls` reads the Transformer's first position,
    /// convolutions are pooled by their maximum over time (Kim 2014), `last` needs a recurrent encoder.
    private static func checkClassifier(_ value: inout ModelSpec, _ node: Node, section: String) throws(SpecError) {
        let encoder = value.encoder
        if value.kernelSizes.isEmpty {
            throw (node.entry("kernel_sizes")?.value.mark ?? node.mark).error("'\(section).kernel_sizes' needs at least one width")
        }
        guard let pool = value.pool else {
            value.pool = switch encoder {
            case .bilstm, .elmo: .last
            case .cnn: .max
            case .transformer, .bert: .cls
            }
            return
        }
        let allowed: [Pool] = switch encoder {
        case .bilstm, .elmo: [.last, .max, .mean]
        case .cnn: [.max]
        case .transformer, .bert: [.cls, .max, .mean]
        }
        guard allowed.contains(pool) else {
            throw (node.entry("pool")?.value.mark ?? node.mark).error("'\(section).pool: \(pool.rawValue)' does not apply to "
                + "'encoder: \(encoder.rawValue)'", hint: "use " + allowed.map(\.rawValue).joined(separator: ", "))
        }
    }
}
