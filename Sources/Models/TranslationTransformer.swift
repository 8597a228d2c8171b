import Core
import Graph
import NN

/// The encoder–decoder Transformer of "Attention Is All You Need" (Vaswani et al. 2017), with the
/// choices of bentrevett/pytorch-seq2seq tutorial 6 and PyTorch's `nn.Transformer` as options:
///
/// - each side embeds its tokens scaled by √C plus a position's vector (the paper's fixed sinusoids,
///   or learned rows up to `maxPositions`), then dropout;
/// - the encoder's blocks attend over the source with its padding masked; the decoder's blocks attend
///   causally over the target, then over the encoder output (cross-attention, source padding masked);
/// - with pre-LN blocks each stack ends in a LayerNorm (`ln_f`), as `nn.Transformer` with `norm_first`;
///   post-LN stacks end with their last block's norm, as the paper and the tutorial;
/// - the output layer is its own `Linear` (the tutorial's `fc_out`), or with shared embeddings the
///   transpose of the decoder's embedding (no bias, as fairseq); `all` shares one table between the
///   two sides too, so both sides must use one vocabulary.
///
/// A target's padding trails its tokens, so the causal mask alone keeps every real position from
/// seeing it: the padded positions' outputs differ from a padding-masked decoder's, but the loss
/// ignores them and nothing else reads them.
///
/// Keys: `encoder.embedding.weight`, `decoder.embedding.weight` (one `embedding.weight` with `all`),
/// `encoder.positions.weight` and `decoder.positions.weight` (learned), or the buffer `positions`
/// (sinusoidal, shared); `encoder.layers.<l>.*`, `decoder.layers.<l>.*` (see `TransformerBlock`),
/// `encoder.ln_f`, `decoder.ln_f` (pre-LN), `head.{weight,bias}` (unshared).
public struct TranslationTransformer {
    public enum Positions: String, Sendable, CaseIterable { case sinusoidal, learned }
    public enum SharedEmbeddings: String, Sendable, CaseIterable {
        case none
        case decoderOutput = "decoder_output"
        case all
    }

    public struct Config: Hashable, Sendable {
        public var sourceVocabularySize: Int
        public var targetVocabularySize: Int
        /// C, the model width (d_model).
        public var width: Int
        public var heads: Int
        /// The hidden width of each block's MLP.
        public var feedForwardSize: Int
        public var encoderLayers: Int
        public var decoderLayers: Int
        public var activation: Activation
        public var norm: TransformerBlock.NormPlacement
        /// On the embeddings, each sub-layer's output and the MLPs' hidden activations.
        public var dropout: Float
        /// On the attention weights.
        public var attentionDropout: Float
        public var positions: Positions
        /// Rows of the position table: the longest source or target a model reads.
        public var maxPositions: Int
        public var sharedEmbeddings: SharedEmbeddings
        public var initialization: WeightInitialization

        public init(sourceVocabularySize: Int, targetVocabularySize: Int, width: Int, heads: Int, feedForwardSize: Int,
                    encoderLayers: Int, decoderLayers: Int, activation: Activation = .relu, norm: TransformerBlock.NormPlacement = .post,
                    dropout: Float = 0, attentionDropout: Float = 0, positions: Positions = .sinusoidal, maxPositions: Int = 256,
                    sharedEmbeddings: SharedEmbeddings = .none, initialization: WeightInitialization = .xavierUniform) {
            (self.sourceVocabularySize, self.targetVocabularySize) = (sourceVocabularySize, targetVocabularySize)
            (self.width, self.heads, self.feedForwardSize) = (width, heads, feedForwardSize)
            (self.encoderLayers, self.decoderLayers, self.activation, self.norm) = (encoderLayers, decoderLayers, activation, norm)
            (self.dropout, self.attentionDropout, self.positions, self.maxPositions) = (dropout, attentionDropout, positions, maxPositions)
            (self.sharedEmbeddings, self.initialization) = (sharedEmbeddings, initialization)
        }
    }

    /// One decoder layer's self-attention cache or projected memory: keys and values, (B, nh, L, hs) each.
    public typealias KeysAndValues = (keys: Tensor, values: Tensor)

    public let config: Config
    private let sourceEmbedding: Embedding
    private let targetEmbedding: Embedding
    /// (P, C) for each side: learned tables, or one buffer of sinusoids.
    private let sourcePositions: Tensor
    private let targetPositions: Tensor
    private let encoder: [TransformerBlock]
    private let decoder: [TransformerBlock]
    private let encoderNorm: LayerNorm?
    private let decoderNorm: LayerNorm?
    private let head: Linear?

