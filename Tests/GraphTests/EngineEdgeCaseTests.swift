import Autodiff
import Core
import Engine
import Graph
import TestSupport
import XCTest

/// Corners of the memory plan (views, in-place GEMM accumulation, gradients placed in the arena,
/// buffer updates) and of the compiler's checks, each against the Float64 reference or hand values.
final class EngineEdgeCaseTests: XCTestCase {
    private func parameter(_ g: Graph, _ key: String, _ shape: Shape) throws -> Tensor {
        try g.parameter(key, shape: shape, initializer: .uniform(low: -1, high: 1), decay: true)
    }

    private func values(_ count: Int) -> [Float] {
        (0..<count).map { Float(($0 * 7919) % 13) / 6 - 1 }
    }

    /// Runs a program computing `outputs` (and `gradients`) and compares each output with the reference.
    private func checkOutputs(_ g: Graph, _ outputs: [Tensor], gradients: [(parameter: Tensor, gradient: Tensor)] = [],
                              inputs: [String: [Float]] = [:], file: StaticString = #filePath, line: UInt = #line) throws -> Program {
        let program = try Engine.compile(g, outputs: outputs, gradients: gradients, seed: 5)
        var feeds = inputs.mapValues { $0.map(Double.init) }
        for info in g.parameters { feeds[info.key] = try program.arena.value(info.key).map(Double.init) }
        for (name, v) in inputs { try program.setInput(name, v) }
        program.run()
        let reference = ReferenceInterpreter(graph: g, feeds: feeds)
        for (i, y) in outputs.enumerated() {
            assertClose(try program.read(y), reference.evaluate(y).map(Float.init), rtol: 1e-4, atol: 1e-5,
                        "output \(i)", file: file, line: line)
        }
        return program
    }

    // MARK: Bugs

    /// Updates are applied one after another at the end of a run; each must still see the values of
    /// the run, not a buffer an earlier update already overwrote.
    func testBufferUpdatesSeeTheRunsValues() throws {
        let g = Graph()
        let a = try g.buffer("a", shape: [2], initializer: .constant(1))
        let b = try g.buffer("b", shape: [2, 1], initializer: .constant(2))
        let c = try g.buffer("c", shape: [2], initializer: .constant(3))
        try g.update(a, to: b.reshaped(to: [2]))
        try g.update(b, to: a.reshaped(to: [2, 1]))
        try g.update(c, to: a + c)
        let program = try Engine.compile(g, outputs: [])
        program.run()
        XCTAssertEqual(try program.arena.value("a"), [2, 2])
        XCTAssertEqual(try program.arena.value("b"), [1, 1])
        XCTAssertEqual(try program.arena.value("c"), [4, 4])
        program.run()
        XCTAssertEqual(try program.arena.value("a"), [1, 1])
        XCTAssertEqual(try program.arena.value("b"), [2, 2])
        XCTAssertEqual(try program.arena.value("c"), [6, 6])
    }

    /// An update records node ids: a value from another graph would name an unrelated node of this one.
    func testUpdateRefusesATensorOfAnotherGraph() throws {
        let g = Graph(), other = Graph()
        let buffer = try g.buffer("b", shape: [2], initializer: .zeros)
        XCTAssertThrowsError(try g.update(buffer, to: other.input("x", shape: [2]))) {
            XCTAssertEqual($0 as? GraphError, .foreignTensor(op: "update"))
        }
    }

    /// gradCheck reads parameters and buffers before the run, as the forward pass saw them.
    func testGradCheckWithAnUpdatedBuffer() {
        gradCheck({ g in
            let w = try self.parameter(g, "w", [3])
            let scale = try g.buffer("scale", shape: [3], initializer: .constant(0.5))
            try g.update(scale, to: scale * 3)
            return try (w * w * scale).sum()
        })
    }

    /// A second input of the same name was never fed (only the last node got the values).
    func testTwoInputsWithOneNameAreRefused() throws {
        let g = Graph()
        let y = try g.input("x", shape: [2]) + g.input("x", shape: [2])
        XCTAssertThrowsError(try Engine.compile(g, outputs: [y])) {
            XCTAssertEqual($0 as? EngineError, .duplicateInput("x"))
        }
    }

    func testMeanCountsARepeatedAxisOnce() throws {
        let g = Graph()
        let y = try g.input("x", shape: [2, 3]).mean(axes: [1, -1])
        let program = try checkOutputs(g, [y], inputs: ["x": [1, 2, 3, 4, 5, 6]])
        XCTAssertEqual(try program.read(y), [2, 5])
    }

