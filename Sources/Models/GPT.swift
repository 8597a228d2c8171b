import Core
import Graph
import NN

/// The decoder-only Transformer of GPT-2, as nanoGPT writes it: token and learned position embeddings,
/// a stack of causal Transformer blocks (pre-LN by default, with a final LayerNorm), and an output
/// head that shares the token embedding's weights.
///
/// Initialisation is GPT-2's: every linear and embedding weight N(0, 0.02), biases zero, and the
/// projections that write into the residual stream (`attn.out`, `mlp.proj`) N(0, 0.02/√(2·layers)),
/// so that the residual's variance does not grow with depth.
///
/// Keys: `wte.weight` (V, C), `wpe.weight` (block, C), `blocks.<l>.*` (see `TransformerBlock`),
/// `ln_f` (pre-LN only), `lm_head.weight` (V, C) when not tied.
public struct GPT {
    public struct Config: Hashable, Sendable {
        public var vocabularySize: Int
        /// The longest context: the number of learned positions.
        public var blockSize: Int
        public var layers: Int
        public var heads: Int
        /// C, the model width.
        public var width: Int
        public var dropout: Float
        /// Biases in every Linear and LayerNorm (nanoGPT's `bias`).
        public var bias: Bool
        public var activation: Activation
        public var tieEmbeddings: Bool
        public var norm: TransformerBlock.NormPlacement
        /// GPT-2's initialisation (below) by default; `pytorch` keeps the layers' defaults, as makemore does.
        public var initialization: WeightInitialization

        public init(vocabularySize: Int, blockSize: Int, layers: Int, heads: Int, width: Int, dropout: Float = 0,
                    bias: Bool = true, activation: Activation = .gelu, tieEmbeddings: Bool = true,
                    norm: TransformerBlock.NormPlacement = .pre, initialization: WeightInitialization = .gpt2) {
            self.vocabularySize = vocabularySize
            self.blockSize = blockSize
            self.layers = layers
            self.heads = heads
            self.width = width
            self.dropout = dropout
            self.bias = bias
            self.activation = activation
            self.tieEmbeddings = tieEmbeddings
            self.norm = norm
            self.initialization = initialization
        }
    }

    public let config: Config
    private let tokenEmbedding: Embedding
    private let positionEmbedding: Embedding
    private let blocks: [TransformerBlock]
    private let finalNorm: LayerNorm?
    private let head: Linear?

    public init(_ graph: Graph, config: Config) throws {
        self.config = config
        let (width, std) = (config.width, Float(0.02))
        let normal = Initializer.normal(mean: 0, std: std)
        let embedding = config.initialization == .gpt2 ? normal : .normal(mean: 0, std: 1)
        tokenEmbedding = try Embedding(graph, key: "wte", count: config.vocabularySize, dimension: width, initializer: embedding)
        positionEmbedding = try Embedding(graph, key: "wpe", count: config.blockSize, dimension: width, initializer: embedding)
        blocks = try (0..<config.layers).map { layer in
            try TransformerBlock(graph, key: "blocks.\(layer)", width: width, heads: config.heads,
                                 feedForwardSize: 4 * width, activation: config.activation, norm: config.norm,
                                 dropout: config.dropout, bias: config.bias, causal: true)
        }
        finalNorm = config.norm == .pre ? try LayerNorm(graph, key: "ln_f", dimension: width, bias: config.bias) : nil
        head = config.tieEmbeddings ? nil
            : try Linear(graph, key: "lm_head", inputSize: width, outputSize: config.vocabularySize, bias: false)
        guard config.initialization == .gpt2 else {
            config.initialization.apply(to: graph)
            return
        }

        let blockKeys = { (info: ParameterInfo) in info.key.hasPrefix("blocks.") || info.key.hasPrefix("lm_head.") }
        graph.reinitialize(where: { blockKeys($0) && $0.key.hasSuffix(".weight") && $0.shape.rank == 2 }, with: normal)
        graph.reinitialize(where: { blockKeys($0) && $0.key.hasSuffix(".bias") && !$0.key.contains(".ln") }, with: .zeros)
        let residualStd = std / (2 * Float(config.layers)).squareRoot()
        graph.reinitialize(where: { $0.key.hasSuffix(".attn.out.weight") || $0.key.hasSuffix(".mlp.proj.weight") },
                           with: .normal(mean: 0, std: residualStd))
    }

    /// tokens (B, T) of ids, T ≤ block size → logits (B, T, V). Position t sees tokens 0…t only.
    public func callAsFunction(_ tokens: Tensor) throws -> Tensor {
        let graph = tokens.graph
        guard tokens.rank == 2, tokens.shape[1] <= config.blockSize else {
            throw GraphError.invalidShape(op: "gpt", node: graph.nodes.count, tokens.shape,
                                          reason: "must be (B, T) with T ≤ block size \(config.blockSize)")
        }
        let length = tokens.shape[1]
        let positions = try positionEmbedding.weight.sliced(axis: 0, 0..<length)      // (T, C)
        var x = try (tokenEmbedding(tokens) + positions).dropout(config.dropout)         // (B, T, C)
        let mask = try graph.causalMask(length: length)
        for block in blocks { x = try block(x, mask: mask) }
        return try logits(x)
    }

    /// KV-cached decoding: the T newest tokens, attending to the cached keys and values of earlier
    /// positions, so that each generated token costs one position's work instead of the whole context's.
    /// - Parameters:
    ///   - tokens: (B, T) ids
    ///   - positions: (T) the tokens' position ids, below the block size
    ///   - pastKeys: per layer (B, nh, S, hs), the cache; `pastValues` likewise
    ///   - mask: additive (T, S + T), which cache slots and new tokens each new token sees
    /// - Returns: logits (B, T, V) and per layer the new tokens' keys and values (B, nh, T, hs).
    public func callAsFunction(_ tokens: Tensor, positions: Tensor, pastKeys: [Tensor], pastValues: [Tensor],
                               mask: Tensor) throws -> (logits: Tensor, keys: [Tensor], values: [Tensor]) {
        guard pastKeys.count == blocks.count, pastValues.count == blocks.count else {
            throw GraphError.invalidArgument(op: "gpt", node: tokens.graph.nodes.count,
                                             reason: "a cache needs keys and values for each of \(blocks.count) layers")
        }
        var x = try tokenEmbedding(tokens) + positionEmbedding(positions)               // (B, T, C)
        var keys: [Tensor] = [], values: [Tensor] = []
        for (layer, block) in blocks.enumerated() {
            let step = try block(x, pastKeys: pastKeys[layer], pastValues: pastValues[layer], mask: mask)
            x = step.output
            keys.append(step.keys)
            values.append(step.values)
        }
        return (try logits(x), keys, values)
    }

    /// x (B, T, C) → logits (B, T, V): the final norm, then the head (the token embedding when tied).
    private func logits(_ x: Tensor) throws -> Tensor {
        let normed = try finalNorm.map { try $0(x) } ?? x
        if let head { return try head(normed) }
        let rows = try normed.reshaped(to: [-1, config.width])                           // (B·T, C)
        let logits = try rows.matmul(tokenEmbedding.weight, transposeB: true)            // (B·T, V)
        return try logits.reshaped(to: [x.shape[0], x.shape[1], config.vocabularySize])
    }
}
