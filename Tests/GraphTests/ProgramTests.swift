import Autodiff
import Core
@testable import Engine
import Graph
import TestSupport
import XCTest

final class ProgramTests: XCTestCase {
    /// A chain of 20 elementwise ops needs two live intermediates at a time, not twenty.
    func testActivationsAreReusedByLiveness() throws {
        let g = Graph()
        let x = g.input("x", shape: [1000])
        var y = x
        for _ in 0..<20 { y = y.tanh() }
        let program = try Engine.compile(g, outputs: [y])
        XCTAssertLessThanOrEqual(program.activationBytes, 4 * 1008 * 4, "input, output and two scratch buffers at most")
        try program.setInput("x", (0..<1000).map { Float($0) / 1000 })
        program.run()
        var expected = (0..<1000).map { Double($0) / 1000 }
        for _ in 0..<20 { expected = expected.map { Foundation.tanh($0) } }
        assertClose(try program.read(y), expected.map(Float.init), rtol: 1e-5)
    }

    /// Reshapes and leading-axis slices are views: no copy and no extra memory.
    func testViewsShareStorage() throws {
        let g = Graph()
        let x = g.input("x", shape: [4, 256])
        let step = try x.sliced(axis: 0, 2..<3).reshaped(to: [16, 16])
        let y = try step * 2
        let program = try Engine.compile(g, outputs: [y])
        XCTAssertEqual(program.kernelCalls, ["mul"], "the slice and the reshape run no kernel")
        XCTAssertEqual(program.activationBytes, (1024 + 16 + 256) * 4, "input, constant and output only")
        try program.setInput("x", (0..<1024).map(Float.init))
        program.run()
        XCTAssertEqual(try program.read(y), (512..<768).map { Float($0) * 2 })
    }

    /// A permute that keeps the last axis last costs no copy where only matmuls read it (attention's
    /// head split) or where a matmul's result feeds it alone (the merge): the products read and write
    /// through its strides, in the forward and the backward pass, and the loss and gradient stay the
    /// Float64 reference's (finite differences).
    func testPermutesAroundMatmulsFoldIntoThem() throws {
        let (b, t, h, d) = (2, 3, 2, 4)
        let g = Graph()
        let x = g.input("x", shape: [b * t, h * d])
        let w = try g.parameter("w", shape: [h * d, h * d], initializer: .uniform(low: -0.5, high: 0.5), decay: true)
        let heads = { (y: Tensor) in try y.reshaped(to: [b, t, h, d]).permuted([0, 2, 1, 3]) }   // (b, h, t, d)
        let (q, k, v) = (try heads(x.matmul(w)), try heads(x), try heads(x.tanh()))
        let weights = try q.matmul(k, transposeB: true).softmax()                                  // (b, h, t, t)
        // (t, b, h, d): a merge that is not its own inverse, so that the result's strides must invert it.
        let y = try weights.matmul(v).permuted([2, 0, 1, 3]).reshaped(to: [t * b, h * d])
        let loss = try (y.matmul(w) * y).sum()
        let gradient = try g.gradients(of: loss, withRespectTo: [w])[0]
        let feed = (0..<(b * t * h * d)).map { Double(($0 * 13) % 17) / 17 - 0.5 }
        for threads in [1, 2] {
            let program = try Engine.compile(g, outputs: [loss], gradients: [(w, gradient)], seed: 7, threads: threads)
            XCTAssertFalse(program.kernelCalls.contains("permute"), "\(program.kernelCalls)")
            try program.setInput("x", feed.map(Float.init))
            program.run()
            var reference = ReferenceInterpreter(graph: g, feeds: ["x": feed, "w": try program.arena.value("w").map(Double.init)])
            let base = reference.evaluate(loss)[0]
            XCTAssertEqual(Double(try program.read(loss)[0]), base, accuracy: 1e-5 * Swift.max(1, Swift.abs(base)))
            let analytic = try program.arena.gradient("w")
            for i in [0, 5, 18, 27, 63] {
                reference.feeds["w"]![i] += 1e-6
                let numeric = (reference.evaluate(loss)[0] - base) / 1e-6
                reference.feeds["w"]![i] -= 1e-6
                XCTAssertEqual(Double(analytic[i]), numeric, accuracy: 1e-3 * Swift.max(1, Swift.abs(numeric)), "w[\(i)]")
            }
        }
    }

