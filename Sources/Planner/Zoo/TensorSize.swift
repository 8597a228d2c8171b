import Spec

/// A tensor a plan would hold, by its element count, and the spec keys that make it large.
public struct TensorSize {
    public let floats: Int
    public let keys: [String]

    public init(_ factors: [Int], _ keys: String...) {
        floats = Self.product(factors)
        self.keys = keys
    }

    /// The product of `factors`, or `Int.max` when it overflows.
    static func product(_ factors: [Int]) -> Int {
        factors.reduce(1) { total, factor in
            let (value, overflow) = total.multipliedReportingOverflow(by: factor)
            return overflow ? .max : value
        }
    }

    /// The most floats one tensor of a plan may hold (256 GiB): past this no machine holds it, and
    /// products of such sizes could overflow `Int` before the engine gets to refuse their memory.
    static let maxFloats = 1 << 36

    /// Refuses the first of `sizes` that is too large, naming the keys to lower.
    public static func refuseOversized(_ sizes: [TensorSize]) throws {
        if let tooLarge = sizes.first(where: { $0.floats > maxFloats }) {
            let keys = tooLarge.keys.dropLast().joined(separator: ", ") + (tooLarge.keys.count > 1 ? " or " : "")
                + (tooLarge.keys.last ?? "")
            throw PlanError.invalid("a tensor of the plan would hold more than 2^36 floats (256 GiB); lower \(keys)",
                                    keys: tooLarge.keys)
        }
    }
}

extension ModelSpec {
    /// The width of a model's input vectors: its embedding, or one-hot vectors of the vocabulary.
    func inputWidth(vocabularySize: Int) -> Int { embedding > 0 ? embedding : vocabularySize }
}

extension TensorSize {
    /// A window model's largest tensors: its embedded contexts, logits and layer weights.
    static func windowModel(_ spec: ExperimentSpec, window: Int, vocabularySize: Int) -> [TensorSize] {
        let (model, batchSize) = (spec.model, spec.train.batchSize)
        return [
            TensorSize([batchSize, window, max(model.embedding, model.hidden)],
                       "train.batch_size", "model.block_size", "model.embedding", "model.hidden"),
            TensorSize([batchSize, vocabularySize], "train.batch_size"),
            TensorSize([window, model.embedding, model.hidden], "model.block_size", "model.embedding", "model.hidden"),
            TensorSize([vocabularySize, model.hidden], "model.hidden"),
            TensorSize([vocabularySize, model.embedding], "model.embedding"),
        ]
    }
}