    /// The gradient copy writes as many floats as the gradient has: a wrong shape overran the slot.
    func testGradientsOfTheWrongShapeAreRefused() throws {
        let g = Graph()
        let w = try parameter(g, "w", [2]), v = try parameter(g, "v", [3])
        let loss = try v.sum()
        XCTAssertThrowsError(try Engine.compile(g, outputs: [loss], gradients: [(w, try v * 2)])) {
            XCTAssertEqual($0 as? EngineError, .gradientShape(key: "w", expected: [2], got: [3]))
        }
        // A shared arena whose slot differs from the graph's parameter, which the loss does not use.
        let other = Graph()
        _ = try (parameter(other, "w", [5]), parameter(other, "v", [3]))
        let arena = ParameterArena(graph: other, seed: 0)
        let zero = try g.gradients(of: loss, withRespectTo: [w])[0]
        XCTAssertThrowsError(try Engine.compile(g, outputs: [loss], gradients: [(w, zero)], arena: arena)) {
            XCTAssertEqual($0 as? EngineError, .parameterShape(key: "w", expected: [5], got: [2]))
        }
    }

    /// Ids that reach a gather through a per-step slice are checked like the whole input.
    func testIdsReachingAGatherThroughASliceAreChecked() throws {
        let g = Graph()
        let table = try parameter(g, "table", [4, 2])
        let tokens = g.input("tokens", shape: [3, 2], dtype: .int32)
        let step = try table.gathered(at: tokens.sliced(axis: 0, 1..<2).reshaped(to: [2]))
        let program = try Engine.compile(g, outputs: [step])
        try program.setInput("tokens", [0, 1, 2, 3, 3, 0])
        XCTAssertThrowsError(try program.setInput("tokens", [0, 1, 2, 4, 3, 0])) {
            XCTAssertEqual($0 as? EngineError, .indexOutOfRange(input: "tokens", position: 3, value: 4, bound: 4))
        }
    }

    /// The names an unknown-input error lists are sorted, so that the error compares equal every run.
    func testUnknownInputListsNamesInOrder() throws {
        let g = Graph()
        let names = ["e", "b", "d", "a", "c", "f"]
        let sum = try names.dropFirst().reduce(g.input(names[0], shape: [1])) { try $0 + g.input($1, shape: [1]) }
        let program = try Engine.compile(g, outputs: [sum])
        XCTAssertThrowsError(try program.setInput("x", [1])) {
            XCTAssertEqual($0 as? EngineError, .unknownInput("x", known: names.sorted()))
        }
    }

    // MARK: Corners that hold

    func testOneMatmulAddedToItself() throws {
        let g = Graph()
        let m = try g.input("x", shape: [2, 3]).matmul(try parameter(g, "w", [3, 4]))
        _ = try checkOutputs(g, [try m + m], inputs: ["x": values(6)])
    }

    /// An accumulation chain whose result is an output and, through a view, read again.
    func testAccumulationChainAsOutput() throws {
        let g = Graph()
        let x = g.input("x", shape: [2, 3]), w = try parameter(g, "w", [3, 3])
        let s1 = try x.tanh() + x.matmul(w)
        let s2 = try s1 + s1.tanh().matmul(w)
        let s3 = try (s2.reshaped(to: [6]).exp() + 1).reshaped(to: [2, 3]) + x.matmul(w, transposeB: true)
        let program = try checkOutputs(g, [s2, s3], inputs: ["x": values(6)])
        XCTAssertTrue(program.kernelCalls.contains { $0.hasSuffix("+=") }, "\(program.kernelCalls)")
    }

    /// Summed matmul gradients accumulate in place into the arena slot while also being an output.
    func testAccumulatedGradientThatIsAlsoAnOutput() throws {
        let g = Graph()
        let x = g.input("x", shape: [2, 3]), w = try parameter(g, "w", [3, 3])
        var h = x
        for _ in 0..<3 { h = try h.matmul(w).tanh() }
        let loss = try h.sum()
        let gradient = try g.gradients(of: loss, withRespectTo: [w])[0]
        let program = try Engine.compile(g, outputs: [loss, gradient], gradients: [(w, gradient)], seed: 1)
        try program.setInput("x", values(6))
        program.run()
        XCTAssertTrue(program.kernelCalls.contains { $0.hasSuffix("+=") }, "\(program.kernelCalls)")
        XCTAssertEqual(try program.read(gradient), try program.arena.gradient("w"))
    }

    func testGradientsThroughViewsUnusedParametersAndSharedUpstream() {
        gradCheck({ g in   // a parameter used only through a reshape
            let v = try self.parameter(g, "w", [2, 6]).reshaped(to: [3, 4])
            return try g.input("x", shape: [2, 3]).matmul(v).tanh().sum()
        }, inputs: ["x": values(6)])
        gradCheck({ g in   // through two overlapping leading-axis slices (views)
            let w = try self.parameter(g, "w", [4, 3]), x = g.input("x", shape: [2, 3])
            return try (x.matmul(w.sliced(axis: 0, 0..<3)) + x.matmul(w.sliced(axis: 0, 1..<4))).tanh().sum()
        }, inputs: ["x": values(6)])
        gradCheck({ g in   // "unused" gets a zero gradient
            let w = try self.parameter(g, "w", [3, 3])
            _ = try self.parameter(g, "unused", [2])
            return try g.input("x", shape: [2, 3]).matmul(w).sum()
        }, inputs: ["x": values(6)])
        gradCheck({ g in   // both parameters receive the very same gradient node
            try (try self.parameter(g, "a", [2, 3]) + self.parameter(g, "b", [2, 3])).sum()
        })
        gradCheck({ g in   // the parameter as either operand of the products summed in place
            let w = try self.parameter(g, "w", [3, 3]), x = g.input("x", shape: [3, 3])
            return try (x.matmul(w) + w.matmul(x) + w.matmul(w, transposeA: true)).tanh().sum()
        }, inputs: ["x": values(9)])
    }

