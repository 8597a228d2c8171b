import Autodiff
import Core
import Graph
import XCTest

/// Every builder refuses bad shapes with a typed error naming the op, the node and the shapes.
final class ShapeErrorTests: XCTestCase {
    func testMismatchesAreTypedErrors() throws {
        let g = Graph()
        let a = g.input("a", shape: [2, 3]), b = g.input("b", shape: [4, 5]), v = g.input("v", shape: [3])
        let ids = g.input("ids", shape: [2, 3], dtype: .int32)
        let cases: [(String, () throws -> Tensor, GraphError)] = [
            ("add", { try a + b }, .shapeMismatch(op: "add", node: 4, [2, 3], [4, 5])),
            ("matmul inner", { try a.matmul(b) }, .shapeMismatch(op: "matmul", node: 4, [2, 3], [4, 5])),
            ("matmul rank", { try a.matmul(v) }, .shapeMismatch(op: "matmul", node: 4, [2, 3], [3])),
            ("reshape", { try a.reshaped(to: [4, 2]) }, .shapeMismatch(op: "reshape", node: 4, [2, 3], [4, 2])),
            ("axis", { try a.sum(axes: [2]) }, .invalidAxis(op: "reduce_sum", node: 4, axis: 2, rank: 2)),
            ("slice", { try a.sliced(axis: 1, 2..<5) },
             .invalidArgument(op: "slice", node: 4, reason: "range 2..<5 outside 0..<3 of axis 1 in (2, 3)")),
            ("concat", { try Tensor.concatenated([a, b], axis: 0) }, .shapeMismatch(op: "concat", node: 4, [2, 3], [4, 5])),
            ("expand", { try b.expanded(to: [2, 3]) }, .shapeMismatch(op: "expand", node: 4, [4, 5], [2, 3])),
            ("permute", { try a.permuted([0, 0]) },
             .invalidArgument(op: "permute", node: 4, reason: "[0, 0] is not a permutation of 0..<2")),
            ("gather", { try v.gathered(at: ids) }, .invalidShape(op: "gather", node: 4, [3], reason: "must be (V, C)")),
            ("cross entropy", { try a.crossEntropy(targets: ids) }, .shapeMismatch(op: "log_softmax_nll", node: 4, [2, 3], [2, 3])),
            ("gru", { try Tensor.gruCell(inputGates: a, hiddenGates: a, state: a) },
             .shapeMismatch(op: "gru_cell", node: 4, [2, 3], [2, 3])),
        ]
        for (name, build, expected) in cases {
            XCTAssertThrowsError(try build(), name) { error in
                XCTAssertEqual(error as? GraphError, expected, name)
            }
        }
        XCTAssertEqual(g.nodes.count, 4, "a refused op adds no node")
    }

    func testMessagesNameOpNodeAndShapes() {
        let message = GraphError.shapeMismatch(op: "matmul", node: 7, [2, 3], [4, 5]).description
        XCTAssertEqual(message, "matmul (node %7): shapes (2, 3) and (4, 5) do not match")
    }

    func testDuplicateParameterKey() throws {
        let g = Graph()
        _ = try g.parameter("layers.0.w", shape: [2], initializer: .zeros, decay: false)
        XCTAssertThrowsError(try g.parameter("layers.0.w", shape: [2], initializer: .zeros, decay: false)) {
            XCTAssertEqual($0 as? GraphError, .duplicateKey("layers.0.w"))
        }
    }

    func testDifferentiatingAGradientOpFailsAtBuildTime() throws {
        let g = Graph()
        let x = try g.parameter("x", shape: [2, 3], initializer: .ones, decay: false)
        let y = try x.layerNormalized(eps: 1e-5)
        let dx = try g.gradients(of: try (y * y).sum(), withRespectTo: [x])[0]
        XCTAssertThrowsError(try g.gradients(of: try dx.sum(), withRespectTo: [x])) { error in
            guard case .noGradientRule(let op, _) = error as? AutodiffError else { return XCTFail("\(error)") }
            XCTAssertEqual(op, "layer_norm_grad")
        }
    }

    func testPrintoutHasOneLinePerNode() throws {
        let g = Graph()
        let x = g.input("x", shape: [2, 3])
        let w = try g.parameter("w", shape: [4, 3], initializer: .zeros, decay: true)
        _ = try x.matmul(w, transposeB: true)
        let lines = g.description.split(separator: "\n").map { String($0).replacingOccurrences(of: #" +"#, with: " ", options: .regularExpression) }
        XCTAssertEqual(lines, [
            #"%0 = input() "x" (2, 3) f32"#,
            #"%1 = parameter() "w" (4, 3) f32"#,
            "%2 = matmul(%0, %1) A·Bᵀ (2, 4) f32",
        ])
    }
}
