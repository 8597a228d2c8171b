import Autodiff
import Core
import Graph
import Models
import Spec

/// The graphs of a translation model: for each length bucket a training graph (forward, loss,
/// backward) and an evaluation graph over batches of its padded shape, all over one set of parameters;
/// and on demand the two graphs of decoding, an encoder over a batch of sources and one decoder step.
///
/// Batch inputs (batch-major): `source` (B, S) ids, `mask` (B, S), `inputs` (B, T) the decoder's
/// tokens (`<bos>` and the target), `targets` (B, T) with padding ignored.
public struct TranslationPlan: TrainingPlan {
    /// One bucket's shape: sentences, source positions, target positions.
    public struct BucketShape: Hashable, Sendable, CustomStringConvertible {
        public let batchSize: Int
        public let sourceLength: Int
        public let targetLength: Int

        public init(batchSize: Int, sourceLength: Int, targetLength: Int) {
            (self.batchSize, self.sourceLength, self.targetLength) = (batchSize, sourceLength, targetLength)
        }

        /// `(B, S, T)`, as `runner check` and plan.txt list buckets.
        public var description: String { "(\(batchSize), \(sourceLength), \(targetLength))" }
    }

    public struct Pass {
        public let graph: Graph
        public let loss: Tensor
        /// (parameter, gradient) pairs; empty for evaluation.
        public let gradients: [(parameter: Tensor, gradient: Tensor)]
    }

    /// The encoder over `rows` sources of `sourceLength` positions: inputs `source`, `mask`; the
    /// encoded tensors a step reads, named as the step's inputs.
    public struct EncodePass {
        public let graph: Graph
        /// (input name of the step graph, tensor) pairs: what each step reads of its sentence (encoder
        /// outputs, their projections, the mask) and the decoder's first state where the model has one.
        public let outputs: [(name: String, tensor: Tensor)]
    }

    /// One decoder step over `rows` hypotheses: inputs `tokens` (R), every name of the encode pass's
    /// outputs that is not a state (each row reading its sentence's), the state inputs (the encode pass's
    /// first state, or zeros where it has none, then the step's own state after each step), and
    /// `stepInputs(t)` at step t; outputs the log-probabilities (R, V), the new state in `stateInputs`
    /// order, and when the model attends its M maps of attention weights (R, M, S): one for a recurrent
    /// model, one per layer and head for a Transformer.
    public struct StepPass {
        public let graph: Graph
        public let logProbabilities: Tensor
        public let stateInputs: [String]
        /// Floats per row of each state input.
        public let stateSizes: [Int]
        public let stateOutputs: [Tensor]
        public let weights: Tensor?
        /// What each of the M maps of `weights` shows ("layer 1, head 2"), and how many a row of a grid
        /// of them holds; empty and 1 for a single map.
        public let weightTitles: [String]
        public let weightColumns: Int
        /// The inputs that change with the step t (0 for the step that reads `<bos>`), by name.
        public let stepInputs: @Sendable (_ step: Int) -> [(name: String, values: [Float])]

        public init(graph: Graph, logProbabilities: Tensor, stateInputs: [String], stateOutputs: [Tensor], weights: Tensor?,
                    weightTitles: [String] = [], weightColumns: Int = 1,
                    stepInputs: @escaping @Sendable (_ step: Int) -> [(name: String, values: [Float])] = { _ in [] }) {
            (self.graph, self.logProbabilities, self.stateInputs, self.stateOutputs) = (graph, logProbabilities, stateInputs, stateOutputs)
            stateSizes = stateOutputs.map { $0.shape.count / max(1, $0.shape[0]) }
            (self.weights, self.weightTitles, self.weightColumns, self.stepInputs) = (weights, weightTitles, weightColumns, stepInputs)
        }
    }

    public static let source = "source"
    public static let mask = "mask"
    public static let inputs = "inputs"
    public static let targets = "targets"
    public static let tokens = "tokens"

    public let model: any TranslationModelKind
    public let shapes: [BucketShape]
    public let evaluationShapes: [BucketShape]
    public let train: [Pass]
    public let eval: [Pass]
    /// With the `free_running` metric, an evaluation graph per evaluation shape whose decoder reads its
    /// own argmax at every step; empty otherwise.
    public let freeRunning: [Pass]
    public let training: TrainSpec
    public var modelWidth: Int { model.modelWidth }
    public var fitsByCounting: Bool { false }

