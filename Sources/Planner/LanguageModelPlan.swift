import Autodiff
import Core
import Data
import Graph
import Models
import NN
import Spec

/// The graphs of a language model for one batch shape: a training graph (forward, loss, backward), an
/// evaluation graph (forward and loss, no dropout) and a decoding graph (one sequence), all over token
/// ids in the model's own layout: time-major (T, B) for recurrent models, whose state is fed in and
/// read out so that truncated BPTT can carry it; batch-major (B, T) for GPT, which has no state.
///
/// Window models (MLP, hierarchical WaveNet, n-gram) take (B, window) contexts with targets laid out
/// as a token stream gives them (each context shifted by one, the predicted token last) and score the
/// last column only: one prediction per row, logits (B, 1, V).
public struct LanguageModelPlan {
    /// The graph and its named endpoints for one mode.
    public struct Pass {
        public let graph: Graph
        /// (T, B, V) or (B, T, V) as `layout` says; the same memory order for the decode pass's B = 1.
        public let logits: Tensor
        public let loss: Tensor
        /// Input names of the carried state, one per tensor of every layer and direction.
        public let stateInputs: [String]
        /// The final state tensors, in `stateInputs` order.
        public let stateOutputs: [Tensor]
        /// (parameter, gradient) pairs; empty for evaluation.
        public let gradients: [(parameter: Tensor, gradient: Tensor)]
        /// Tokens per sequence the pass takes: 1 for a recurrent decode step, the block size for GPT's.
        public let length: Int
    }

    /// A GPT decoding graph over `length` new tokens of one sequence with a key/value cache of
    /// `slots` earlier positions. Inputs: `tokens` (1, T), `positions` (T), `mask` (T, S + T) and per
    /// layer `cache.<l>.keys` / `cache.<l>.values` (1, nh, S, hs); outputs the logits (1, T, V) and
    /// per layer the new tokens' keys and values (1, nh, T, hs).
    public struct CachedPass {
        public let graph: Graph
        public let logits: Tensor
        public let keys: [Tensor]
        public let values: [Tensor]
        public let length: Int
        public let slots: Int
        public let heads: Int
        public let headSize: Int

        /// Tokens a full cache keeps when it starts over: half of it.
        public static func refillLength(slots: Int) -> Int { max(1, slots / 2) }

        public static let positions = "positions"
        public static let mask = "mask"
        public static func keysInput(layer: Int) -> String { "cache.\(layer).keys" }
        public static func valuesInput(layer: Int) -> String { "cache.\(layer).values" }

        init(_ config: GPT.Config, length: Int) throws {
            let graph = Graph(training: false)
            let (slots, heads, headSize) = (config.blockSize, config.heads, config.width / config.heads)
            let tokens = graph.input(LanguageModelPlan.tokens, shape: [1, length], dtype: .int32)
            let positions = graph.input(Self.positions, shape: [length], dtype: .int32)
            let mask = graph.input(Self.mask, shape: [length, slots + length])
            let cache = { (name: String) in graph.input(name, shape: [1, heads, slots, headSize]) }
            let step = try GPT(graph, config: config)(
                tokens, positions: positions, pastKeys: (0..<config.layers).map { cache(Self.keysInput(layer: $0)) },
                pastValues: (0..<config.layers).map { cache(Self.valuesInput(layer: $0)) }, mask: mask)
            self.graph = graph
            (logits, keys, values) = step
            (self.length, self.slots, self.heads, self.headSize) = (length, slots, heads, headSize)
        }
    }

    /// The model a plan is for.
    public enum Model {
        case recurrent(RNNLanguageModel.Config)
        case gpt(GPT.Config)
        case mlp(MLPLanguageModel.Config)
        case hierarchicalWaveNet(HierarchicalWaveNet.Config)
        case ngram(NGramModel.Config)
        case wavenet(WaveNet.Config)
    }

    public static let tokens = "tokens"
    public static let targets = "targets"

    public let model: Model
    public let batchSize: Int
    public let length: Int
    /// How the passes' token inputs are ordered.
    public let layout: BatchLayout
    /// Tokens of context a window model reads (`length`); nil for the sequence models.
    public let window: Int?
    /// Tokens a batch predicts: one per row for a window model, B × T otherwise.
    public var predictionsPerBatch: Int { window == nil ? batchSize * length : batchSize }
    /// Floats per sequence in each state tensor (the hidden size); 0 for a stateless model.
    public let stateWidth: Int
    public let train: Pass
    public let eval: Pass
    /// One sequence: a recurrent model takes one token per run and carries its state; GPT takes the
    /// whole context (up to its block size) and the sampler reads the logits at its last token.
    public let decode: Pass
    /// GPT's KV-cached decoding: one new token a run, and a chunk of half the block size to refill
    /// the cache when it is full (positions are learned and absolute, so the cache cannot slide).
    /// Nil for recurrent models, whose decode pass carries a state instead.
    public let cachedDecode: (step: CachedPass, refill: CachedPass)?

