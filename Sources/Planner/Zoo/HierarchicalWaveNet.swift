import Graph
import Models
import Spec

/// `wavenet_hier`: makemore part 5's window model that fuses its context pair by pair.
extension HierarchicalWaveNet.Config: BatchMajorLanguageModel {
    public static func largestTensors(_ spec: ExperimentSpec, vocabularySize: Int) throws -> [TensorSize] {
        TensorSize.windowModel(spec, window: spec.model.blockSize, vocabularySize: vocabularySize)
    }

    public init(_ spec: ExperimentSpec, vocabularySize: Int) throws {
        let model = spec.model
        self.init(vocabularySize: vocabularySize, block: model.blockSize, embedding: model.embedding, hidden: model.hidden,
                  batchNormMomentum: Float(model.batchNormMomentum),
                  initialization: WeightInitialization(model, standard: .pytorch))
    }

    public var summary: String {
        "wavenet_hier (block \(block), \(stages ?? 0) stages, embedding \(embedding), hidden \(hidden))"
    }
    public var window: Int? { block }
    public var modelWidth: Int { hidden }
    public func decodeLength(training length: Int) -> Int { length }

    public func logits(_ graph: Graph, tokens: Tensor) throws -> Tensor {
        try HierarchicalWaveNet(graph, config: self)(tokens)
    }
}
