import Autodiff
import Core
import Graph
import TestSupport
import XCTest

/// Every primitive and fused op, forward and backward, against the Float64 reference with central
/// differences. Operands are parameters so that each gets a gradient; the loss weights the output
/// with fixed non-uniform values so that no gradient is trivially uniform.
final class OpGradientTests: XCTestCase {
    private func parameter(_ g: Graph, _ key: String, _ shape: Shape, low: Float = -1, high: Float = 1) throws -> Tensor {
        try g.parameter(key, shape: shape, initializer: .uniform(low: low, high: high), decay: true)
    }

    /// Σ y ⊙ w with w = sin-like fixed weights, a scalar that depends on every element of y.
    private func weightedSum(_ y: Tensor) throws -> Tensor {
        let w = y.graph.input("weights", shape: y.shape)
        return try (y * w).sum()
    }

    private func weights(_ shape: Shape) -> [String: [Float]] {
        ["weights": (0..<shape.count).map { Float(($0 * 7919) % 13) / 6 - 1 }]
    }

    private func check(_ outputShape: Shape, inputs: [String: [Float]] = [:], file: StaticString = #filePath,
                       line: UInt = #line, _ build: @escaping (Graph) throws -> Tensor) {
        gradCheck({ try self.weightedSum(try build($0)) }, inputs: weights(outputShape).merging(inputs) { $1 },
                  file: file, line: line)
    }

    func testUnary() {
        for op in UnaryOp.allCases where op != .log && op != .sqrt {
            check([2, 3]) { try self.parameter($0, "x", [2, 3]).unary(op) }
        }
        check([2, 3]) { try self.parameter($0, "x", [2, 3], low: 0.5, high: 2).log() }
        check([2, 3]) { try self.parameter($0, "x", [2, 3], low: 0.5, high: 2).sqrt() }
    }

    func testBinaryWithBroadcasting() {
        for op in [BinaryOp.add, .sub, .mul, .maximum] {
            check([2, 3, 4]) { g in try self.parameter(g, "a", [2, 3, 4]).binary(op, try self.parameter(g, "b", [3, 1])) }
            check([2, 3]) { g in try self.parameter(g, "a", [1, 3]).binary(op, try self.parameter(g, "b", [2, 1])) }
        }
        check([2, 3]) { g in try self.parameter(g, "a", [2, 3]) / (try self.parameter(g, "b", [3], low: 0.5, high: 2)) }
    }

    func testGreaterAndSelectPassGradientOnlyThroughTheChosenBranch() {
        check([2, 3]) { g in
            let a = try self.parameter(g, "a", [2, 3]), b = try self.parameter(g, "b", [2, 3])
            let cond = try a.greater(g.constant(0.1, shape: [2, 3]))
            return try a.selected(where: cond, else: b * 2)
        }
    }

    func testReductions() {
        check([2, 1, 4]) { try self.parameter($0, "x", [2, 3, 4]).sum(axes: [1], keepingDims: true) }
        check([3]) { try self.parameter($0, "x", [2, 3, 4]).sum(axes: [0, 2]) }
        check([2, 4]) { try self.parameter($0, "x", [2, 3, 4]).max(axes: [1]) }
        check([2]) { try self.parameter($0, "x", [2, 5]).mean(axes: [-1]) }
    }

    func testMovement() {
        check([6, 2]) { try self.parameter($0, "x", [2, 3, 2]).reshaped(to: [-1, 2]) }
        check([4, 2, 3]) { try self.parameter($0, "x", [2, 3, 4]).permuted([2, 0, 1]) }
        check([2, 3, 4]) { try self.parameter($0, "x", [3, 1]).expanded(to: [2, 3, 4]) }
        check([2, 2, 4]) { try self.parameter($0, "x", [2, 3, 4]).sliced(axis: 1, 1..<3) }
        check([2, 6]) { try self.parameter($0, "x", [2, 3]).padded(axis: 1, before: 1, after: 2) }
        check([2, 5]) { g in
            try Tensor.concatenated([try self.parameter(g, "a", [2, 2]), try self.parameter(g, "b", [2, 3])], axis: 1)
        }
    }

    func testSlicesOfOneTensorJoinIntoOneGradient() {
        // Each time step of a (T, B, C) tensor used separately, as an unrolled RNN does, with a gap.
        check([2, 3]) { g in
            let x = try self.parameter(g, "x", [4, 2, 3])
            var total = try x.sliced(axis: 0, 0..<1).reshaped(to: [2, 3])
            for t in [1, 3] { total = try total * x.sliced(axis: 0, t..<(t + 1)).reshaped(to: [2, 3]) }
            return total
        }
    }

