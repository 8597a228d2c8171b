import Core
import Graph
import NN

/// Bengio et al. 2003's neural probabilistic language model, as makemore parts 2–3 train it on names:
/// the `block` previous tokens → a shared embedding table → their concatenation → tanh hidden
/// layer(s) (optionally batch-normalised before the tanh) → logits over the vocabulary, plus the
/// paper's optional direct connections from the concatenated embeddings to the output.
///
/// Keys: `embedding.weight` (V, E); `hidden.<l>.weight` (H, in) and `.bias` (absent with BatchNorm,
/// whose β takes its place); `hidden.<l>.norm.{weight,bias,running_mean,running_var}`; `head.weight`
/// (V, H), `head.bias`; `direct.weight` (V, block·E).
public struct MLPLanguageModel {
    public struct Config: Hashable, Sendable {
        public var vocabularySize: Int
        /// Tokens of context.
        public var block: Int
        public var embedding: Int
        public var hidden: Int
        /// Hidden tanh layers.
        public var layers: Int
        public var batchNorm: Bool
        /// The running statistics' momentum (makemore part 3: 0.001).
        public var batchNormMomentum: Float
        /// Bengio's direct embedding → output connections.
        public var direct: Bool
        public var initialization: WeightInitialization

        public init(vocabularySize: Int, block: Int, embedding: Int, hidden: Int, layers: Int = 1, batchNorm: Bool = false,
                    batchNormMomentum: Float = 0.1, direct: Bool = false, initialization: WeightInitialization = .pytorch) {
            (self.vocabularySize, self.block, self.embedding, self.hidden) = (vocabularySize, block, embedding, hidden)
            (self.layers, self.batchNorm, self.batchNormMomentum) = (layers, batchNorm, batchNormMomentum)
            (self.direct, self.initialization) = (direct, initialization)
        }
    }

    public let config: Config
    private let embedding: Embedding
    private let hidden: [(linear: Linear, norm: BatchNorm1d?)]
    private let head: Linear
    private let direct: Linear?

    /// makemore part 3's scales: hidden weights N(0, 1)·gain/√fan_in with tanh's gain 5/3, hidden
    /// biases N(0, 1)·0.01, output weights N(0, 1)·0.01 and bias 0, so that the first loss is near
    /// log V and the tanh units start unsaturated.
    public init(_ graph: Graph, config: Config) throws {
        self.config = config
        let makemore = config.initialization == .makemore
        let concatenated = config.block * config.embedding
        embedding = try Embedding(graph, key: "embedding", count: config.vocabularySize, dimension: config.embedding)
        hidden = try (0..<config.layers).map { layer in
            let fanIn = layer == 0 ? concatenated : config.hidden
            let linear = try Linear(graph, key: "hidden.\(layer)", inputSize: fanIn, outputSize: config.hidden,
                                    bias: !config.batchNorm,
                                    weightInitializer: makemore ? .normal(mean: 0, std: 5 / 3 / Float(fanIn).squareRoot()) : nil,
                                    biasInitializer: makemore ? .normal(mean: 0, std: 0.01) : nil)
            let norm = config.batchNorm
                ? try BatchNorm1d(graph, key: "hidden.\(layer).norm", features: config.hidden,
                                  momentum: config.batchNormMomentum, unbiased: makemore)
                : nil
            return (linear, norm)
        }
        let small = Initializer.normal(mean: 0, std: 0.01)
        head = try Linear(graph, key: "head", inputSize: config.hidden, outputSize: config.vocabularySize,
                          weightInitializer: makemore ? small : nil, biasInitializer: makemore ? .zeros : nil)
        direct = config.direct
            ? try Linear(graph, key: "direct", inputSize: concatenated, outputSize: config.vocabularySize, bias: false,
                         weightInitializer: makemore ? small : nil)
            : nil
        config.initialization.apply(to: graph)
    }

    /// tokens (B, block) → logits (B, 1, V) of the token after each context.
    public func callAsFunction(_ tokens: Tensor) throws -> Tensor {
        let batch = tokens.shape[0]
        let concatenated = try embedding(tokens).reshaped(to: [batch, config.block * config.embedding])   // (B, block·E)
        var h = concatenated
        for (linear, norm) in hidden {
            h = try linear(h)                                                                  // (B, H)
            if let norm { h = try norm(h) }
            h = h.tanh()
        }
        var logits = try head(h)                                                               // (B, V)
        if let direct { logits = try logits + direct(concatenated) }
        return try logits.reshaped(to: [batch, 1, config.vocabularySize])
    }
}
