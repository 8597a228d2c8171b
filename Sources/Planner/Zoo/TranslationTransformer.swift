import Core
import Graph
import Models
import NN
import Spec

/// `transformer`: the encoder–decoder Transformer, decoded one position at a time over a self-attention
/// cache of fixed size (one slot per step) and the cross-attention keys and values of each sentence,
/// projected once by the encode pass.
extension TranslationTransformer.Config: TranslationModelKind {
    public init(_ spec: ExperimentSpec, sourceVocabularySize: Int, targetVocabularySize: Int) throws {
        let model = spec.model
        // The spec's choices and the model's have the same names; a choice without a counterpart is refused by name.
        guard let activation = Activation(rawValue: model.activation.rawValue) else {
            throw PlanError.unsupported("model.activation '\(model.activation.rawValue)' in a transformer",
                                        keys: ["model.activation"])
        }
        guard let norm = TransformerBlock.NormPlacement(rawValue: model.norm.rawValue),
              let positions = TranslationTransformer.Positions(rawValue: model.positions.rawValue),
              let shared = TranslationTransformer.SharedEmbeddings(rawValue: model.shareEmbeddings.rawValue) else {
            throw PlanError.unsupported("model.norm '\(model.norm.rawValue)', positions '\(model.positions.rawValue)' or "
                + "share_embeddings '\(model.shareEmbeddings.rawValue)' in a transformer",
                                    keys: ["model.norm", "model.positions", "model.share_embeddings"])
        }
        self.init(sourceVocabularySize: sourceVocabularySize, targetVocabularySize: targetVocabularySize, width: model.width,
                  heads: model.heads, feedForwardSize: model.ffn ?? 4 * model.width, encoderLayers: model.encoderLayers,
                  decoderLayers: model.decoderLayers, activation: activation, norm: norm, dropout: Float(model.dropout),
                  attentionDropout: Float(model.attentionDropout), positions: positions, maxPositions: model.maxPositions,
                  sharedEmbeddings: shared, initialization: WeightInitialization(model, standard: .xavierUniform))
    }

    public func largestTensors(_ shapes: [TranslationPlan.BucketShape]) -> [TensorSize] {
        shapes.flatMap { shape in
            let (b, s, t) = (shape.batchSize, shape.sourceLength, shape.targetLength)
            return [
                TensorSize([b, t, targetVocabularySize], "train.batch_size", "data.max_length"),
                TensorSize([b, heads, max(s, t), max(s, t)], "train.batch_size", "data.max_length", "model.heads"),
                TensorSize([b, max(s, t), feedForwardSize], "train.batch_size", "data.max_length", "model.ffn"),
            ]
        } + [TensorSize([max(sourceVocabularySize, targetVocabularySize), width], "model.width"),
             TensorSize([feedForwardSize, width], "model.ffn", "model.width")]
    }

    public var summary: String {
        "transformer (\(encoderLayers)+\(decoderLayers) layers, \(heads) heads, width \(width), ffn \(feedForwardSize), "
            + "\(norm.rawValue)-LN, \(positions.rawValue) positions"
            + (sharedEmbeddings != .none ? ", shared embeddings \(sharedEmbeddings.rawValue)" : "") + ")"
    }

    public var modelWidth: Int { width }
    public var runsFree: Bool { false }
    public var positionLimit: Int? { maxPositions }

    public func logits(_ graph: Graph, source: Tensor, mask: Tensor, decoderInputs: Tensor, freeRunning: Bool) throws -> Tensor {
        try TranslationTransformer(graph, config: self)(source, mask: mask, decoderInputs: decoderInputs)
    }

    static let position = "step.position"
    static let slot = "step.slot"
    static let stepMask = "step.mask"

    /// The encode pass outputs each decoder layer's cross-attention keys and values (`memory.<l>.keys`,
    /// `memory.<l>.values`) and the mask; the step's state is the self-attention cache (`cache.<l>.keys`,
    /// `cache.<l>.values`, (R, nh, steps, hs)), zeros at the first step; each step is fed its position,
    /// the one-hot slot it writes and the mask that opens the slots written.
    public func decoding(sentences: Int, rows: Int, sourceLength: Int, steps: Int) throws
        -> (encode: TranslationPlan.EncodePass, step: TranslationPlan.StepPass) {
        let encodeGraph = Graph(training: false)
        let encoder = try TranslationTransformer(encodeGraph, config: self)
        let mask = encodeGraph.input(TranslationPlan.mask, shape: [sentences, sourceLength])
        let memory = try encoder.encode(encodeGraph.input(TranslationPlan.source, shape: [sentences, sourceLength],
                                                          dtype: .int32), mask: mask)
        let projected = try encoder.projectedMemory(memory)
        let memoryNames = (0..<decoderLayers).map { ("memory.\($0).keys", "memory.\($0).values") }
        let outputs = [(TranslationPlan.mask, mask)] + zip(memoryNames, projected).flatMap { names, memory in
            [(names.0, memory.keys), (names.1, memory.values)]
        }

        let graph = Graph(training: false)
        let headSize = width / heads
        let keysAndValues = { (names: (String, String), length: Int) in
            (graph.input(names.0, shape: [rows, heads, length, headSize]), graph.input(names.1, shape: [rows, heads, length, headSize]))
        }
        let cacheNames = (0..<decoderLayers).map { ("cache.\($0).keys", "cache.\($0).values") }
        let rowMask = graph.input(TranslationPlan.mask, shape: [rows, sourceLength])
        let step = try TranslationTransformer(graph, config: self).step(
            graph.input(TranslationPlan.tokens, shape: [rows], dtype: .int32),
            position: graph.input(Self.position, shape: [1], dtype: .int32), slot: graph.input(Self.slot, shape: [steps, 1]),
            mask: graph.input(Self.stepMask, shape: [1, steps]), cache: cacheNames.map { keysAndValues($0, steps) },
            memory: memoryNames.map { keysAndValues($0, sourceLength) },
            memoryBias: additiveMask(padding: rowMask).reshaped(to: [rows, 1, 1, sourceLength]))
        // The maps `runner translate --attention` draws: every layer's cross-attention, head by head.
        let weights = try Tensor.concatenated(step.weights, axis: 1)                                   // (R, L·nh, S)
        let titles = (1...decoderLayers).flatMap { layer in (1...heads).map { "layer \(layer), head \($0)" } }
        let stepInputs: @Sendable (Int) -> [(name: String, values: [Float])] = { t in
            let slots = 0..<steps
            return [(Self.position, [Float(t)]), (Self.slot, slots.map { $0 == t ? 1 : 0 }),
                    (Self.stepMask, slots.map { $0 <= t ? 0 : -.infinity })]
        }
        return (TranslationPlan.EncodePass(graph: encodeGraph, outputs: outputs),
                TranslationPlan.StepPass(graph: graph, logProbabilities: try step.logits.logSoftmax(),
                                         stateInputs: cacheNames.flatMap { [$0.0, $0.1] },
                                         stateOutputs: step.cache.flatMap { [$0.keys, $0.values] }, weights: weights,
                                         weightTitles: titles, weightColumns: heads, stepInputs: stepInputs))
    }
}
