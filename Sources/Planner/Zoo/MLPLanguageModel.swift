import Graph
import Models
import Spec

/// `mlp_lm`: Bengio's neural LM, one prediction from a window of `block_size` tokens.
extension MLPLanguageModel.Config: BatchMajorLanguageModel {
    public static func largestTensors(_ spec: ExperimentSpec, vocabularySize: Int) throws -> [TensorSize] {
        TensorSize.windowModel(spec, window: spec.model.blockSize, vocabularySize: vocabularySize)
    }

    public init(_ spec: ExperimentSpec, vocabularySize: Int) throws {
        let model = spec.model
        self.init(vocabularySize: vocabularySize, block: model.blockSize, embedding: model.embedding, hidden: model.hidden,
                  layers: model.layers, batchNorm: model.batchNorm, batchNormMomentum: Float(model.batchNormMomentum),
                  direct: model.direct, initialization: WeightInitialization(model, standard: .pytorch))
    }

    public var summary: String {
        "mlp_lm (block \(block), embedding \(embedding), \(layers) × hidden \(hidden)" + (batchNorm ? ", batch norm" : "")
            + (direct ? ", direct connections" : "") + ")"
    }
    public var window: Int? { block }
    public var modelWidth: Int { hidden }
    public func decodeLength(training length: Int) -> Int { length }

    public func logits(_ graph: Graph, tokens: Tensor) throws -> Tensor {
        try MLPLanguageModel(graph, config: self)(tokens)
    }
}
