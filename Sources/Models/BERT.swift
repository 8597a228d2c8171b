import Core
import Graph
import NN

/// BERT (Devlin et al. 2019) as Hugging Face's `BertForPreTraining` builds it: token, learned
/// position and segment embeddings summed, LayerNorm, dropout; post-LN encoder blocks with exact
/// GELU (LayerNorm ε 1e-12); the masked-LM head (dense, GELU, LayerNorm, then the token embedding's
/// transpose with its own bias) over every position, and the next-sentence head (the pooler's dense
/// and tanh at the first position, `[CLS]`, then a 2-way linear layer).
///
/// Keys: `embeddings.tokens.weight`, `embeddings.positions.weight`, `embeddings.segments.weight`,
/// `embeddings.ln.{weight,bias}`; `encoder.layers.<l>.*` (see `TransformerBlock`); `pooler.{weight,bias}`;
/// `mlm.dense.{weight,bias}`, `mlm.ln.{weight,bias}`, `mlm.bias`; `nsp.{weight,bias}`. A classifier
/// with a BERT encoder has the same embedding and encoder keys, so it starts from a pretrained run's.
public struct BERT {
    public struct Config: Hashable, Sendable {
        public var vocabularySize: Int
        /// C, the hidden width.
        public var width: Int
        public var layers: Int
        public var heads: Int
        public var feedForwardSize: Int
        /// Rows of the position table: the longest input.
        public var maxPositions: Int
        public var segments: Int
        /// On the embeddings, each sub-layer's output and (as BERT's) the attention weights.
        public var dropout: Float
        public var attentionDropout: Float
        public var initialization: WeightInitialization

        public init(vocabularySize: Int, width: Int, layers: Int, heads: Int, feedForwardSize: Int, maxPositions: Int = 512,
                    segments: Int = 2, dropout: Float = 0.1, attentionDropout: Float = 0.1,
                    initialization: WeightInitialization = .bert) {
            (self.vocabularySize, self.width, self.layers, self.heads) = (vocabularySize, width, layers, heads)
            (self.feedForwardSize, self.maxPositions, self.segments) = (feedForwardSize, maxPositions, segments)
            (self.dropout, self.attentionDropout, self.initialization) = (dropout, attentionDropout, initialization)
        }
    }

    /// LayerNorm's ε in every BERT norm.
    public static let eps: Float = 1e-12

    public let config: Config
    private let tokens: Embedding
    private let positions: Embedding
    private let segments: Embedding
    private let embeddingNorm: LayerNorm
    private let blocks: [TransformerBlock]
    /// The pretraining heads; nil for an encoder alone (a classifier's).
    private let heads: (pooler: Linear, dense: Linear, norm: LayerNorm, bias: Tensor, nsp: Linear)?

    /// - Parameter pretraining: with the masked-LM and next-sentence heads.
    public init(_ graph: Graph, config: Config, pretraining: Bool = true) throws {
        self.config = config
        let width = config.width
        tokens = try Embedding(graph, key: "embeddings.tokens", count: config.vocabularySize, dimension: width)
        positions = try Embedding(graph, key: "embeddings.positions", count: config.maxPositions, dimension: width)
        segments = try Embedding(graph, key: "embeddings.segments", count: config.segments, dimension: width)
        embeddingNorm = try LayerNorm(graph, key: "embeddings.ln", dimension: width, eps: Self.eps)
        blocks = try (0..<config.layers).map { layer in
            try TransformerBlock(graph, key: "encoder.layers.\(layer)", width: width, heads: config.heads,
                                 feedForwardSize: config.feedForwardSize, activation: .gelu, norm: .post, dropout: config.dropout,
                                 eps: Self.eps, attentionDropout: config.attentionDropout)
        }
        if pretraining {
            heads = (try Linear(graph, key: "pooler", inputSize: width, outputSize: width),
                     try Linear(graph, key: "mlm.dense", inputSize: width, outputSize: width),
                     try LayerNorm(graph, key: "mlm.ln", dimension: width, eps: Self.eps),
                     try graph.parameter("mlm.bias", shape: [config.vocabularySize], initializer: .zeros, decay: false),
                     try Linear(graph, key: "nsp", inputSize: width, outputSize: 2))
        } else {
            heads = nil
        }
        config.initialization.apply(to: graph)
    }

    /// tokens and segments (B, T) ids, mask (B, T) of 1 (real) and 0 (padding) → hidden states (B, T, C).
    /// Without segments every position is in segment 0 (one text, as a classifier reads it).
    public func encode(_ tokens: Tensor, segments: Tensor? = nil, mask: Tensor) throws -> Tensor {
        try encodeLayers(tokens, segments: segments, mask: mask).last ?? tokens
    }

    /// The hidden states (B, T, C) after the embeddings (index 0) and after each block (1…L), as
    /// Hugging Face's `output_hidden_states`.
    public func encodeLayers(_ tokens: Tensor, segments: Tensor? = nil, mask: Tensor) throws -> [Tensor] {
        let length = tokens.shape[1]
        guard length <= config.maxPositions else {
            throw GraphError.invalidShape(op: "bert", node: tokens.graph.nodes.count, tokens.shape,
                                          reason: "is longer than the \(config.maxPositions) positions of model.max_positions")
        }
        let segment = try segments.map { try self.segments($0) } ?? self.segments.weight.sliced(axis: 0, 0..<1)
        let summed = try self.tokens(tokens) + positions.weight.sliced(axis: 0, 0..<length) + segment
        var layers = [try embeddingNorm(summed).dropout(config.dropout)]
        for block in blocks { layers.append(try block(layers[layers.count - 1], padding: mask)) }
        return layers
    }

    /// hidden (B, T, C) → the masked-LM logits (B, T, V).
    public func maskedLMLogits(_ hidden: Tensor) throws -> Tensor {
        let (b, t) = (hidden.shape[0], hidden.shape[1])
        return try maskedLMLogits(rows: hidden.reshaped(to: [b * t, config.width])).reshaped(to: [b, t, config.vocabularySize])
    }

    /// The masked-LM logits (K, V) at K positions of hidden (B, T, C), given as indices into its B·T
    /// rows (K): the head's work for the selected positions alone, as BERT's own pretraining code
    /// gathers them (`max_predictions_per_seq`).
    public func maskedLMLogits(_ hidden: Tensor, at positions: Tensor) throws -> Tensor {
        let rows = try hidden.reshaped(to: [hidden.shape[0] * hidden.shape[1], config.width]).gathered(at: positions)
        return try maskedLMLogits(rows: rows)
    }

    /// rows (N, C) → logits (N, V): dense, GELU, LayerNorm, the token table's transpose, the bias.
    private func maskedLMLogits(rows: Tensor) throws -> Tensor {
        guard let heads else { throw missingHeads(rows) }
        return try heads.norm(heads.dense(rows).gelu()).matmul(self.tokens.weight, transposeB: true) + heads.bias
    }

    /// hidden (B, T, C) → the next-sentence logits (B, 2), from the pooled first position.
    public func nextSentenceLogits(_ hidden: Tensor) throws -> Tensor {
        guard let heads else { throw missingHeads(hidden) }
        let first = try hidden.sliced(axis: 1, 0..<1).reshaped(to: [hidden.shape[0], config.width])      // (B, C)
        return try heads.nsp(heads.pooler(first).tanh())
    }

    private func missingHeads(_ tensor: Tensor) -> GraphError {
        GraphError.invalidArgument(op: "bert", node: tensor.graph.nodes.count, reason: "built without its pretraining heads")
    }
}