    public init(_ graph: Graph, config: Config) throws {
        guard config.sharedEmbeddings != .all || config.sourceVocabularySize == config.targetVocabularySize else {
            throw GraphError.invalidArgument(op: "translation_transformer", node: graph.nodes.count, reason: "shared embeddings "
                + "need one vocabulary, not \(config.sourceVocabularySize) source and \(config.targetVocabularySize) target tokens")
        }
        self.config = config
        let (width, rows) = (config.width, config.maxPositions)
        let table = { (key: String, count: Int) in try Embedding(graph, key: key, count: count, dimension: width) }
        if config.sharedEmbeddings == .all {
            sourceEmbedding = try table("embedding", config.sourceVocabularySize)
            targetEmbedding = sourceEmbedding
        } else {
            sourceEmbedding = try table("encoder.embedding", config.sourceVocabularySize)
            targetEmbedding = try table("decoder.embedding", config.targetVocabularySize)
        }
        switch config.positions {
        case .learned:
            sourcePositions = try table("encoder.positions", rows).weight
            targetPositions = try table("decoder.positions", rows).weight
        case .sinusoidal:
            sourcePositions = try graph.buffer("positions", shape: [rows, width], initializer: .sinusoidal)
            targetPositions = sourcePositions
        }
        let blocks = { (side: String, count: Int, decoder: Bool) in
            try (0..<count).map { layer in
                try TransformerBlock(graph, key: "\(side).layers.\(layer)", width: width, heads: config.heads,
                                     feedForwardSize: config.feedForwardSize, activation: config.activation, norm: config.norm,
                                     dropout: config.dropout, causal: decoder, crossAttention: decoder,
                                     attentionDropout: config.attentionDropout, feedForwardDropout: config.dropout)
            }
        }
        encoder = try blocks("encoder", config.encoderLayers, false)
        decoder = try blocks("decoder", config.decoderLayers, true)
        let finalNorm = { (side: String) in
            config.norm == .pre ? try LayerNorm(graph, key: "\(side).ln_f", dimension: width) : nil
        }
        encoderNorm = try finalNorm("encoder")
        decoderNorm = try finalNorm("decoder")
        head = config.sharedEmbeddings == .none
            ? try Linear(graph, key: "head", inputSize: width, outputSize: config.targetVocabularySize) : nil
        config.initialization.apply(to: graph)
    }

    /// ids (B, T) → (B, T, C): the tokens' vectors × √C plus positions 0..<T, then dropout.
    private func embedded(_ ids: Tensor, _ embedding: Embedding, positions: Tensor) throws -> Tensor {
        let length = ids.shape[1]
        guard length <= config.maxPositions else {
            throw GraphError.invalidShape(op: "translation_transformer", node: ids.graph.nodes.count, ids.shape,
                                          reason: "is longer than the \(config.maxPositions) positions of model.max_positions")
        }
        let scale = Float(config.width).squareRoot()
        return try (embedding(ids) * scale + positions.sliced(axis: 0, 0..<length)).dropout(config.dropout)
    }

    /// source (B, S) ids, mask (B, S) of 1 (real) and 0 (padding) → the encoder output (B, S, C).
    public func encode(_ source: Tensor, mask: Tensor) throws -> Tensor {
        var x = try embedded(source, sourceEmbedding, positions: sourcePositions)
        for block in encoder { x = try block(x, padding: mask) }
        return try encoderNorm.map { try $0(x) } ?? x
    }

    /// Teacher forcing: source (B, S), mask (B, S), decoder inputs (B, T) (`<bos>` then the target) →
    /// logits (B, T, V); position t reads the inputs up to t and the whole source.
    public func callAsFunction(_ source: Tensor, mask: Tensor, decoderInputs: Tensor) throws -> Tensor {
        let memory = try encode(source, mask: mask)
        var y = try embedded(decoderInputs, targetEmbedding, positions: targetPositions)
        let causal = try source.graph.causalMask(length: decoderInputs.shape[1])
        for block in decoder { y = try block(y, memory: memory, mask: causal, memoryPadding: mask) }
        return try logits(y)
    }

    /// Each decoder layer's cross-attention keys and values of an encoder output (B, S, C).
    public func projectedMemory(_ memory: Tensor) throws -> [KeysAndValues] {
        try decoder.map { try $0.projectedMemory(memory) }
    }

    /// One step of incremental decoding over R rows, all at the same position.
    /// - Parameters:
    ///   - tokens: (R) ids, the previous tokens
    ///   - position: (1) the step's position id; `slot`: (L, 1) one-hot at it; `mask`: additive (1, L),
    ///     0 up to it and −∞ after
    ///   - cache: per decoder layer, the keys and values of the earlier steps, (R, nh, L, hs) each
    ///   - memory: per decoder layer, `projectedMemory` of each row's encoder output, (R, nh, S, hs)
    ///   - memoryBias: additive (R, 1, 1, S) over the source padding
    /// - Returns: logits (R, V), the cache with this step written, and per layer the cross-attention
    ///   weights (R, nh, S).
    public func step(_ tokens: Tensor, position: Tensor, slot: Tensor, mask: Tensor, cache: [KeysAndValues],
                     memory: [KeysAndValues], memoryBias: Tensor) throws
        -> (logits: Tensor, cache: [KeysAndValues], weights: [Tensor]) {
        let rows = tokens.shape[0]
        let scale = Float(config.width).squareRoot()
        var y = try (targetEmbedding(tokens) * scale + targetPositions.gathered(at: position))
            .reshaped(to: [rows, 1, config.width])                                                   // (R, 1, C)
        var written: [KeysAndValues] = [], weights: [Tensor] = []
        for (layer, block) in decoder.enumerated() {
            let output = try block.step(y, cache: cache[layer], slot: slot, mask: mask, memory: memory[layer],
                                        memoryBias: memoryBias)
            y = output.output
            written.append(output.cache)
            weights.append(try output.weights.reshaped(to: [rows, config.heads, -1]))
        }
        return (try logits(y).reshaped(to: [rows, config.targetVocabularySize]), written, weights)
    }

    /// y (B, T, C) → logits (B, T, V): the final norm, then the head (the embedding's transpose when shared).
    private func logits(_ y: Tensor) throws -> Tensor {
        let normed = try decoderNorm.map { try $0(y) } ?? y
        if let head { return try head(normed) }
        let rows = try normed.reshaped(to: [-1, config.width])                                       // (B·T, C)
        return try rows.matmul(targetEmbedding.weight, transposeB: true)
            .reshaped(to: [y.shape[0], y.shape[1], config.targetVocabularySize])
    }
}
