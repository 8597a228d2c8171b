import Core
import Graph
import NN

/// A text classifier: token embeddings, an encoder, a pooling of the encoder's states into one
/// vector per text, dropout, and a linear layer to the classes' logits.
///
/// - `bilstm`: a stacked bidirectional LSTM over the real positions (padding passes the state on, as
///   PyTorch's packed sequences), pooled by the final states of both directions (`last`), or the
///   maximum or mean over the real positions of the last layer's outputs.
/// - `cnn`: Kim (2014): for each width k, `channels` filters over every window of k embeddings (the
///   windows at a text's end reach into zeros), ReLU, the maximum over the text's positions; the
///   widths' maxima concatenated.
/// - `transformer`: token and learned position embeddings, then encoder blocks that attend over the
///   real positions; pooled at the first position (`cls`: the text starts with `<bos>`, BERT's
///   [CLS]), or by the maximum or mean over the real positions.
/// - `bert`: BERT's encoder (`BERT`, without its pretraining heads), the text framed `[CLS] … [SEP]`
///   in segment 0; `cls` pooling goes through BERT's pooler (dense, tanh).
/// - `elmo`: ELMo features and a biLSTM (Peters et al. 2018, §3.3): a pretrained biLM's layers
///   (`ELMo`, without its softmax) mixed by learned softmax weights and γ (`ScalarMix`), then the
///   `bilstm` encoder over the mix. The biLM's own weights stay as pretrained (`isFixed`).
///
/// Keys: `embedding.weight`; `lstm.layers.<l>[.reverse].*`; `convs.<i>.{weight,bias}`;
/// `positions.weight`, `encoder.layers.<l>.*`, `encoder.ln_f` (pre-LN); BERT's `embeddings.*`,
/// `encoder.layers.<l>.*` and `pooler.*`, which a masked_lm run's checkpoint has too; ELMo's
/// `embedding.weight`, `forward.*` and `backward.*`, as an elmo run's, and `mix.{scalars,gamma}`;
/// `head.{weight,bias}`.
public struct TextClassifier {
    public enum Encoder: Hashable, Sendable {
        case bilstm(hidden: Int, layers: Int)
        case cnn(kernelSizes: [Int], channels: Int)
        case transformer(layers: Int, heads: Int, feedForwardSize: Int, activation: Activation,
                         norm: TransformerBlock.NormPlacement, attentionDropout: Float, maxPositions: Int)
        /// BERT's embeddings and encoder (its config's vocabulary is the classifier's), and with `cls`
        /// pooling its pooler (dense and tanh), as Hugging Face's `BertForSequenceClassification`.
        case bert(BERT.Config)
        /// A biLSTM of `hidden` per direction and `layers` over the mixed layers of ELMo's biLM.
        case elmo(ELMo.Config, hidden: Int, layers: Int)
    }

    public enum Pool: String, Hashable, Sendable {
        case last, max, mean, cls
    }

    public struct Config: Hashable, Sendable {
        public var vocabularySize: Int
        public var classes: Int
        /// E, the embedding width (the transformer's model width).
        public var embedding: Int
        public var encoder: Encoder
        public var pool: Pool
        /// On the embeddings, between recurrent layers, inside transformer blocks and before the head.
        public var dropout: Float
        public var initialization: WeightInitialization

        public init(vocabularySize: Int, classes: Int, embedding: Int, encoder: Encoder, pool: Pool, dropout: Float = 0,
                    initialization: WeightInitialization = .pytorch) {
            (self.vocabularySize, self.classes, self.embedding, self.encoder) = (vocabularySize, classes, embedding, encoder)
            (self.pool, self.dropout, self.initialization) = (pool, dropout, initialization)
        }

        /// The most positions a text may take; nil for no limit.
        public var positionLimit: Int? {
            switch encoder {
            case .bilstm, .cnn, .elmo: nil
            case .transformer(_, _, _, _, _, _, let positions): positions
            case .bert(let bert): bert.maxPositions
            }
        }

