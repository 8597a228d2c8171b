import Core
import Graph
import NN

/// WaveNet (van den Oord et al. 2016) as a language model over token ids: embedded or one-hot inputs
/// → a causal convolution into the residual stream → `stacks` × `layersPerStack` gated residual layers
/// with dilations 1, 2, 4, …, 2^(layersPerStack − 1) in each stack → relu(Σ skips) → 1×1 → relu → 1×1
/// to the vocabulary at every step.
///
/// Every convolution is causal, so the logits at step t see tokens t − receptiveField + 1 … t only,
/// and one forward pass over a sequence scores every step of it, as a Transformer's does.
///
/// The last layer's residual output feeds nothing (only its skip does); its `residual` weights are kept
/// so that every layer has the same keys, as PyTorch WaveNets have.
///
/// Keys: `embedding.weight` (V, E) when embedded; `input_conv` (`CausalConv1d`: `.weight` (R, E or V, K),
/// `.bias`); `layers.<i>.filter_gate`, `layers.<i>.residual`, `layers.<i>.skip` (see `GatedResidualLayer`)
/// for i = 0 ..< stacks·layersPerStack, layer i dilated by 2^(i mod layersPerStack); `output.0` (S, S)
/// and `output.1` (V, S), each a `Linear` with `.weight` and `.bias`.
public struct WaveNet {
    public struct Config: Hashable, Sendable {
        public var vocabularySize: Int
        /// E, the embedding width; 0 feeds one-hot vectors, as the paper's quantised audio samples are fed.
        public var embedding: Int
        /// R, the width of the residual stream.
        public var residualChannels: Int
        /// D, the width of each layer's gated activation.
        public var dilationChannels: Int
        /// S, the width of the skip connections and of the output MLP.
        public var skipChannels: Int
        /// K, the taps of every convolution (the paper's 2).
        public var kernelSize: Int
        /// Layers per dilation cycle: layer l of a stack is dilated by 2^l (the paper's 10, up to 512).
        public var layersPerStack: Int
        /// How many times the dilation cycle repeats.
        public var stacks: Int
        /// PyTorch's layer defaults unless a generic recipe.
        public var initialization: WeightInitialization

        public init(vocabularySize: Int, embedding: Int, residualChannels: Int, dilationChannels: Int,
                    skipChannels: Int, kernelSize: Int = 2, layersPerStack: Int, stacks: Int = 1,
                    initialization: WeightInitialization = .pytorch) {
            self.vocabularySize = vocabularySize
            self.embedding = embedding
            self.residualChannels = residualChannels
            self.dilationChannels = dilationChannels
            self.skipChannels = skipChannels
            self.kernelSize = kernelSize
            self.layersPerStack = layersPerStack
            self.stacks = stacks
            self.initialization = initialization
        }

        /// Dilation of layer i: 1, 2, 4, …, 2^(layersPerStack − 1), once per stack.
        public func dilation(ofLayer index: Int) -> Int { 1 << (index % layersPerStack) }

        /// Steps that the logits at one step see, the step itself included:
        /// 1 + (K − 1)·(1 + stacks·(2^layersPerStack − 1)), the 1 inside for the input convolution.
        public var receptiveField: Int {
            1 + (kernelSize - 1) * (1 + stacks * ((1 << layersPerStack) - 1))
        }
    }

    public let config: Config
    private let embedding: Embedding?
    private let inputConv: CausalConv1d
    private let layers: [GatedResidualLayer]
    /// output.0, S → S.
    private let hidden: Linear
    /// output.1, S → V.
    private let head: Linear

    public init(_ graph: Graph, config: Config) throws {
        guard config.layersPerStack >= 1, config.stacks >= 1, config.embedding >= 0 else {
            throw GraphError.invalidArgument(op: "wavenet", node: graph.nodes.count, reason: """
                needs at least one layer per stack and one stack, and an embedding width ≥ 0 \
                (got \(config.layersPerStack), \(config.stacks), \(config.embedding))
                """)
        }
        self.config = config
        let (r, s) = (config.residualChannels, config.skipChannels)
        embedding = config.embedding == 0 ? nil
            : try Embedding(graph, key: "embedding", count: config.vocabularySize, dimension: config.embedding)
        inputConv = try CausalConv1d(graph, key: "input_conv",
                                     inChannels: config.embedding == 0 ? config.vocabularySize : config.embedding,
                                     outChannels: r, kernelSize: config.kernelSize)
        layers = try (0..<(config.stacks * config.layersPerStack)).map { i in
            try GatedResidualLayer(graph, key: "layers.\(i)", residualChannels: r,
                                   dilationChannels: config.dilationChannels, skipChannels: s,
                                   kernelSize: config.kernelSize, dilation: config.dilation(ofLayer: i))
        }
        hidden = try Linear(graph, key: "output.0", inputSize: s, outputSize: s)
        head = try Linear(graph, key: "output.1", inputSize: s, outputSize: config.vocabularySize)
        config.initialization.apply(to: graph)
    }

    /// See `Config.receptiveField`.
    public var receptiveField: Int { config.receptiveField }

    /// tokens (B, T) of ids → logits (B, T, V). Step t sees tokens max(0, t − receptiveField + 1) … t.
    public func callAsFunction(_ tokens: Tensor) throws -> Tensor {
        guard tokens.rank == 2 else {
            throw GraphError.invalidShape(op: "wavenet", node: tokens.graph.nodes.count, tokens.shape,
                                          reason: "must be (B, T)")
        }
        let inputs = try embedding.map { try $0(tokens) }
            ?? identity(tokens.graph, size: config.vocabularySize).gathered(at: tokens)   // (B, T, E or V)
        var x = try inputConv(inputs)                                                   // (B, T, R)
        var skips: [Tensor] = []
        for layer in layers {
            let (output, skip) = try layer(x)                                           // (B, T, R), (B, T, S)
            x = output
            skips.append(skip)
        }
        let skipSum = try skips.dropFirst().reduce(skips[0]) { try $0 + $1 }           // (B, T, S)
        let h = try hidden(skipSum.relu()).relu()                                       // (B, T, S)
        return try head(h)                                                              // (B, T, V)
    }
}
