import Core
import Engine
import Graph
import NN
import TestSupport
import XCTest

/// LayerNorm and BatchNorm1d: keys, values by hand, running statistics and gradients.
final class NormalizationTests: XCTestCase {
    func testLayerNormKeysAndValues() throws {
        let g = Graph()
        let norm = try LayerNorm(g, key: "ln", dimension: 4)
        XCTAssertEqual(registered(g), ["ln.weight (4,)", "ln.bias (4,)"])
        let y = try norm(g.input("x", shape: [2, 4]))
        let program = try Engine.compile(g, outputs: [y])
        try program.arena.setValue("ln.weight", [1, 2, 1, 0.5])
        try program.arena.setValue("ln.bias", [0, 0, 1, -1])
        try program.setInput("x", [1, 2, 3, 4, -1, -1, 1, 1])
        program.run()
        let a = 1 / Float(1.25 + 1e-5).squareRoot(), b = 1 / Float(1 + 1e-5).squareRoot()
        assertClose(try program.read(y), [-1.5 * a, -1 * a, 0.5 * a + 1, 0.75 * a - 1, -b, -2 * b, b + 1, 0.5 * b - 1],
                    rtol: 1e-5)

        let plain = Graph()
        _ = try LayerNorm(plain, key: "ln", dimension: 4, affine: false)
        _ = try LayerNorm(plain, key: "ln_nobias", dimension: 4, bias: false)
        XCTAssertEqual(registered(plain), ["ln_nobias.weight (4,)"])
    }

    func testLayerNormGradients() {
        gradCheck({ g in
            let linear = try Linear(g, key: "fc", inputSize: 3, outputSize: 5)
            let norm = try LayerNorm(g, key: "ln", dimension: 5)
            return try weightedSum(norm(linear(g.input("x", shape: [2, 3, 3]))))
        }, inputs: ["x": fixedValues(18, salt: 3), "weights": fixedValues(30)])
    }

    // MARK: BatchNorm1d

    /// x (N = 4, C = 3).
    private let x: [Float] = [1, -2, 0.5, 3, 0, 0.5, -1, 4, 2.5, 5, 2, -1]

    /// Per channel: the batch mean, the biased and the unbiased variance, computed by hand.
    private func statistics(_ x: [Float], channels: Int) -> (mean: [Float], biased: [Float], unbiased: [Float]) {
        let n = x.count / channels
        let mean = (0..<channels).map { c in (0..<n).reduce(Float(0)) { $0 + x[$1 * channels + c] } / Float(n) }
        let squares = (0..<channels).map { c in
            (0..<n).reduce(Float(0)) { $0 + (x[$1 * channels + c] - mean[c]) * (x[$1 * channels + c] - mean[c]) }
        }
        return (mean, squares.map { $0 / Float(n) }, squares.map { $0 / Float(n - 1) })
    }

    func testBatchNormKeysBuffersAndShapes() throws {
        let g = Graph()
        let norm = try BatchNorm1d(g, key: "bn", features: 3)
        XCTAssertEqual(registered(g), ["bn.weight (3,)", "bn.bias (3,)", "bn.running_mean (3,) buffer",
                                       "bn.running_var (3,) buffer"])
        XCTAssertEqual(try norm(g.input("x", shape: [2, 5, 3])).shape, [2, 5, 3])
        XCTAssertThrowsError(try norm(g.input("one", shape: [1, 3])), "one value per channel has no variance")
    }

    func testBatchNormTrainingNormalisesWithBatchStatisticsAndMovesRunningStatistics() throws {
        let g = Graph(training: true)
        let y = try BatchNorm1d(g, key: "bn", features: 3, momentum: 0.1)(g.input("x", shape: [4, 3]))
        let program = try execute(g, [y], inputs: ["x": x])
        let (mean, biased, unbiased) = statistics(x, channels: 3)
        let expected = x.indices.map { i in (x[i] - mean[i % 3]) / (biased[i % 3] + 1e-5).squareRoot() }
        assertClose(try program.read(y), expected, rtol: 1e-5, atol: 1e-6)
        let mean1 = mean.map { 0.1 * $0 }, var1 = unbiased.map { 0.9 + 0.1 * $0 }
        assertClose(try program.arena.value("bn.running_mean"), mean1, "momentum rule on zeros")
        assertClose(try program.arena.value("bn.running_var"), var1, "unbiased variance into ones")
        program.run()
        assertClose(try program.arena.value("bn.running_mean"), zip(mean1, mean).map { 0.9 * $0 + 0.1 * $1 },
                    "a second step moves them again")
        assertClose(try program.arena.value("bn.running_var"), zip(var1, unbiased).map { 0.9 * $0 + 0.1 * $1 })

        // An evaluation graph of the same layer shares the arena and uses the running statistics.
        let evaluation = Graph(training: false)
        let yEval = try BatchNorm1d(evaluation, key: "bn", features: 3)(evaluation.input("x", shape: [2, 3]))
        XCTAssertTrue(evaluation.updates.isEmpty, "evaluation leaves the running statistics alone")
        let gamma: [Float] = [1, 2, -1], beta: [Float] = [0, 0.5, 1], probe: [Float] = [0, 1, 2, -1, 3, 0.25]
        try program.arena.setValue("bn.weight", gamma)
        try program.arena.setValue("bn.bias", beta)
        let evalProgram = try execute(evaluation, [yEval], inputs: ["x": probe], arena: program.arena)
        let runningMean = try program.arena.value("bn.running_mean"), runningVar = try program.arena.value("bn.running_var")
        let expectedEval = probe.indices.map { (i: Int) -> Float in
            let c = i % 3
            let normalized: Float = (probe[i] - runningMean[c]) / (runningVar[c] + 1e-5).squareRoot()
            return normalized * gamma[c] + beta[c]
        }
        assertClose(try evalProgram.read(yEval), expectedEval, rtol: 1e-5, atol: 1e-6)
        XCTAssertEqual(try program.arena.value("bn.running_mean"), runningMean, "evaluation runs change nothing")
    }

    /// The normalisation statistics depend on x, so the gradient must flow through them: x comes from
    /// a Linear layer whose weight gets checked, over (N, L, C) input.
    func testBatchNormGradientsThroughBatchStatistics() {
        gradCheck({ g in
            let linear = try Linear(g, key: "fc", inputSize: 2, outputSize: 3)
            let norm = try BatchNorm1d(g, key: "bn", features: 3)
            return try weightedSum(norm(linear(g.input("x", shape: [3, 2, 2]))))
        }, inputs: ["x": fixedValues(12, salt: 4), "weights": fixedValues(18)])
    }
}