    /// Plans `spec` for a vocabulary of `vocabularySize` tokens.
    public init(_ spec: ExperimentSpec, vocabularySize: Int) throws {
        if let metric = spec.eval.metrics.first(where: { ![.loss, .perplexity, .bpc].contains($0) }) {
            throw PlanError.unsupported("eval metric '\(metric.rawValue)' for a language model (it reports loss, perplexity "
                + "and bpc)")
        }
        try Self.checkSizes(spec, vocabularySize: vocabularySize)
        batchSize = spec.train.batchSize
        window = spec.model.window
        length = window ?? spec.train.seqLen
        let initialization = Self.initialization(spec.model)
        let (model, v) = (spec.model, vocabularySize)
        let momentum = Float(model.batchNormMomentum)
        layout = model.kind == .rnnLM ? .timeMajor : .batchMajor
        stateWidth = model.kind == .rnnLM ? model.hidden : 0
        switch spec.model.kind {
        case .rnnLM:
            guard let cell = RNNLanguageModel.Cell(rawValue: spec.model.cell.rawValue) else {
                throw PlanError.unsupported("cell '\(spec.model.cell.rawValue)'")
            }
            let config = RNNLanguageModel.Config(vocabularySize: vocabularySize, embedding: spec.model.embedding,
                                                 hidden: spec.model.hidden, layers: spec.model.layers, cell: cell,
                                                 bidirectional: spec.model.bidirectional, dropout: Float(spec.model.dropout),
                                                 initialization: initialization)
            self.model = .recurrent(config)
        case .gpt:
            guard spec.train.seqLen <= spec.model.blockSize else {
                throw PlanError.invalid("train.seq_len \(spec.train.seqLen) is longer than model.block_size "
                    + "\(spec.model.blockSize), the positions GPT learns; lower seq_len or raise block_size")
            }
            guard let activation = Activation(rawValue: spec.model.activation.rawValue),
                  let norm = TransformerBlock.NormPlacement(rawValue: spec.model.norm.rawValue) else {
                throw PlanError.unsupported("activation '\(spec.model.activation.rawValue)'")
            }
            self.model = .gpt(GPT.Config(vocabularySize: vocabularySize, blockSize: spec.model.blockSize,
                                    layers: spec.model.layers, heads: spec.model.heads, width: spec.model.width,
                                    dropout: Float(spec.model.dropout), bias: spec.model.bias, activation: activation,
                                    tieEmbeddings: spec.model.tieEmbeddings, norm: norm,
                                    initialization: initialization))
        case .mlpLM:
            self.model = .mlp(MLPLanguageModel.Config(
                vocabularySize: v, block: model.blockSize, embedding: model.embedding, hidden: model.hidden,
                layers: model.layers, batchNorm: model.batchNorm, batchNormMomentum: momentum, direct: model.direct,
                initialization: initialization))
        case .wavenetHier:
            self.model = .hierarchicalWaveNet(HierarchicalWaveNet.Config(
                vocabularySize: v, block: model.blockSize, embedding: model.embedding, hidden: model.hidden,
                batchNormMomentum: momentum, initialization: initialization))
        case .ngram:
            self.model = .ngram(NGramModel.Config(vocabularySize: v, order: model.order, smoothing: Float(model.smoothing)))
        case .wavenet:
            self.model = .wavenet(WaveNet.Config(
                vocabularySize: v, embedding: model.embedding, residualChannels: model.width, dilationChannels: model.hidden,
                skipChannels: model.skipChannels, kernelSize: model.kernelSize, layersPerStack: model.layers,
                stacks: model.stacks, initialization: initialization))
        default:
            throw PlanError.unsupported("model kind '\(spec.model.kind.rawValue)'")
        }
        train = try Self.pass(self.model, batchSize: batchSize, length: length, training: true)
        eval = try Self.pass(self.model, batchSize: batchSize, length: length, training: false)
        // GPT reads up to its block, WaveNet the training length (at least its receptive field is useful).
        let decodeLength = switch self.model {
        case .gpt(let config): config.blockSize
        case .recurrent: 1
        case .mlp, .hierarchicalWaveNet, .ngram, .wavenet: length
        }
        decode = try Self.pass(self.model, batchSize: 1, length: decodeLength, training: false)
        if case .gpt(let config) = self.model {
            cachedDecode = (try CachedPass(config, length: 1),
                            try CachedPass(config, length: CachedPass.refillLength(slots: config.blockSize)))
        } else {
            cachedDecode = nil
        }
    }