    func testMatmulAllTransposesAndBatched() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            check([3, 5]) { g in
                let a = try self.parameter(g, "a", ta ? [4, 3] : [3, 4]), b = try self.parameter(g, "b", tb ? [5, 4] : [4, 5])
                return try a.matmul(b, transposeA: ta, transposeB: tb)
            }
        }
        check([2, 3, 5]) { g in
            try self.parameter(g, "a", [2, 3, 4]).matmul(try self.parameter(g, "b", [2, 5, 4]), transposeB: true)
        }
    }

    func testANodeUsedTwiceAccumulates() {
        check([3, 3]) { g in
            let a = try self.parameter(g, "a", [3, 3])
            return try a.matmul(a) + a * a   // a feeds four uses
        }
    }

    func testGatherAndScatterAdd() {
        let ids: [Float] = [2, 0, 2, 1]   // a repeated row must accumulate
        check([4, 3], inputs: ["ids": ids]) { g in
            try self.parameter(g, "table", [3, 3]).gathered(at: g.input("ids", shape: [4], dtype: .int32))
        }
        check([3, 2], inputs: ["ids": ids]) { g in
            try self.parameter(g, "rows", [4, 2]).scatteredAdd(at: g.input("ids", shape: [4], dtype: .int32), rows: 3)
        }
    }

    func testCrossEntropyWithIgnoredTargets() {
        gradCheck({ g in
            try self.parameter(g, "logits", [4, 5], low: -2, high: 2)
                .crossEntropy(targets: g.input("targets", shape: [4], dtype: .int32), ignoreIndex: 0)
        }, inputs: ["targets": [3, 0, 4, 1]])
    }

    func testLayerNormSoftmaxAndMaskedSoftmax() {
        check([3, 5]) { try self.parameter($0, "x", [3, 5]).layerNormalized(eps: 1e-5) }
        check([2, 4]) { try self.parameter($0, "x", [2, 4], low: -3, high: 3).softmax() }
        let causal: [Float] = [0, -.infinity, -.infinity, 0, 0, -.infinity, 0, 0, 0]
        check([2, 3, 3], inputs: ["mask": causal]) { g in
            try self.parameter(g, "x", [2, 3, 3]).softmax(mask: g.input("mask", shape: [3, 3]))
        }
    }

    func testComposites() {
        check([2, 3]) { try self.parameter($0, "x", [2, 3], low: -3, high: 3).sigmoid() }
        check([2, 3]) { try self.parameter($0, "x", [2, 3], low: -3, high: 3).gelu() }
        check([2, 3]) { try self.parameter($0, "x", [2, 3], low: -3, high: 3).geluTanh() }
        check([2, 3]) { try self.parameter($0, "x", [2, 3], low: -3, high: 3).relu() }
        check([2, 4]) { try self.parameter($0, "x", [2, 4], low: -3, high: 3).logSoftmax() }
    }

    func testRecurrentCells() {
        check([2, 3]) { g in
            try Tensor.gruCell(inputGates: self.parameter(g, "gi", [2, 9], low: -2, high: 2),
                               hiddenGates: self.parameter(g, "gh", [2, 9], low: -2, high: 2),
                               state: self.parameter(g, "h", [2, 3]))
        }
        // Each output alone (the other's gradient is a zero gap), then both, as in a real recurrence.
        for pick in [0, 1, 2] {
            check([2, 3]) { g in
                let gates = try self.parameter(g, "gates", [2, 12], low: -2, high: 2), c = try self.parameter(g, "c", [2, 3])
                let next = try Tensor.lstmCell(gates: gates, cell: c)
                return pick == 0 ? next.cell : pick == 1 ? next.hidden : try next.cell * next.hidden
            }
        }
    }
}

extension OpGradientTests {
    /// argmax passes no gradient, and the rows it picks take theirs: loss = Σ table[argmax(x)].
    func testArgmaxPassesNoGradientButWhatItIndexesDoes() {
        gradCheck({ g in
            let x = try g.parameter("x", shape: [3, 4], initializer: .normal(mean: 0, std: 1), decay: true)
            let table = try g.parameter("table", shape: [4, 2], initializer: .normal(mean: 0, std: 1), decay: true)
            return try (table.gathered(at: x.argmax()) * table.gathered(at: x.argmax())).sum()
        })
    }
}