    /// A random draw past the split threshold fills half its values on each of two threads, and they
    /// are the values one thread draws, run after run: dropout's masks do not depend on the thread count.
    /// Each run draws a new mask, keeping about 1 − p of the values, scaled by 1 / (1 − p).
    func testDropoutMasksAreTheSameAtOneAndTwoThreads() throws {
        let g = Graph(training: true)
        let x = g.input("x", shape: [256, 130])
        let y = try x.dropout(0.25)
        var runs: [[[Float]]] = []
        for threads in [1, 2] {
            let program = try Engine.compile(g, outputs: [y], seed: 3, threads: threads)
            try program.setInput("x", [Float](repeating: 1, count: x.shape.count))
            runs.append(try (0..<3).map { _ in
                program.run()
                return try program.read(y)
            })
        }
        XCTAssertEqual(runs[0], runs[1])
        XCTAssertNotEqual(runs[0][0], runs[0][1])
        for mask in runs[0] {
            XCTAssertEqual(Set(mask), [0, Float(1) / 0.75])
            XCTAssertEqual(Double(mask.filter { $0 == 0 }.count) / Double(mask.count), 0.25, accuracy: 0.01)
        }
    }

    /// With two threads a broadcast splits the rows of its leading axis, cutting each operand that spans
    /// that axis and reading the others whole. Every pairing of spanning, broadcasting (size 1) and
    /// shorter operands — among them one whose first axis has the output's length only by chance — gives
    /// the exact values of the Float64 reference (one rounding) at one and two threads. Each output is
    /// past the split threshold of 16,384 floats.
    func testBroadcastsSplitOverTwoThreadsGiveTheReferenceBits() throws {
        let cases: [(a: [Int], b: [Int], BinaryOp)] = [
            ([33, 17, 40], [40], .mul), ([33, 17, 40], [33, 1, 40], .add), ([1, 17, 40], [33, 17, 40], .sub),
            ([33, 17, 40], [17, 1], .div), ([520, 40], [520, 1], .maximum), ([130, 130], [130], .add),
            ([33, 1, 40], [1, 17, 40], .mul),
        ]
        for (aShape, bShape, op) in cases {
            let g = Graph()
            let (a, b) = (g.input("a", shape: Shape(aShape)), g.input("b", shape: Shape(bShape)))
            let y = try a.binary(op, b)
            // b in [1, 5): no division by zero.
            let aValues: [Float] = (0..<a.shape.count).map { Float(($0 * 7919) % 101) / 17 - 3 }
            let bValues: [Float] = (0..<b.shape.count).map { Float(($0 * 7907 + 5) % 97) / 24 + 1 }
            let feeds = ["a": aValues, "b": bValues]
            let expected = ReferenceInterpreter(graph: g, feeds: feeds.mapValues { $0.map(Double.init) }).evaluate(y).map(Float.init)
            for threads in [1, 2] {
                let program = try Engine.compile(g, outputs: [y], threads: threads)
                for (name, values) in feeds { try program.setInput(name, values) }
                program.run()
                XCTAssertEqual(try program.read(y), expected, "\(aShape) \(op) \(bShape) at \(threads) threads")
            }
        }
    }

