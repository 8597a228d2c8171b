import Core
import Graph
import NN

/// makemore part 5's "WaveNet": a window model that fuses its context hierarchically instead of all
/// at once — embeddings of `block` (a power of two) tokens, then log2(block) stages of
/// FlattenConsecutive(2) → Linear (no bias) → BatchNorm → tanh, each halving the positions, then a
/// linear head over the vocabulary.
///
/// Keys: `embedding.weight` (V, E); `stages.<s>.weight` (H, 2·in); `stages.<s>.norm.*` (BatchNorm);
/// `head.weight` (V, H), `head.bias`.
public struct HierarchicalWaveNet {
    public struct Config: Hashable, Sendable {
        public var vocabularySize: Int
        /// Tokens of context, a power of two.
        public var block: Int
        public var embedding: Int
        public var hidden: Int
        public var batchNormMomentum: Float
        public var initialization: WeightInitialization

        public init(vocabularySize: Int, block: Int, embedding: Int, hidden: Int, batchNormMomentum: Float = 0.1,
                    initialization: WeightInitialization = .pytorch) {
            (self.vocabularySize, self.block, self.embedding, self.hidden) = (vocabularySize, block, embedding, hidden)
            (self.batchNormMomentum, self.initialization) = (batchNormMomentum, initialization)
        }

        /// log2(block): the stages that fuse pairs until one position is left; nil when `block` is
        /// not a power of two.
        public var stages: Int? {
            block > 0 && block & (block - 1) == 0 ? block.trailingZeroBitCount : nil
        }
    }

    public let config: Config
    private let embedding: Embedding
    private let stages: [(linear: Linear, norm: BatchNorm1d)]
    private let head: Linear

    /// makemore part 5's scales: every Linear weight N(0, 1)/√fan_in, the head's then × 0.1 and its
    /// bias 0; the BatchNorms normalise with the unbiased variance as its hand-written layer does.
    public init(_ graph: Graph, config: Config) throws {
        guard let count = config.stages, count >= 1 else {
            throw GraphError.invalidArgument(op: "hierarchical_wavenet", node: graph.nodes.count,
                                             reason: "block \(config.block) must be a power of two, at least 2")
        }
        self.config = config
        let makemore = config.initialization == .makemore
        let scaled = { (fanIn: Int, gain: Float) -> Initializer? in
            makemore ? .normal(mean: 0, std: gain / Float(fanIn).squareRoot()) : nil
        }
        embedding = try Embedding(graph, key: "embedding", count: config.vocabularySize, dimension: config.embedding)
        stages = try (0..<count).map { stage in
            let fanIn = 2 * (stage == 0 ? config.embedding : config.hidden)
            let linear = try Linear(graph, key: "stages.\(stage)", inputSize: fanIn, outputSize: config.hidden, bias: false,
                                    weightInitializer: scaled(fanIn, 1))
            let norm = try BatchNorm1d(graph, key: "stages.\(stage).norm", features: config.hidden,
                                       momentum: config.batchNormMomentum, unbiased: makemore)
            return (linear, norm)
        }
        head = try Linear(graph, key: "head", inputSize: config.hidden, outputSize: config.vocabularySize,
                          weightInitializer: scaled(config.hidden, 0.1), biasInitializer: makemore ? .zeros : nil)
        config.initialization.apply(to: graph)
    }

    /// tokens (B, block) → logits (B, 1, V) of the token after each context.
    public func callAsFunction(_ tokens: Tensor) throws -> Tensor {
        var x = try embedding(tokens)                                   // (B, block, E)
        let pairs = FlattenConsecutive(2)
        for (linear, norm) in stages {
            x = try norm(linear(pairs(x))).tanh()                        // (B, T / 2, H)
        }
        return try head(x)                                              // (B, 1, V)
    }
}