    func testViewsConcatenatedAndReturned() throws {
        let g = Graph()
        let x = g.input("x", shape: [4, 3])
        let rows = try x.sliced(axis: 0, 1..<3), first = try x.sliced(axis: 0, 0..<1)
        let joined = try Tensor.concatenated([rows, first, rows], axis: 0)
        _ = try checkOutputs(g, [joined, try x.reshaped(to: [12]), rows, try x.sliced(axis: 1, 1..<2)], inputs: ["x": values(12)])
    }

    func testProgramsCompiledTwiceFromOneGraphAgree() throws {
        let g = Graph()
        let x = g.input("x", shape: [2, 3]), w = try parameter(g, "w", [3, 3])
        let loss = try x.matmul(w).tanh().matmul(w).sum()
        let gradient = try g.gradients(of: loss, withRespectTo: [w])[0]
        let a = try Engine.compile(g, outputs: [loss], gradients: [(w, gradient)], seed: 1)
        let b = try Engine.compile(g, outputs: [loss], gradients: [(w, gradient)], arena: a.arena, seed: 1)
        for program in [a, b] { try program.setInput("x", values(6)) }
        a.run()
        let first = try a.arena.gradient("w")
        a.arena.gradients.update(repeating: .nan)
        b.run()
        XCTAssertEqual(try b.arena.gradient("w"), first)
        XCTAssertEqual(try a.scalar(loss), try b.scalar(loss))
    }

    /// Two dropouts draw two masks; each mask is the same in the forward and the backward pass.
    func testTwoDropoutsOfOneTensor() throws {
        let g = Graph()
        let w = try g.parameter("w", shape: [64], initializer: .ones, decay: false)
        let (d1, d2) = (try w.dropout(0.5), try w.dropout(0.5))
        let loss = try (d1 * d2).sum()
        let gradient = try g.gradients(of: loss, withRespectTo: [w])[0]
        let program = try Engine.compile(g, outputs: [loss, d1, d2], gradients: [(w, gradient)], seed: 9)
        program.run()
        let (m1, m2) = (try program.read(d1), try program.read(d2))   // 0 or 2 at w = 1
        XCTAssertNotEqual(m1, m2)
        XCTAssertEqual(try program.arena.gradient("w"), zip(m1, m2).map { 2 * $0 * $1 })
        XCTAssertEqual(try program.scalar(loss), zip(m1, m2).map { $0 * $1 }.reduce(0, +))
    }

    /// A mask shared along an axis is one draw per index of the other axes: locked dropout over time
    /// (axis 0 of (T, B, C)) and whole rows of a (V, C) table (axis 1). Survivors are scaled by 1/(1 − p),
    /// and about p of the draws drop.
    func testDropoutSharedAlongAnAxis() throws {
        let g = Graph()
        let x = try g.parameter("x", shape: [5, 40, 30], initializer: .ones, decay: false)
        let locked = try x.dropout(0.25, sharedAlong: [0])
        let rows = try x.reshaped(to: [200, 30]).dropout(0.25, sharedAlong: [1])
        let program = try Engine.compile(g, outputs: [locked, rows], seed: 3)
        program.run()
        let (l, r) = (try program.read(locked), try program.read(rows))
        XCTAssertEqual(Set(l + r), [0, 4 / 3])
        let step = 40 * 30
        for t in 1..<5 { XCTAssertEqual(Array(l[(t * step)..<((t + 1) * step)]), Array(l[0..<step])) }
        for row in 0..<200 { XCTAssertEqual(Set(r[(row * 30)..<((row + 1) * 30)]).count, 1, "row \(row)") }
        XCTAssertEqual(Double(l[0..<step].filter { $0 == 0 }.count) / Double(step), 0.25, accuracy: 0.04)
        XCTAssertThrowsError(try x.dropout(0.5, sharedAlong: [3]))
    }
}

final class GradientListTests: XCTestCase {
    func testAParameterListedTwiceIsRefused() throws {
        let g = Graph()
        let w = try g.parameter("w", shape: [2], initializer: .ones, decay: false)
        let loss = try (w * w).sum()
        let gradient = try g.gradients(of: loss, withRespectTo: [w])[0]
        XCTAssertThrowsError(try Engine.compile(g, outputs: [loss], gradients: [(w, gradient), (w, gradient)])) {
            XCTAssertEqual($0 as? EngineError, .duplicateGradient("w"))
        }
    }
}