    /// With SEQLAB_DEBUG=1 a program on two threads reports, per op and in all, the time its kernels ran
    /// on one thread: a 20,000-float tanh splits (none of its time is on one thread), a 100-float one
    /// does not (all of it is). On one thread the column and the summary are left out.
    func testDebugReportSaysWhereTheOtherThreadIdles() throws {
        // Restored afterwards, so that a suite run with SEQLAB_DEBUG=1 keeps its per-op timings.
        let before = getenv("SEQLAB_DEBUG").map { String(cString: $0) }
        setenv("SEQLAB_DEBUG", "1", 1)
        defer { if let before { setenv("SEQLAB_DEBUG", before, 1) } else { unsetenv("SEQLAB_DEBUG") } }
        let g = Graph()
        let (large, small) = (g.input("large", shape: [20_000]).tanh(), g.input("small", shape: [100]).exp())
        for threads in [1, 2] {
            let program = try Engine.compile(g, outputs: [large, small], threads: threads)
            try program.setInput("large", [Float](repeating: 0.5, count: 20_000))
            try program.setInput("small", [Float](repeating: 0.5, count: 100))
            for _ in 0..<3 { program.run() }
            let lines = program.timingReport().split(separator: "\n").map(String.init)
            guard threads == 2 else {
                XCTAssertEqual(lines.count, 3, "header and two ops: \(lines)")
                XCTAssertFalse(lines[0].contains("one-thread"))
                continue
            }
            XCTAssertTrue(lines[0].hasSuffix("one-thread ms"), lines[0])
            func columns(_ op: String) throws -> [String] {
                try XCTUnwrap(lines.first { $0.hasPrefix(op + " ") }).split(separator: " ").map(String.init)
            }
            let (tanh, exp) = (try columns("tanh"), try columns("exp"))
            guard tanh.count == 5, exp.count == 5 else { return XCTFail("five columns: \(tanh), \(exp)") }
            XCTAssertEqual(tanh[1], "3")
            XCTAssertEqual(tanh[4], "0.000", "the large tanh splits")
            XCTAssertEqual(exp[4], exp[2], "the small exp runs on one thread for all of its time")
            XCTAssertTrue(lines.last?.hasPrefix("on one thread: \(exp[2]) ms of ") ?? false, "\(lines.last ?? "")")
        }
    }

    /// Two programs that take turns on one shared scratch give the bits of the same programs with
    /// scratches of their own: their inputs (set once) and constants live in their own blocks and keep
    /// their values through the other's runs, and no kernel reads what another program left (the
    /// scratch starts full of NaN).
    func testProgramsTakingTurnsOnOneScratchGiveTheirOwnBits() throws {
        // A loss over pads, concatenations and a constant, and its gradient; `width` makes two shapes.
        func compile(width: Int, scratch: ActivationScratch?) throws -> (Program, Tensor) {
            let g = Graph(training: true)
            let w = try g.parameter("w", shape: [width, 3], initializer: .uniform(low: -1, high: 1), decay: true)
            let h = try g.input("x", shape: [2, width]).matmul(w).tanh()                       // (2, 3)
            let shifted = try (h.padded(axis: 1, before: 1, after: 0) * g.constant(0.5, shape: [2, 4])).sliced(axis: 1, 0..<3)
            let joined = try Tensor.concatenated([h, shifted], axis: 0)                           // (4, 3)
            let loss = try (joined * joined).sum()
            let gradient = try g.gradients(of: loss, withRespectTo: [w])[0]
            let program = try Engine.compile(g, outputs: [loss], gradients: [(w, gradient)], seed: UInt64(width), scratch: scratch)
            try program.setInput("x", (0..<(2 * width)).map { Float($0 % 5) * 0.3 - 0.6 })
            return (program, loss)
        }
        func result(_ program: Program, _ loss: Tensor) throws -> [Float] {
            program.run()
            return [try program.scalar(loss)] + (try program.arena.gradient("w"))
        }
        let (small, smallLoss) = try compile(width: 4, scratch: nil)
        let (large, largeLoss) = try compile(width: 9, scratch: nil)
        let expected = (small: try result(small, smallLoss), large: try result(large, largeLoss))

        let scratch = try XCTUnwrap(ActivationScratch.shared(), "the system reserves the address space")
        let (sharedSmall, sharedSmallLoss) = try compile(width: 4, scratch: scratch)
        let (sharedLarge, sharedLargeLoss) = try compile(width: 9, scratch: scratch)
        XCTAssertTrue(sharedSmall.scratch === scratch && sharedLarge.scratch === scratch)
        try poison(scratch, floats: sharedLarge.scratchFloats)
        for _ in 0..<2 {
            XCTAssertEqual(try result(sharedLarge, sharedLargeLoss), expected.large)
            XCTAssertEqual(try result(sharedSmall, sharedSmallLoss), expected.small)
        }
    }

