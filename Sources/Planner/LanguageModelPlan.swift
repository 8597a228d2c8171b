import Autodiff
import Core
import Graph
import Models
import Spec

/// The graphs of a recurrent language model for one batch shape: a training graph (forward, loss,
/// backward) and an evaluation graph (forward and loss, no dropout), both over time-major (T, B)
/// token ids, with the recurrent state fed in and read out so that truncated BPTT can carry it.
public struct LanguageModelPlan {
    /// The graph and its named endpoints for one mode.
    public struct Pass {
        public let graph: Graph
        /// (T, B, V)
        public let logits: Tensor
        public let loss: Tensor
        /// Input names of the carried state, one per tensor of every layer and direction.
        public let stateInputs: [String]
        /// The final state tensors, in `stateInputs` order.
        public let stateOutputs: [Tensor]
        /// (parameter, gradient) pairs; empty for evaluation.
        public let gradients: [(parameter: Tensor, gradient: Tensor)]
    }

    public static let tokens = "tokens"
    public static let targets = "targets"

    public let config: RNNLanguageModel.Config
    public let batchSize: Int
    public let length: Int
    public let train: Pass
    public let eval: Pass
    /// One token of one sequence per run, for sampling; its loss reads a dummy target.
    public let decode: Pass

    /// Plans `spec` for a vocabulary of `vocabularySize` tokens.
    public init(_ spec: ExperimentSpec, vocabularySize: Int) throws {
        guard spec.model.kind == .rnnLM else { throw PlanError.unsupported("model kind '\(spec.model.kind.rawValue)'") }
        if let metric = spec.eval.metrics.first(where: { $0 != .loss && $0 != .perplexity }) {
            throw PlanError.unsupported("eval metric '\(metric.rawValue)' for a language model (it reports loss and perplexity)")
        }
        guard let cell = RNNLanguageModel.Cell(rawValue: spec.model.cell.rawValue) else {
            throw PlanError.unsupported("cell '\(spec.model.cell.rawValue)'")
        }
        try Self.checkSizes(spec, vocabularySize: vocabularySize)
        config = RNNLanguageModel.Config(vocabularySize: vocabularySize, embedding: spec.model.embedding,
                                         hidden: spec.model.hidden, layers: spec.model.layers, cell: cell,
                                         bidirectional: spec.model.bidirectional, dropout: Float(spec.model.dropout))
        batchSize = spec.train.batchSize
        length = spec.train.seqLen
        train = try Self.pass(config, batchSize: batchSize, length: length, training: true)
        eval = try Self.pass(config, batchSize: batchSize, length: length, training: false)
        decode = try Self.pass(config, batchSize: 1, length: 1, training: false)
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
        let steps = product(train.seqLen, model.layers, directions)
        guard steps <= maxUnrolledSteps else {
            throw PlanError.invalid("train.seq_len \(train.seqLen) × model.layers \(model.layers)"
                + (directions == 2 ? " × 2 directions" : "") + " unrolls more than \(maxUnrolledSteps) recurrent steps; "
                + "lower train.seq_len or model.layers")
        }
        let tensors: [(floats: Int, what: String)] = [
            (product(train.batchSize, train.seqLen, vocabularySize), "train.batch_size or train.seq_len"),
            (product(train.batchSize, train.seqLen, input), "train.batch_size, train.seq_len or model.embedding"),
            (product(train.batchSize, train.seqLen, 4, model.hidden, directions), "train.batch_size, train.seq_len or model.hidden"),
            (product(4, model.hidden, input), "model.hidden or model.embedding"),
            (product(4, model.hidden, model.hidden, directions), "model.hidden"),
            (product(vocabularySize, model.hidden, directions), "model.hidden"),
        ]
        if let tooLarge = tensors.first(where: { $0.floats > maxTensorFloats }) {
            throw PlanError.invalid("a tensor of the plan would hold more than 2^36 floats (256 GiB); lower \(tooLarge.what)")
        }
    }

    private static func pass(_ config: RNNLanguageModel.Config, batchSize: Int, length: Int, training: Bool) throws -> Pass {
        let graph = Graph(training: training)
        let tokens = graph.input(Self.tokens, shape: [length, batchSize], dtype: .int32)
        let targets = graph.input(Self.targets, shape: [length, batchSize], dtype: .int32)
        let model = try RNNLanguageModel(graph, config: config)
        let names = (0..<model.stateEntries).flatMap { entry in (0..<model.stateCount).map { "state.\(entry).\($0)" } }
        let states = names.map { graph.input($0, shape: [batchSize, config.hidden]) }
        let initial = stride(from: 0, to: states.count, by: model.stateCount).map { Array(states[$0..<($0 + model.stateCount)]) }
        let (logits, final) = try model(tokens, initialStates: initial)
        let loss = try logits.crossEntropy(targets: targets)
        var gradients: [(Tensor, Tensor)] = []
        if training {
            let parameters = graph.parameters.filter(\.trainable).map { graph.tensor($0.node) }
            gradients = Array(zip(parameters, try graph.gradients(of: loss, withRespectTo: parameters)))
        }
        return Pass(graph: graph, logits: logits, loss: loss, stateInputs: names, stateOutputs: final.flatMap { $0 }, gradients: gradients)
    }
}
