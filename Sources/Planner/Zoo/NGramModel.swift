import Graph
import Models
import Spec

/// `ngram`: a table of add-k smoothed counts over the previous `order − 1` tokens, fit by counting.
extension NGramModel.Config: BatchMajorLanguageModel {
    public static func largestTensors(_ spec: ExperimentSpec, vocabularySize: Int) throws -> [TensorSize] {
        [TensorSize(Array(repeating: vocabularySize, count: max(1, spec.model.order)), "model.order")]
    }

    public init(_ spec: ExperimentSpec, vocabularySize: Int) throws {
        self.init(vocabularySize: vocabularySize, order: spec.model.order, smoothing: Float(spec.model.smoothing))
    }

    public var summary: String { "ngram (order \(order), add-\(smoothing) smoothing)" }
    public var window: Int? { order - 1 }
    /// A table has no width; the vocabulary is the nearest thing (no schedule ever runs: it takes no steps).
    public var modelWidth: Int { vocabularySize }
    public func decodeLength(training length: Int) -> Int { length }

    public func logits(_ graph: Graph, tokens: Tensor) throws -> Tensor {
        try NGramModel(graph, config: self)(tokens)
    }

    /// The counts of the training windows, smoothed and normalised: the model's whole training.
    public var fitsByCounting: Bool { true }

    public func counted(contexts: [Int], targets: [Int]) -> [(key: String, values: [Float])] {
        [(NGramModel.tableKey, NGramModel.fit(self, contexts: contexts, targets: targets))]
    }
}