    /// Summed matmul gradients accumulate in place (β = 1) and still equal the plain sum.
    func testAccumulatedMatmulsEqualTheirSum() throws {
        let g = Graph()
        let w = try g.parameter("w", shape: [3, 4], initializer: .uniform(low: -1, high: 1), decay: true)
        var h = g.input("h0", shape: [2, 3])
        for _ in 0..<5 { h = try h.matmul(w).tanh().matmul(w, transposeB: true) }
        let loss = try h.sum()
        let gradient = try g.gradients(of: loss, withRespectTo: [w])[0]
        let program = try Engine.compile(g, outputs: [loss], gradients: [(w, gradient)], seed: 3)
        try program.setInput("h0", [0.1, -0.2, 0.3, 0.4, 0.5, -0.6])
        program.run()
        var reference = ReferenceInterpreter(graph: g, feeds: ["h0": [0.1, -0.2, 0.3, 0.4, 0.5, -0.6],
                                                               "w": try program.arena.value("w").map(Double.init)])
        let base = reference.evaluate(loss)[0]
        let analytic = try program.arena.gradient("w")
        for i in 0..<12 {
            var shifted = reference.feeds["w"]!
            shifted[i] += 1e-6
            reference.feeds["w"] = shifted
            let numeric = (reference.evaluate(loss)[0] - base) / 1e-6
            shifted[i] -= 1e-6
            reference.feeds["w"] = shifted
            XCTAssertEqual(Double(analytic[i]), numeric, accuracy: 1e-3 * Swift.max(1, Swift.abs(numeric)), "element \(i)")
        }
    }

    /// Activations and layer norms are not kept for the backward pass (their inputs are, for their
    /// own gradients): the weight gradients that read them compute them again. A pre-norm stack of six
    /// residual GELU and ReLU MLPs of 32 × 128 keeps each layer's input and pre-activation alone — not
    /// also x̂, γ·x̂ + β and the activation — and its gradients still equal the Float64 reference's
    /// finite differences.
    func testActivationsAndNormsAreRecomputedForTheBackwardPass() throws {
        let (rows, width, layers) = (32, 128, 6)
        let g = Graph(training: true)
        var h = g.input("x", shape: [rows, width])
        var weights: [Tensor] = []
        for layer in 0..<layers {
            let gamma = try g.parameter("gamma\(layer)", shape: [width], initializer: .uniform(low: 0.5, high: 1.5), decay: false)
            let beta = try g.parameter("beta\(layer)", shape: [width], initializer: .uniform(low: -0.5, high: 0.5), decay: false)
            let fc = try g.parameter("fc\(layer)", shape: [width, width], initializer: .uniform(low: -0.2, high: 0.2), decay: true)
            let proj = try g.parameter("proj\(layer)", shape: [width, width], initializer: .uniform(low: -0.1, high: 0.1), decay: true)
            let pre = try (h.layerNormalized(eps: 1e-5) * gamma + beta).matmul(fc)                  // (32, 128)
            h = try (layer % 2 == 0 ? pre.gelu() : pre.relu()).matmul(proj) + h
            weights += [gamma, beta, fc, proj]
        }
        let loss = try (h * h).sum()
        let gradients = try g.gradients(of: loss, withRespectTo: weights)
        let program = try Engine.compile(g, outputs: [loss], gradients: Array(zip(weights, gradients)), seed: 5)
        let tensor = rows * width
        XCTAssertLessThan(program.scratchFloats, (2 * layers + 5) * tensor,
                          "keeping norms and activations would need \(5 * layers) tensors of \(tensor) floats")

        let x = (0..<tensor).map { Float(($0 * 37) % 23) / 23 - 0.5 }
        try program.setInput("x", x)
        program.run()
        var feeds = ["x": x.map(Double.init)]
        for w in weights { if case .parameter(let key) = w.node.op { feeds[key] = try program.arena.value(key).map(Double.init) } }
        var reference = ReferenceInterpreter(graph: g, feeds: feeds)
        let base = reference.evaluate(loss)[0]
        for key in ["gamma0", "beta0", "fc0", "proj0", "gamma1", "fc1", "proj5"] {
            let analytic = try program.arena.gradient(key)
            for i in [0, 3, 101] {
                reference.feeds[key]![i] += 1e-6
                let numeric = (reference.evaluate(loss)[0] - base) / 1e-6
                reference.feeds[key]![i] -= 1e-6
                XCTAssertEqual(Double(analytic[i]), numeric, accuracy: 2e-3 * Swift.max(1, Swift.abs(numeric)), "\(key)[\(i)]")
            }
        }
    }