    /// The spec's `init` for the model's config; `default` is GPT-2's for GPT, PyTorch's otherwise.
    static func initialization(_ model: ModelSpec) -> WeightInitialization {
        switch model.initialization {
        case .standard: model.kind == .gpt ? .gpt2 : .pytorch
        case .gpt2: .gpt2
        case .pytorch: .pytorch
        case .makemore: .makemore
        case .normal: .normal(std: Float(model.initScale ?? 1))
        case .uniform: .uniform(bound: Float(model.initScale ?? 1))
        case .xavierUniform: .xavierUniform
        }
    }

    /// The most recurrent cell steps one graph unrolls (T × layers × directions); each is ~25 nodes.
    static let maxUnrolledSteps = 100_000
    /// The most floats one tensor of the plan may hold (256 GiB): past this no machine holds it, and
    /// products of such sizes could overflow `Int` before the engine gets to refuse their memory.
    static let maxTensorFloats = 1 << 36

    /// Refuses sizes that would trap (an `Int` overflow) or take minutes to unroll, before any graph is built.
    private static func checkSizes(_ spec: ExperimentSpec, vocabularySize: Int) throws {
        let (model, train) = (spec.model, spec.train)
        let directions = model.bidirectional ? 2 : 1
        let input = model.embedding > 0 ? model.embedding : vocabularySize
        func product(_ factors: Int...) -> Int {
            factors.reduce(1) { total, factor in
                let (value, overflow) = total.multipliedReportingOverflow(by: factor)
                return overflow ? .max : value
            }
        }
        let tensors: [(floats: Int, what: String)]
        if model.kind == .ngram {
            let contexts = (1..<max(1, model.order)).reduce(1) { total, _ in product(total, vocabularySize) }
            tensors = [(product(contexts, vocabularySize), "model.order")]
        } else if let window = model.window {
            let width = max(model.embedding, model.hidden)
            tensors = [
                (product(train.batchSize, window, width), "train.batch_size, model.block_size, model.embedding or model.hidden"),
                (product(train.batchSize, vocabularySize), "train.batch_size"),
                (product(window, model.embedding, model.hidden), "model.block_size, model.embedding or model.hidden"),
                (product(vocabularySize, model.hidden), "model.hidden"),
                (product(vocabularySize, model.embedding), "model.embedding"),
            ]
        } else if model.kind == .wavenet {
            let widest = [model.width, 2 * model.hidden, model.skipChannels, vocabularySize, input].max() ?? 1
            // The widest dilation pads (K − 1)·2^(layers − 1) steps in front of every sequence.
            let reach = model.layers > 40 ? Int.max : product(model.kernelSize - 1, 1 << (model.layers - 1))
            let (padded, overflow) = train.seqLen.addingReportingOverflow(reach)
            tensors = [
                (product(train.batchSize, overflow ? .max : padded, widest), "model.layers or model.kernel_size"),
                (product(train.batchSize, train.seqLen, widest, model.layers, model.stacks),
                 "train.batch_size, train.seq_len, model.layers, model.stacks or the channel widths"),
                (product(model.kernelSize, 2 * model.hidden, model.width), "model.kernel_size, model.hidden or model.width"),
                (product(vocabularySize, model.skipChannels), "model.skip_channels"),
            ]
        } else if model.kind == .gpt {
            tensors = [
                (product(train.batchSize, train.seqLen, vocabularySize), "train.batch_size or train.seq_len"),
                (product(train.batchSize, model.heads, train.seqLen, train.seqLen), "train.batch_size, train.seq_len or model.heads"),
                (product(train.batchSize, train.seqLen, 4, model.width), "train.batch_size, train.seq_len or model.width"),
                (product(model.blockSize, model.width), "model.block_size or model.width"),
                (product(vocabularySize, model.width), "model.width"),
                (product(4, model.width, model.width), "model.width"),
            ]
        } else {
            let steps = product(train.seqLen, model.layers, directions)
            guard steps <= maxUnrolledSteps else {
                throw PlanError.invalid("train.seq_len \(train.seqLen) × model.layers \(model.layers)"
                    + (directions == 2 ? " × 2 directions" : "") + " unrolls more than \(maxUnrolledSteps) recurrent steps; "
                    + "lower train.seq_len or model.layers")
            }
            tensors = [
                (product(train.batchSize, train.seqLen, vocabularySize), "train.batch_size or train.seq_len"),
                (product(train.batchSize, train.seqLen, input), "train.batch_size, train.seq_len or model.embedding"),
                (product(train.batchSize, train.seqLen, 4, model.hidden, directions), "train.batch_size, train.seq_len or model.hidden"),
                (product(4, model.hidden, input), "model.hidden or model.embedding"),
                (product(4, model.hidden, model.hidden, directions), "model.hidden"),
                (product(vocabularySize, model.hidden, directions), "model.hidden"),
            ]
        }
        if let tooLarge = tensors.first(where: { $0.floats > maxTensorFloats }) {
            throw PlanError.invalid("a tensor of the plan would hold more than 2^36 floats (256 GiB); lower \(tooLarge.what)")
        }
    }

