import Autodiff
import Data
import Graph
import Spec

/// The graphs of a language model for one batch shape: a training graph (forward, loss, backward), an
/// evaluation graph (forward and loss, no dropout) and a decoding graph (one sequence), all over token
/// ids in the model kind's layout: time-major (T, B) for recurrent models, whose state is fed in and
/// read out so that truncated BPTT can carry it; batch-major (B, T) for the stateless ones.
///
/// Window models (MLP, hierarchical WaveNet, n-gram) take (B, window) contexts with targets laid out
/// as a token stream gives them (each context shifted by one, the predicted token last) and score the
/// last column only: one prediction per row, logits (B, 1, V).
///
/// The plan is built generically over the zoo (`ModelSpec.Kind.languageModel`): nothing here knows
/// one kind from another. It also owns the training recipe (see `TrainingRecipe`).
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
        /// Each direction's mean loss by name, for a model that predicts in several (ELMo); `loss` is
        /// their mean. Empty for the others.
        public let directionLosses: [(name: String, loss: Tensor)]
        /// Tokens per sequence the pass takes: 1 for a recurrent decode step, the block size for GPT's.
        public let length: Int

        /// The state a batch of sequences starts from: zeros in the shape of every state input.
        public var zeroState: [[Float]] {
            stateOutputs.map { [Float](repeating: 0, count: $0.shape.count) }
        }
    }

    public static let tokens = "tokens"
    public static let targets = "targets"

    /// The model's config: it builds the model and answers for its kind.
    public let model: any LanguageModelKind
    /// Rows a pass takes: `train.batch_size`, or one rank's share of it.
    public let batchSize: Int
    /// Rows of a whole batch, which the ranks share: `train.batch_size`.
    public var wholeBatchSize: Int { training.batchSize }
    public let length: Int
    /// How the passes' token inputs are ordered.
    public var layout: BatchLayout { model.layout }
    /// Tokens of context a window model reads (`length`); nil for the sequence models.
    public var window: Int? { model.window }
    /// Tokens a batch predicts: one per row for a window model, B × T otherwise.
    public var predictionsPerBatch: Int { window == nil ? batchSize * length : batchSize }
    public let train: Pass
    public let eval: Pass
    /// One sequence: a recurrent model takes one token per run and carries its state; GPT takes the
    /// whole context (up to its block size) and the sampler reads the logits at its last token.
    public let decode: Pass
    /// KV-cached decoding (GPT's): one new token a run, and a chunk of half the block size to refill
    /// the cache when it is full (positions are learned and absolute, so the cache cannot slide).
    /// Nil for the other kinds.
    public let cachedDecode: (step: CachedPass, refill: CachedPass)?
    /// The spec's training section, for the recipe.
    public let training: TrainSpec

    /// Plans `spec` for a vocabulary of `vocabularySize` tokens; with `ranks` > 1 (data-parallel
    /// training) the passes take one rank's share of `train.batch_size`.
    public init(_ spec: ExperimentSpec, vocabularySize: Int, ranks: Int = 1) throws {
        if let metric = spec.eval.metrics.first(where: { ![.loss, .perplexity, .bpc].contains($0) }) {
            throw PlanError.unsupported("eval metric '\(metric.rawValue)' for a language model (it reports loss, perplexity "
                + "and bpc)", keys: ["eval.metrics"])
        }
        guard let kind = spec.model.kind.languageModel else {
            throw PlanError.unsupported("model kind '\(spec.model.kind.rawValue)'", keys: ["model.kind"])
        }
        try TensorSize.refuseOversized(try kind.largestTensors(spec, vocabularySize: vocabularySize))
        let model = try kind.init(spec, vocabularySize: vocabularySize)
        if model.window != nil, spec.data.format != .lines {
            throw PlanError.invalid("model kind '\(spec.model.kind.rawValue)' on a token stream: it learns from "
                + "(context, target) examples of lines, as makemore frames names; set 'data.format: lines'",
                                    keys: ["data.format", "model.kind"])
        }
        self.model = model
        training = spec.train
        guard spec.train.batchSize % ranks == 0 else {
            throw PlanError.invalid("train.batch_size (\(spec.train.batchSize)) does not split evenly over \(ranks) ranks",
                                    keys: ["train.batch_size"])
        }
        batchSize = spec.train.batchSize / ranks
        length = model.window ?? spec.train.seqLen
        train = try Self.pass(model, batchSize: batchSize, length: length, training: true,
                              labelSmoothing: Float(spec.train.labelSmoothing))
        eval = try Self.pass(model, batchSize: batchSize, length: length, training: false)
        decode = try Self.pass(model, batchSize: 1, length: model.decodeLength(training: length), training: false)
        cachedDecode = try model.cachedDecoding()
    }

    /// The model's forward pass, its loss (label-smoothed by `labelSmoothing`) and, in a training graph,
    /// the gradients of every trainable parameter.
    private static func pass(_ model: any LanguageModelKind, batchSize: Int, length: Int, training: Bool,
                             labelSmoothing: Float = 0) throws -> Pass {
        let graph = Graph(training: training)
        let forward = try model.forward(graph, batchSize: batchSize, length: length)
        let directionLosses = try forward.directions.map { direction in
            (direction.name, try direction.logits.crossEntropy(targets: direction.targets, labelSmoothing: labelSmoothing))
        }
        let loss = directionLosses.isEmpty
            ? try forward.logits.crossEntropy(targets: forward.targets, labelSmoothing: labelSmoothing)
            : try directionLosses.dropFirst().reduce(directionLosses[0].1) { try $0 + $1.1 } / Float(directionLosses.count)
        var gradients: [(Tensor, Tensor)] = []
        if training {
            let parameters = graph.parameters.filter(\.trainable).map { graph.tensor($0.node) }
            gradients = Array(zip(parameters, try graph.gradients(of: loss, withRespectTo: parameters)))
        }
        return Pass(graph: graph, logits: forward.logits, loss: loss, stateInputs: forward.stateInputs,
                    stateOutputs: forward.stateOutputs, gradients: gradients, directionLosses: directionLosses, length: length)
    }
}