    /// A dropped activation is kept, not recomputed through its mask: the backward pass computes one
    /// ReLU again per MLP without dropout and none with it.
    func testRecomputationStopsAtADropoutMask() throws {
        for p: Float in [0, 0.1] {
            let g = Graph(training: true)
            let x = g.input("x", shape: [8, 16])
            let fc = try g.parameter("fc", shape: [16, 32], initializer: .uniform(low: -0.2, high: 0.2), decay: true)
            let proj = try g.parameter("proj", shape: [32, 16], initializer: .uniform(low: -0.2, high: 0.2), decay: true)
            let loss = try x.matmul(fc).relu().dropout(p).matmul(proj).sum()
            let forward = g.nodes.count
            _ = try g.gradients(of: loss, withRespectTo: [fc, proj])
            let recomputed = g.nodes[forward...].filter { $0.op == .binary(.maximum) }.count
            XCTAssertEqual(recomputed, p == 0 ? 1 : 0, "dropout \(p)")
        }
    }

    /// An elementwise result takes the slot of an input that nothing reads after it, so a chain of them
    /// needs one slot, not one each; an input read later keeps its own (`a` below, read by the last add),
    /// and so does one that another operand views; the values are the reference's, at one thread and two.
    func testElementwiseResultsOverwriteInputsReadForTheLastTime() throws {
        let g = Graph()
        let x = g.input("x", shape: [64, 512])
        let a = try x * 0.5
        let chain = try (a.exp() + 1).log().tanh() * 3 - 1          // two slots without the reuse
        // b − b[0:1]: the second operand is a view of the first's storage, read row by row as the
        // result is written, so the result must not take that storage.
        let b = try x * 0.25
        let y = try chain + a + (b - b.sliced(axis: 0, 0..<1))
        let tensor = x.shape.count
        let feeds = ["x": (0..<tensor).map { Double(($0 * 7919) % 211) / 53 - 2 }]
        let expected = ReferenceInterpreter(graph: g, feeds: feeds).evaluate(y)
        for threads in [1, 2] {
            let program = try Engine.compile(g, outputs: [y], threads: threads)
            XCTAssertEqual(program.scratchFloats, 3 * tensor, "a, the chain and b − b[0:1], each in one slot")
            try program.setInput("x", feeds["x"]!.map(Float.init))
            program.run()
            for (ours, reference) in zip(try program.read(y), expected) {
                XCTAssertEqual(Double(ours), reference, accuracy: 1e-5 * Swift.max(1, Swift.abs(reference)))
            }
        }
    }