        /// The width of the pooled vector the head reads.
        public var featureSize: Int {
            switch encoder {
            case .bilstm(let hidden, _), .elmo(_, let hidden, _): 2 * hidden
            case .cnn(let kernelSizes, let channels): kernelSizes.count * channels
            case .transformer, .bert: embedding
            }
        }

        /// Whether the weight under `key` keeps its pretrained value: the biLM under ELMo's features.
        public func isFixed(_ key: String) -> Bool {
            guard case .elmo = encoder else { return false }
            return ["embedding.", "forward.", "backward."].contains { key.hasPrefix($0) }
        }
    }

    public let config: Config
    private let embedding: Embedding?
    private let bert: (encoder: BERT, pooler: Linear?)?
    private let elmo: (biLM: ELMo, mix: ScalarMix)?
    private let lstm: LSTM?
    private let convolutions: [Linear]
    private let positions: Embedding?
    private let blocks: [TransformerBlock]
    private let finalNorm: LayerNorm?
    private let head: Linear

    public init(_ graph: Graph, config: Config) throws {
        self.config = config
        let width = config.embedding
        switch config.encoder {
        case .bert(let bertConfig):
            let encoder = try BERT(graph, config: bertConfig, pretraining: false)
            let pooler = config.pool == .cls ? try Linear(graph, key: "pooler", inputSize: width, outputSize: width) : nil
            (bert, elmo, embedding) = ((encoder, pooler), nil, nil)
        case .elmo(let biLM, _, _):
            let features = try ELMo(graph, config: biLM, languageModel: false)
            (bert, elmo, embedding) = (nil, (features, try ScalarMix(graph, key: "mix", layers: biLM.layers + 1)), nil)
        case .bilstm, .cnn, .transformer:
            (bert, elmo) = (nil, nil)
            embedding = try Embedding(graph, key: "embedding", count: config.vocabularySize, dimension: width)
        }
        var (lstm, convolutions, positions, blocks, finalNorm): (LSTM?, [Linear], Embedding?, [TransformerBlock], LayerNorm?)
            = (nil, [], nil, [], nil)
        switch config.encoder {
        case .bert: break
        case .bilstm(let hidden, let layers):
            lstm = try LSTM(graph, key: "lstm", inputSize: width, hiddenSize: hidden, layers: layers, bidirectional: true,
                            dropout: config.dropout)
        case .elmo(let biLM, let hidden, let layers):
            lstm = try LSTM(graph, key: "lstm", inputSize: biLM.representationWidth, hiddenSize: hidden, layers: layers,
                            bidirectional: true, dropout: config.dropout)
        case .cnn(let kernelSizes, let channels):
            convolutions = try kernelSizes.enumerated().map { index, size in
                try Linear(graph, key: "convs.\(index)", inputSize: size * width, outputSize: channels)
            }
        case .transformer(let layers, let heads, let feedForwardSize, let activation, let norm, let attentionDropout,
                          let maxPositions):
            positions = try Embedding(graph, key: "positions", count: maxPositions, dimension: width)
            blocks = try (0..<layers).map { layer in
                try TransformerBlock(graph, key: "encoder.layers.\(layer)", width: width, heads: heads,
                                     feedForwardSize: feedForwardSize, activation: activation, norm: norm,
                                     dropout: config.dropout, attentionDropout: attentionDropout,
                                     feedForwardDropout: config.dropout)
            }
            finalNorm = norm == .pre ? try LayerNorm(graph, key: "encoder.ln_f", dimension: width) : nil
        }
        (self.lstm, self.convolutions, self.positions, self.blocks, self.finalNorm) = (lstm, convolutions, positions, blocks, finalNorm)
        head = try Linear(graph, key: "head", inputSize: config.featureSize, outputSize: config.classes)
        config.initialization.apply(to: graph)
    }

