import Core
import Foundation
import Graph

/// What `runner check` and `plan.txt` show: every parameter by key with its shape and count, the
/// total, and the work of one training step.
public struct PlanSummary {
    public struct Entry: Equatable {
        public let key: String
        public let shape: Shape
        public let trainable: Bool
    }

    public let entries: [Entry]
    /// Floating-point operations of one training step: 2·M·N·K per GEMM plus one per element of
    /// every other op (fused cells count their elements once; the GEMMs dominate).
    public let flopsPerStep: Int
    public let matmulFlops: Int

    public init(graph: Graph, roots: [Tensor]) {
        entries = graph.parameters.map { Entry(key: $0.key, shape: $0.shape, trainable: $0.trainable) }
        var matmul = 0, other = 0
        for id in graph.nodes(neededFor: roots.map(\.id)) {
            let node = graph.nodes[id]
            switch node.op {
            case .input, .parameter, .buffer, .constant, .reshape:
                continue
            case .matmul(let ta, _):
                let a = graph.nodes[node.inputs[0]].shape.dims
                let k = ta ? a[a.count - 2] : a[a.count - 1]
                matmul += 2 * node.shape.count * k
            default:
                other += node.shape.count
            }
        }
        matmulFlops = matmul
        flopsPerStep = matmul + other
    }

    public var parameterCount: Int { entries.filter(\.trainable).reduce(0) { $0 + $1.shape.count } }

    /// One line per parameter, then the totals.
    public var text: String {
        let width = max(24, (entries.map(\.key.count).max() ?? 0) + 1)
        var lines = ["parameters"]
        for entry in entries {
            let kind = entry.trainable ? "" : "  (buffer)"
            lines.append("  " + entry.key.padding(toLength: width, withPad: " ", startingAt: 0)
                         + String(entry.shape.description).padding(toLength: 14, withPad: " ", startingAt: 0)
                         + String(format: "%10d", entry.shape.count) + kind)
        }
        lines.append("  " + "total".padding(toLength: width + 14, withPad: " ", startingAt: 0)
                     + String(format: "%10d", parameterCount))
        lines.append(String(format: "flops per training step  %.3f GFLOP (%.0f%% in matmuls)",
                            Double(flopsPerStep) / 1e9, 100 * Double(matmulFlops) / Double(max(flopsPerStep, 1))))
        return lines.joined(separator: "\n")
    }
}

extension LanguageModelPlan {
    /// The parameters and work of one training step.
    public var summary: PlanSummary {
        PlanSummary(graph: train.graph, roots: [train.loss] + train.gradients.map(\.gradient))
    }
}

extension TranslationPlan.Pass {
    /// The parameters and work of one training step of this pass's shape.
    public var summary: PlanSummary {
        PlanSummary(graph: graph, roots: [loss] + gradients.map(\.gradient))
    }
}
