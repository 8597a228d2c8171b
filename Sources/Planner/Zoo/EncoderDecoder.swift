import Core
import Graph
import Models
import Spec

/// `seq2seq`: the recurrent encoder–decoders (Sutskever, Cho, Bahdanau), decoded one recurrent step at
/// a time from the state the encoder leaves.
extension EncoderDecoder.Config: TranslationModelKind {
    public init(_ spec: ExperimentSpec, sourceVocabularySize: Int, targetVocabularySize: Int) throws {
        let model = spec.model
        guard let cell = EncoderDecoder.Cell(rawValue: model.cell.rawValue) else {
            throw PlanError.unsupported("cell '\(model.cell.rawValue)' in a seq2seq model (use gru or lstm)",
                                        keys: ["model.cell"])
        }
        guard let context = EncoderDecoder.Context(rawValue: model.context.rawValue),
              let attention = EncoderDecoder.Attention(rawValue: model.attention.rawValue) else {
            throw PlanError.unsupported("attention '\(model.attention.rawValue)'", keys: ["model.attention", "model.context"])
        }
        self.init(sourceVocabularySize: sourceVocabularySize, targetVocabularySize: targetVocabularySize, embedding: model.embedding,
                  hidden: model.hidden, layers: model.layers, cell: cell, encoderBidirectional: model.encoderBidirectional,
                  dropout: Float(model.dropout), context: context, attention: attention, teacherForcing: Float(model.teacherForcing),
                  teacherForcingByBatch: model.teacherForcingDraw == .batch, initialization: WeightInitialization(model, standard: .pytorch))
        if attention == .dot, encoderWidth != hidden {
            throw PlanError.invalid("model.attention: dot needs encoder outputs as wide as the decoder state; with "
                + "encoder_bidirectional use general or additive", keys: ["model.attention", "model.encoder_bidirectional"])
        }
    }

    public func largestTensors(_ shapes: [TranslationPlan.BucketShape]) -> [TensorSize] {
        shapes.flatMap { shape in [
            TensorSize([shape.batchSize, shape.targetLength, targetVocabularySize], "train.batch_size", "data.max_length"),
            TensorSize([shape.batchSize, shape.sourceLength, encoderWidth, shape.targetLength],
                       "train.batch_size", "data.max_length", "model.hidden"),
        ] } + [TensorSize([targetVocabularySize, 3 * hidden + embedding], "model.hidden", "model.embedding")]
    }

    public var summary: String {
        "seq2seq (\(layers) × \(cell.rawValue) \(hidden)" + (encoderBidirectional ? ", bidirectional encoder" : "")
            + (attention != .none ? ", \(attention.rawValue) attention" : ", context \(context.rawValue)") + ")"
    }

    public var modelWidth: Int { hidden }
    public var runsFree: Bool { true }
    public var positionLimit: Int? { nil }

    public func logits(_ graph: Graph, source: Tensor, mask: Tensor, decoderInputs: Tensor, freeRunning: Bool) throws -> Tensor {
        try EncoderDecoder(graph, config: self)(source, mask: mask, decoderInputs: decoderInputs, freeRunning: freeRunning).logits
    }

    /// The step's state inputs: `state.<layer>.<tensor>`, each (R, H).
    private var stateNames: [String] {
        (0..<layers).flatMap { layer in (0..<stateCount).map { "state.\(layer).\($0)" } }
    }

    /// Each step reads the encoded tensors of its sentence, copied into its row; `steps` does not matter
    /// to a recurrent decoder.
    public func decoding(sentences: Int, rows: Int, sourceLength: Int, steps: Int) throws
        -> (encode: TranslationPlan.EncodePass, step: TranslationPlan.StepPass) {
        let encodeGraph = Graph(training: false)
        let encoded = try EncoderDecoder(encodeGraph, config: self).encode(
            encodeGraph.input(TranslationPlan.source, shape: [sentences, sourceLength], dtype: .int32),
            mask: encodeGraph.input(TranslationPlan.mask, shape: [sentences, sourceLength]))
        // Only a step that attends reads the encoder outputs and the mask; one that does not is not fed them.
        var outputs: [(name: String, tensor: Tensor)] =
            attention != .none ? [("encoder.outputs", encoded.outputs), (TranslationPlan.mask, encoded.mask)] : []
        if let keys = encoded.projectedKeys { outputs.append(("encoder.keys", keys)) }
        if let context = encoded.context { outputs.append(("encoder.context", context)) }
        let names = stateNames
        outputs += zip(names, encoded.initialState.flatMap { $0 }).map { ($0, $1) }

        let graph = Graph(training: false)
        // Each step input has its encoded tensor's shape with `rows` in place of `sentences`.
        let input = { (name: String, encoded: Tensor) -> Tensor in
            graph.input(name, shape: Shape([rows] + encoded.shape.dims.dropFirst()))
        }
        let state = (0..<layers).map { layer in
            (0..<stateCount).map { input("state.\(layer).\($0)", encoded.initialState[layer][$0]) }
        }
        let stepEncoded = EncoderDecoder.Encoded(
            outputs: input("encoder.outputs", encoded.outputs), projectedKeys: encoded.projectedKeys.map { input("encoder.keys", $0) },
            mask: input(TranslationPlan.mask, encoded.mask), initialState: state,
            context: encoded.context.map { input("encoder.context", $0) })
        let step = try EncoderDecoder(graph, config: self).decode(
            graph.input(TranslationPlan.tokens, shape: [rows], dtype: .int32), state: state, encoded: stepEncoded)
        return (TranslationPlan.EncodePass(graph: encodeGraph, outputs: outputs),
                TranslationPlan.StepPass(graph: graph, logProbabilities: try step.logits.logSoftmax(), stateInputs: names,
                                         stateOutputs: step.state.flatMap { $0 },
                                         weights: try step.weights.map { try $0.reshaped(to: [rows, 1, sourceLength]) }))
    }
}
