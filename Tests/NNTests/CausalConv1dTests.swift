import Core
import Engine
import Graph
import NN
import TestSupport
import XCTest

final class CausalConv1dTests: XCTestCase {
    func testKeysAndPyTorchLayout() throws {
        let g = Graph()
        let conv = try CausalConv1d(g, key: "conv", inChannels: 2, outChannels: 3, kernelSize: 2, dilation: 4)
        XCTAssertEqual(registered(g), ["conv.weight (3, 2, 2) decay", "conv.bias (3,)"])
        XCTAssertEqual(try conv(g.input("x", shape: [2, 7, 2])).shape, [2, 7, 3])
    }

    /// One channel, K = 2, dilation 2: y[t] = W[1]·x[t] + W[0]·x[t − 2] + b, zeros before the start.
    func testSmallCaseByHand() throws {
        let g = Graph()
        let conv = try CausalConv1d(g, key: "conv", inChannels: 1, outChannels: 1, kernelSize: 2, dilation: 2)
        let y = try conv(g.input("x", shape: [1, 5, 1]))
        let program = try Engine.compile(g, outputs: [y])
        try program.arena.setValue("conv.weight", [0.5, 2])
        try program.arena.setValue("conv.bias", [0.25])
        try program.setInput("x", [1, 2, 3, 4, 5])
        program.run()
        XCTAssertEqual(try program.read(y), [2.25, 4.25, 6.75, 9.25, 11.75])
    }

    /// Several channels against PyTorch's definition written as loops: y[b, t, o] = bias[o] +
    /// Σ_k Σ_c W[o, c, k]·xpad[b, t + k·d, c] with xpad the input left-padded by (K − 1)·d.
    func testMatchesPyTorchConv1dOnLeftPaddedInput() throws {
        let (batch, steps, cin, cout, k, d) = (2, 6, 2, 3, 3, 2)
        let g = Graph()
        let conv = try CausalConv1d(g, key: "conv", inChannels: cin, outChannels: cout, kernelSize: k, dilation: d)
        let y = try conv(g.input("x", shape: [batch, steps, cin]))
        let x = fixedValues(batch * steps * cin, salt: 3)
        let program = try execute(g, [y], inputs: ["x": x])
        let w = try program.arena.value("conv.weight"), bias = try program.arena.value("conv.bias")
        let reach = (k - 1) * d
        var expected: [Float] = []
        for b in 0..<batch { for t in 0..<steps { for o in 0..<cout {
            var sum = bias[o]
            for tap in 0..<k { for channel in 0..<cin {
                let source = t + tap * d - reach
                if source >= 0 {
                    let weight: Float = w[(o * cin + channel) * k + tap], input: Float = x[(b * steps + source) * cin + channel]
                    sum += weight * input
                }
            } }
            expected.append(sum)
        } } }
        assertClose(try program.read(y), expected, rtol: 1e-5, atol: 1e-6)
    }

    /// Changing x at step s changes y at steps ≥ s only, and exactly those within the receptive field.
    func testOutputDependsOnPastInputsOnly() throws {
        let (steps, k, d) = (8, 2, 3)
        let g = Graph()
        let conv = try CausalConv1d(g, key: "conv", inChannels: 1, outChannels: 1, kernelSize: k, dilation: d)
        let y = try conv(g.input("x", shape: [1, steps, 1]))
        var x = fixedValues(steps, salt: 1)
        let program = try execute(g, [y], inputs: ["x": x])
        let before = try program.read(y)
        x[2] += 1
        try program.setInput("x", x)
        program.run()
        let after = try program.read(y)
        XCTAssertEqual((0..<steps).filter { after[$0] != before[$0] }, [2, 2 + d], "y[t] reads x[t] and x[t − d]")
    }

    func testGradients() {
        gradCheck({ g in
            let conv = try CausalConv1d(g, key: "conv", inChannels: 2, outChannels: 3, kernelSize: 3, dilation: 2)
            return try weightedSum(conv(g.input("x", shape: [2, 5, 2])))
        }, inputs: ["x": fixedValues(20, salt: 2), "weights": fixedValues(30)])
    }
}