    private static func pass(_ model: Model, batchSize: Int, length: Int, training: Bool) throws -> Pass {
        let graph = Graph(training: training)
        switch model {
        case .recurrent(let config):
            let tokens = graph.input(Self.tokens, shape: [length, batchSize], dtype: .int32)
            let targets = graph.input(Self.targets, shape: [length, batchSize], dtype: .int32)
            let model = try RNNLanguageModel(graph, config: config)
            let names = (0..<model.stateEntries).flatMap { entry in (0..<model.stateCount).map { "state.\(entry).\($0)" } }
            let states = names.map { graph.input($0, shape: [batchSize, config.hidden]) }
            let initial = stride(from: 0, to: states.count, by: model.stateCount).map { Array(states[$0..<($0 + model.stateCount)]) }
            let (logits, final) = try model(tokens, initialStates: initial)
            return try finished(graph, logits: logits, targets: targets, stateInputs: names, stateOutputs: final.flatMap { $0 },
                                length: length)
        case .gpt(let config):
            return try batchMajorPass(graph, batchSize: batchSize, length: length) { try GPT(graph, config: config)($0) }
        case .wavenet(let config):
            return try batchMajorPass(graph, batchSize: batchSize, length: length) { try WaveNet(graph, config: config)($0) }
        case .mlp(let config):
            return try batchMajorPass(graph, batchSize: batchSize, length: length, scoresLastOnly: true) {
                try MLPLanguageModel(graph, config: config)($0)
            }
        case .hierarchicalWaveNet(let config):
            return try batchMajorPass(graph, batchSize: batchSize, length: length, scoresLastOnly: true) {
                try HierarchicalWaveNet(graph, config: config)($0)
            }
        case .ngram(let config):
            return try batchMajorPass(graph, batchSize: batchSize, length: length, scoresLastOnly: true) {
                try NGramModel(graph, config: config)($0)
            }
        }
    }

    /// A stateless model's pass over tokens (B, T): logits (B, T, V) scored against targets (B, T); a
    /// window model's logits (B, 1, V) against the last column of the stream-shaped targets, the token
    /// after each context.
    private static func batchMajorPass(_ graph: Graph, batchSize: Int, length: Int, scoresLastOnly: Bool = false,
                                       model: (Tensor) throws -> Tensor) throws -> Pass {
        let tokens = graph.input(Self.tokens, shape: [batchSize, length], dtype: .int32)
        let targets = graph.input(Self.targets, shape: [batchSize, length], dtype: .int32)
        let scored = scoresLastOnly ? try targets.sliced(axis: 1, (length - 1)..<length) : targets    // (B, 1) or (B, T)
        return try finished(graph, logits: try model(tokens), targets: scored, stateInputs: [], stateOutputs: [], length: length)
    }

    /// The loss and, in a training graph, the gradients of every trainable parameter.
    private static func finished(_ graph: Graph, logits: Tensor, targets: Tensor, stateInputs: [String],
                                 stateOutputs: [Tensor], length: Int) throws -> Pass {
        let loss = try logits.crossEntropy(targets: targets)
        var gradients: [(Tensor, Tensor)] = []
        if graph.isTraining {
            let parameters = graph.parameters.filter(\.trainable).map { graph.tensor($0.node) }
            gradients = Array(zip(parameters, try graph.gradients(of: loss, withRespectTo: parameters)))
        }
        return Pass(graph: graph, logits: logits, loss: loss, stateInputs: stateInputs, stateOutputs: stateOutputs,
                    gradients: gradients, length: length)
    }
}
