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
        /// (input name of the step graph, tensor) pairs: the encoder outputs and the mask (when the model
        /// attends), the attention's key projection, Cho's context and the decoder's first state.
        public let outputs: [(name: String, tensor: Tensor)]
    }

    /// One decoder step over `rows` hypotheses: inputs `tokens` (R) and every name of the encode
    /// pass's outputs (the state inputs are replaced by the step's own state after each step);
    /// outputs the log-probabilities (R, V), the new state in `stateInputs` order, and the attention
    /// weights (R, S) when the model attends.
    public struct StepPass {
        public let graph: Graph
        public let logProbabilities: Tensor
        public let stateInputs: [String]
        public let stateOutputs: [Tensor]
        public let weights: Tensor?
    }

    public static let source = "source"
    public static let mask = "mask"
    public static let inputs = "inputs"
    public static let targets = "targets"
    public static let tokens = "tokens"

    public let config: EncoderDecoder.Config
    public let shapes: [BucketShape]
    public let evaluationShapes: [BucketShape]
    public let train: [Pass]
    public let eval: [Pass]
    /// With the `free_running` metric, an evaluation graph per evaluation shape whose decoder reads its
    /// own argmax at every step; empty otherwise.
    public let freeRunning: [Pass]
    public let training: TrainSpec
    public var modelWidth: Int { config.hidden }
    public var fitsByCounting: Bool { false }

    /// - Parameters:
    ///   - shapes: the training buckets' shapes.
    ///   - evaluationShapes: the shapes of the batches that score the other splits.
    public init(_ spec: ExperimentSpec, sourceVocabularySize: Int, targetVocabularySize: Int, shapes buckets: [BucketShape],
                evaluationShapes: [BucketShape]) throws {
        if let metric = spec.eval.metrics.first(where: { ![.loss, .perplexity, .bleu, .freeRunning].contains($0) }) {
            throw PlanError.unsupported("eval metric '\(metric.rawValue)' for translation (it reports loss, perplexity, "
                + "free_running and bleu)")
        }
        let model = spec.model
        guard spec.model.kind == .seq2seq else {
            throw PlanError.unsupported("model kind '\(model.kind.rawValue)' for translation")
        }
        guard let cell = EncoderDecoder.Cell(rawValue: model.cell.rawValue) else {
            throw PlanError.unsupported("cell '\(model.cell.rawValue)' in a seq2seq model (use gru or lstm)")
        }
        guard let context = EncoderDecoder.Context(rawValue: model.context.rawValue),
              let attention = EncoderDecoder.Attention(rawValue: model.attention.rawValue) else {
            throw PlanError.unsupported("attention '\(model.attention.rawValue)'")
        }
        let config = EncoderDecoder.Config(
            sourceVocabularySize: sourceVocabularySize, targetVocabularySize: targetVocabularySize, embedding: model.embedding,
            hidden: model.hidden, layers: model.layers, cell: cell, encoderBidirectional: model.encoderBidirectional,
            dropout: Float(model.dropout), context: context, attention: attention, teacherForcing: Float(model.teacherForcing),
            initialization: WeightInitialization(model, standard: .pytorch))
        if config.attention == .dot, config.encoderWidth != config.hidden {
            throw PlanError.invalid("model.attention: dot needs encoder outputs as wide as the decoder state; with "
                + "encoder_bidirectional use general or additive")
        }
        try TensorSize.refuseOversized((buckets + evaluationShapes).flatMap { shape in [
            TensorSize([shape.batchSize, shape.targetLength, targetVocabularySize], "train.batch_size or data.max_length"),
            TensorSize([shape.batchSize, shape.sourceLength, config.encoderWidth, shape.targetLength],
                       "train.batch_size, data.max_length or model.hidden"),
        ] } + [TensorSize([targetVocabularySize, 3 * model.hidden + model.embedding], "model.hidden or model.embedding")])
        self.config = config
        shapes = buckets
        training = spec.train
        train = try buckets.map { try Self.pass(config, $0, training: true) }
        self.evaluationShapes = evaluationShapes
        eval = try evaluationShapes.map { try Self.pass(config, $0, training: false) }
        freeRunning = spec.eval.metrics.contains(.freeRunning)
            ? try evaluationShapes.map { try Self.pass(config, $0, training: false, freeRunning: true) } : []
    }

    private static func pass(_ config: EncoderDecoder.Config, _ shape: BucketShape, training: Bool, freeRunning: Bool = false)
        throws -> Pass {
        let graph = Graph(training: training)
        let (b, s, t) = (shape.batchSize, shape.sourceLength, shape.targetLength)
        let model = try EncoderDecoder(graph, config: config)
        let (logits, _) = try model(graph.input(source, shape: [b, s], dtype: .int32), mask: graph.input(mask, shape: [b, s]),
                                    decoderInputs: graph.input(inputs, shape: [b, t], dtype: .int32), freeRunning: freeRunning)
        let loss = try logits.crossEntropy(targets: graph.input(targets, shape: [b, t], dtype: .int32))
        var gradients: [(Tensor, Tensor)] = []
        if training {
            let parameters = graph.parameters.filter(\.trainable).map { graph.tensor($0.node) }
            gradients = Array(zip(parameters, try graph.gradients(of: loss, withRespectTo: parameters)))
        }
        return Pass(graph: graph, loss: loss, gradients: gradients)
    }

    /// Input names of a decoder step's state: `state.<layer>.<tensor>`.
    public func stateNames() -> [String] {
        (0..<config.layers).flatMap { layer in (0..<config.stateCount).map { "state.\(layer).\($0)" } }
    }

    /// The encoder graph over `sentences` sources of `sourceLength` positions, and the decoder-step
    /// graph over `rows` hypotheses (each reading the encoded tensors of its sentence, copied into its row).
    public func decoding(sentences: Int, rows: Int, sourceLength: Int) throws -> (encode: EncodePass, step: StepPass) {
        let encodeGraph = Graph(training: false)
        let encoded = try EncoderDecoder(encodeGraph, config: config).encode(
            encodeGraph.input(Self.source, shape: [sentences, sourceLength], dtype: .int32),
            mask: encodeGraph.input(Self.mask, shape: [sentences, sourceLength]))
        // Only a step that attends reads the encoder outputs and the mask; one that does not is not fed them.
        var outputs: [(name: String, tensor: Tensor)] =
            config.attention != .none ? [("encoder.outputs", encoded.outputs), (Self.mask, encoded.mask)] : []
        if let keys = encoded.projectedKeys { outputs.append(("encoder.keys", keys)) }
        if let context = encoded.context { outputs.append(("encoder.context", context)) }
        let names = stateNames()
        outputs += zip(names, encoded.initialState.flatMap { $0 }).map { ($0, $1) }

        let graph = Graph(training: false)
        // Each step input has its encoded tensor's shape with `rows` in place of `sentences`.
        let input = { (name: String, encoded: Tensor) -> Tensor in
            graph.input(name, shape: Shape([rows] + encoded.shape.dims.dropFirst()))
        }
        let state = (0..<config.layers).map { layer in
            (0..<config.stateCount).map { input("state.\(layer).\($0)", encoded.initialState[layer][$0]) }
        }
        let stepEncoded = EncoderDecoder.Encoded(
            outputs: input("encoder.outputs", encoded.outputs), projectedKeys: encoded.projectedKeys.map { input("encoder.keys", $0) },
            mask: input(Self.mask, encoded.mask), initialState: state, context: encoded.context.map { input("encoder.context", $0) })
        let step = try EncoderDecoder(graph, config: config).decode(
            graph.input(Self.tokens, shape: [rows], dtype: .int32), state: state, encoded: stepEncoded)
        return (EncodePass(graph: encodeGraph, outputs: outputs),
                StepPass(graph: graph, logProbabilities: try step.logits.logSoftmax(), stateInputs: names,
                         stateOutputs: step.state.flatMap { $0 }, weights: step.weights))
    }
}
