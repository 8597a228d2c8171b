import Core
import Foundation
import Graph

/// The counting language model of makemore part 1, of any order n: P(next | the n − 1 previous tokens)
/// = (count + k) / (row total + k·V), add-k smoothing. Nothing is trained by gradients: `fit`
/// counts the training windows, and the graph looks up the row of log-probabilities of each context,
/// which serve as logits (they are already normalised, so the cross-entropy is the n-gram's NLL).
///
/// Buffer: `log_probs` (V^(n−1), V), row r the context whose ids, read as base-V digits (first token
/// most significant), spell r.
public struct NGramModel {
    public struct Config: Hashable, Sendable {
        public var vocabularySize: Int
        /// n: the prediction reads the n − 1 previous tokens; at least 2.
        public var order: Int
        /// k of add-k smoothing (makemore: 1).
        public var smoothing: Float

        public init(vocabularySize: Int, order: Int, smoothing: Float = 1) {
            (self.vocabularySize, self.order, self.smoothing) = (vocabularySize, order, smoothing)
        }

        /// V^(n−1), or nil when it does not fit in an `Int`.
        public var contexts: Int? {
            (1..<order).reduce(Optional(1)) { product, _ in
                product.flatMap { value in
                    let (next, overflow) = value.multipliedReportingOverflow(by: vocabularySize)
                    return overflow ? nil : next
                }
            }
        }
    }

    public static let tableKey = "log_probs"

    public let config: Config
    private let table: Tensor

    public init(_ graph: Graph, config: Config) throws {
        guard config.order >= 2, let contexts = config.contexts else {
            throw GraphError.invalidArgument(op: "ngram", node: graph.nodes.count,
                                             reason: "order \(config.order) must be at least 2, and V^(n−1) must fit in memory")
        }
        self.config = config
        // Uniform until fitted: every row log(1/V).
        table = try graph.buffer(Self.tableKey, shape: [contexts, config.vocabularySize],
                                 initializer: .constant(-log(Float(config.vocabularySize))))
    }

    /// tokens (B, n − 1) → logits (B, 1, V): the log-probability row of each context.
    public func callAsFunction(_ tokens: Tensor) throws -> Tensor {
        let width = config.order - 1
        var row: Tensor?
        for column in 0..<width {
            // Horner's rule over the context's ids: exact in fp32 below 2^24.
            let digit = try tokens.sliced(axis: 1, column..<(column + 1))             // (B, 1)
            row = try row.map { try $0 * Float(config.vocabularySize) + digit } ?? digit
        }
        return try table.gathered(at: row ?? tokens)                                  // (B, 1, V)
    }

    /// The smoothed log-probability table of the examples `contexts` (N, n − 1) row-major and their
    /// `targets` (N), row-major (V^(n−1), V).
    public static func fit(_ config: Config, contexts: [Int], targets: [Int]) -> [Float] {
        let (v, width) = (config.vocabularySize, config.order - 1)
        let rows = config.contexts ?? 0
        var counts = [Float](repeating: config.smoothing, count: rows * v)
        for (example, target) in targets.enumerated() {
            let row = contexts[(example * width)..<((example + 1) * width)].reduce(0) { $0 * v + $1 }
            counts[row * v + target] += 1
        }
        for row in 0..<rows {
            let total = counts[(row * v)..<((row + 1) * v)].reduce(0, +)
            for column in 0..<v { counts[row * v + column] = log(counts[row * v + column] / total) }
        }
        return counts
    }
}