    func testBadInputsAreTypedErrors() throws {
        let g = Graph()
        let x = g.input("tokens", shape: [2, 3])
        let y = x.exp(), z = x.tanh()
        let program = try Engine.compile(g, outputs: [y])
        XCTAssertThrowsError(try program.setInput("token", [1])) {
            XCTAssertEqual($0 as? EngineError, .unknownInput("token", known: ["tokens"]))
        }
        XCTAssertThrowsError(try program.setInput("tokens", [1, 2])) {
            XCTAssertEqual($0 as? EngineError, .inputSize(name: "tokens", expected: 6, got: 2))
        }
        XCTAssertThrowsError(try program.read(z)) { XCTAssertEqual($0 as? EngineError, .notAnOutput(node: z.id)) }
    }

    func testOutOfRangeIdsAreRefusedBeforeTheyIndex() throws {
        let g = Graph()
        let table = try g.parameter("table", shape: [5, 2], initializer: .ones, decay: false)
        let ids = g.input("ids", shape: [2, 2], dtype: .int32), targets = g.input("targets", shape: [4], dtype: .int32)
        let loss = try table.gathered(at: ids).reshaped(to: [4, 2]).crossEntropy(targets: targets, ignoreIndex: -1)
        let program = try Engine.compile(g, outputs: [loss])
        try program.setInput("ids", [0, 4, 2, 3])
        try program.setInput("targets", [1, -1, 0, 1])   // the ignore index is allowed
        let cases: [(String, [Float], EngineError)] = [
            ("ids", [0, 5, 2, 3], .indexOutOfRange(input: "ids", position: 1, value: 5, bound: 5)),
            ("ids", [0, 1, -1, 3], .indexOutOfRange(input: "ids", position: 2, value: -1, bound: 5)),
            ("ids", [0, 1, 2, 2.5], .indexOutOfRange(input: "ids", position: 3, value: 2.5, bound: 5)),
            ("targets", [1, 2, 0, 1], .indexOutOfRange(input: "targets", position: 1, value: 2, bound: 2)),
        ]
        for (name, values, expected) in cases {
            XCTAssertThrowsError(try program.setInput(name, values)) { XCTAssertEqual($0 as? EngineError, expected) }
        }
    }

    func testProgramsShareOneArena() throws {
        func build(_ g: Graph) throws -> Tensor {
            let w = try g.parameter("w", shape: [2], initializer: .ones, decay: false)
            return try (w * g.input("x", shape: [2])).sum()
        }
        let train = Graph(), eval = Graph(training: false)
        let a = try Engine.compile(train, outputs: [try build(train)])
        let evalLoss = try build(eval)
        let b = try Engine.compile(eval, outputs: [evalLoss], arena: a.arena)
        try a.arena.setValue("w", [3, 4])
        try b.setInput("x", [1, 1])
        b.run()
        XCTAssertEqual(try b.scalar(evalLoss), 7)
        let other = Graph()
        _ = try other.parameter("w", shape: [3], initializer: .ones, decay: false)
        XCTAssertThrowsError(try Engine.compile(other, outputs: [other.tensor(0)], arena: a.arena)) {
            XCTAssertEqual($0 as? EngineError, .parameterShape(key: "w", expected: [2], got: [3]))
        }
    }

    func testMemorySummaryReportsEveryArena() throws {
        let g = Graph()
        let w = try g.parameter("w", shape: [4, 4], initializer: .ones, decay: true)
        let program = try Engine.compile(g, outputs: [try w.sum()])
        let summary = program.memorySummary(optimizerState: 32)
        for word in ["parameters       16 floats", "gradients        16 floats", "optimizer state  32 floats", "buffers", "activations"] {
            XCTAssertTrue(summary.contains(word), summary)
        }
    }
}
