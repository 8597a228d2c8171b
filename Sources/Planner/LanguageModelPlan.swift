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
        config = RNNLanguageModel.Config(vocabularySize: vocabularySize, embedding: spec.model.embedding,
                                         hidden: spec.model.hidden, layers: spec.model.layers, cell: cell,
                                         bidirectional: spec.model.bidirectional, dropout: Float(spec.model.dropout))
        batchSize = spec.train.batchSize
        length = spec.train.seqLen
        train = try Self.pass(config, batchSize: batchSize, length: length, training: true)
        eval = try Self.pass(config, batchSize: batchSize, length: length, training: false)
        decode = try Self.pass(config, batchSize: 1, length: 1, training: false)
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