    /// tokens (B, T) ids, mask (B, T) of 1 (real) and 0 (padding) → logits (B, K).
    public func callAsFunction(_ tokens: Tensor, mask: Tensor) throws -> Tensor {
        let (b, t) = (tokens.shape[0], tokens.shape[1])
        let features: Tensor
        if let bert {
            let hidden = try bert.encoder.encode(tokens, mask: mask)                             // (B, T, C)
            let first = try hidden.sliced(axis: 1, 0..<1).reshaped(to: [b, config.embedding])
            features = try bert.pooler.map { try $0(first).tanh() } ?? Self.pooled(hidden, mask: mask, axis: 1, config.pool)
            return try head(features.dropout(config.dropout))
        }
        if let elmo, let lstm {
            let layers = try elmo.biLM.representations(tokens.transposed(), mask: mask.transposed())   // (T, B, 2R) each
            return try head(recurrentFeatures(lstm, elmo.mix(layers).dropout(config.dropout), mask: mask)
                .dropout(config.dropout))
        }
        guard let embedding else { throw GraphError.invalidArgument(op: "text_classifier", node: tokens.graph.nodes.count,
                                                                    reason: "no embedding") }
        let embedded = try embedding(tokens)                                                      // (B, T, E)
        if let lstm {
            features = try recurrentFeatures(lstm, embedded.dropout(config.dropout).permuted([1, 0, 2]), mask: mask)
        } else if !convolutions.isEmpty {
            // Padding positions embed as zeros, so a window past a text's end reads zeros.
            let x = try embedded * mask.reshaped(to: [b, t, 1])                                  // (B, T, E)
            features = try Tensor.concatenated(convolutions.map { convolution in
                let size = convolution.inputSize / config.embedding
                let padded = try x.padded(axis: 1, before: 0, after: size - 1)                   // (B, T + k − 1, E)
                let windows = try Tensor.concatenated((0..<size).map { try padded.sliced(axis: 1, $0..<($0 + t)) }, axis: 2)
                let activations = try convolution(windows.reshaped(to: [b * t, -1])).relu()      // (B·T, F)
                return try Self.pooled(activations.reshaped(to: [b, t, -1]), mask: mask, axis: 1, .max)
            }, axis: 1)                                                                           // (B, F·K)
        } else if let positions {
            var x = try (embedded + positions.weight.sliced(axis: 0, 0..<t)).dropout(config.dropout)    // (B, T, E)
            for block in blocks { x = try block(x, padding: mask) }
            if let finalNorm { x = try finalNorm(x) }
            features = config.pool == .cls
                ? try x.sliced(axis: 1, 0..<1).reshaped(to: [b, config.embedding])
                : try Self.pooled(x, mask: mask, axis: 1, config.pool)
        } else {
            throw GraphError.invalidArgument(op: "text_classifier", node: tokens.graph.nodes.count, reason: "no encoder")
        }
        return try head(features.dropout(config.dropout))
    }

    /// x (T, B, in) → the biLSTM's states pooled (B, 2H): the last layer's final h of both directions,
    /// or their outputs' maximum or mean over the real positions of mask (B, T).
    private func recurrentFeatures(_ lstm: LSTM, _ x: Tensor, mask: Tensor) throws -> Tensor {
        let (output, states) = try lstm(x, mask: mask.transposed())                               // (T, B, 2H)
        switch config.pool {
        case .max, .mean: return try Self.pooled(output, mask: mask.transposed(), axis: 0, config.pool)
        case .last, .cls: return try Tensor.concatenated(states.suffix(2).map { $0[0] }, axis: 1)  // 2 × (B, H)
        }
    }

    /// The maximum or mean of x over `axis` (the positions), counting only where `mask` (x's shape
    /// without its last axis) is 1; the axis is removed.
    public static func pooled(_ x: Tensor, mask: Tensor, axis: Int, _ pool: Pool) throws -> Tensor {
        let m = try mask.reshaped(to: Shape(mask.shape.dims + [1]))
        if pool == .mean {
            return try (x * m).sum(axes: [axis]) / m.sum(axes: [axis])
        }
        // Padding lowered far below any activation: the maximum is over the real positions.
        return try (x + (m - 1) * 1e9).max(axes: [axis])
    }
}