    /// - Parameters:
    ///   - shapes: the training buckets' shapes.
    ///   - evaluationShapes: the shapes of the batches that score the other splits.
    public init(_ spec: ExperimentSpec, sourceVocabularySize: Int, targetVocabularySize: Int, shapes buckets: [BucketShape],
                evaluationShapes: [BucketShape]) throws {
        if let metric = spec.eval.metrics.first(where: { ![.loss, .perplexity, .bleu, .freeRunning].contains($0) }) {
            throw PlanError.unsupported("eval metric '\(metric.rawValue)' for translation (it reports loss, perplexity, "
                + "free_running and bleu)", keys: ["eval.metrics"])
        }
        guard let kind = spec.model.kind.translationModel else {
            throw PlanError.unsupported("model kind '\(spec.model.kind.rawValue)' for translation (use seq2seq or transformer)",
                                        keys: ["model.kind"])
        }
        let model = try kind.init(spec, sourceVocabularySize: sourceVocabularySize, targetVocabularySize: targetVocabularySize)
        let runsFree = spec.eval.metrics.contains(.freeRunning)
        if runsFree, !model.runsFree {
            throw PlanError.invalid("eval metric 'free_running' needs a recurrent seq2seq model: a \(model.summary) reads "
                + "the whole target at once; remove it from eval.metrics", keys: ["eval.metrics"])
        }
        try TensorSize.refuseOversized(model.largestTensors(buckets + evaluationShapes))
        let longest = (buckets + evaluationShapes).map { max($0.sourceLength, $0.targetLength) }.max() ?? 0
        if let positions = model.positionLimit, longest > positions {
            let framing = spec.data.sourceBOS ? "its <bos> or <eos> (a source both)" : "its <bos> or <eos>"
            throw PlanError.invalid("the longest sentence of the data takes \(longest) positions with \(framing), "
                + "more than model.max_positions (\(positions)); raise max_positions (data.max_length leaves long training "
                + "pairs out, but valid and test are scored whole)", keys: ["model.max_positions"])
        }
        self.model = model
        shapes = buckets
        training = spec.train
        let smoothing = Float(spec.train.labelSmoothing)
        train = try buckets.map { try Self.pass(model, $0, training: true, labelSmoothing: smoothing) }
        self.evaluationShapes = evaluationShapes
        eval = try evaluationShapes.map { try Self.pass(model, $0, training: false) }
        freeRunning = runsFree ? try evaluationShapes.map { try Self.pass(model, $0, training: false, freeRunning: true) } : []
    }

    /// A bucket's graph: the loss (label-smoothed in training with `labelSmoothing` > 0) and, in
    /// training, the gradients.
    private static func pass(_ model: any TranslationModelKind, _ shape: BucketShape, training: Bool, freeRunning: Bool = false,
                             labelSmoothing: Float = 0) throws -> Pass {
        let graph = Graph(training: training)
        let (b, s, t) = (shape.batchSize, shape.sourceLength, shape.targetLength)
        let logits = try model.logits(graph, source: graph.input(source, shape: [b, s], dtype: .int32),
                                      mask: graph.input(mask, shape: [b, s]),
                                      decoderInputs: graph.input(inputs, shape: [b, t], dtype: .int32), freeRunning: freeRunning)
        let loss = try logits.crossEntropy(targets: graph.input(targets, shape: [b, t], dtype: .int32), labelSmoothing: labelSmoothing)
        var gradients: [(Tensor, Tensor)] = []
        if training {
            let parameters = graph.parameters.filter(\.trainable).map { graph.tensor($0.node) }
            gradients = Array(zip(parameters, try graph.gradients(of: loss, withRespectTo: parameters)))
        }
        return Pass(graph: graph, loss: loss, gradients: gradients)
    }

    /// The model's decoding graphs: see `TranslationModelKind.decoding`.
    public func decoding(sentences: Int, rows: Int, sourceLength: Int, steps: Int) throws -> (encode: EncodePass, step: StepPass) {
        try model.decoding(sentences: sentences, rows: rows, sourceLength: sourceLength, steps: steps)
    }
}
