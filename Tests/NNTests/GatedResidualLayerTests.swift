import Core
import Engine
import Foundation
import Graph
import NN
import TestSupport
import XCTest

final class GatedResidualLayerTests: XCTestCase {
    func testKeysAndShapes() throws {
        let g = Graph()
        let layer = try GatedResidualLayer(g, key: "layers.3", residualChannels: 4, dilationChannels: 5, skipChannels: 6,
                                           kernelSize: 3, dilation: 8)
        XCTAssertEqual(registered(g), [
            "layers.3.filter_gate.weight (10, 4, 3) decay", "layers.3.filter_gate.bias (10,)",
            "layers.3.residual.weight (4, 5) decay", "layers.3.residual.bias (4,)",
            "layers.3.skip.weight (6, 5) decay", "layers.3.skip.bias (6,)",
        ])
        let (output, skip) = try layer(g.input("x", shape: [2, 7, 4]))
        XCTAssertEqual(output.shape, [2, 7, 4])
        XCTAssertEqual(skip.shape, [2, 7, 6])
        XCTAssertEqual(layer.reach, 16, "(K − 1)·d")
    }

    /// One channel everywhere, K = 2, dilation 2: f[t] = wf1·x[t] + wf0·x[t − 2] + bf, likewise g,
    /// z = tanh(f)·σ(g), output = x + wr·z + br, skip = ws·z + bs, zeros before the start.
    func testSmallCaseByHand() throws {
        let g = Graph()
        let layer = try GatedResidualLayer(g, key: "", residualChannels: 1, dilationChannels: 1, skipChannels: 1,
                                           dilation: 2)
        let (output, skip) = try layer(g.input("x", shape: [1, 5, 1]))
        let program = try Engine.compile(g, outputs: [output, skip])
        let (wf, bf, wg, bg): ([Float], Float, [Float], Float) = ([0.5, -1], 0.1, [2, 0.25], -0.3)
        let (wr, br, ws, bs): (Float, Float, Float, Float) = (1.5, 0.2, -2, 0.05)
        try program.arena.setValue("filter_gate.weight", wf + wg)          // (2D 2, R 1, K 2): filter row, gate row
        try program.arena.setValue("filter_gate.bias", [bf, bg])
        try program.arena.setValue("residual.weight", [wr])
        try program.arena.setValue("residual.bias", [br])
        try program.arena.setValue("skip.weight", [ws])
        try program.arena.setValue("skip.bias", [bs])
        let x: [Float] = [0.1, -0.2, 0.3, 0.4, -0.5]
        try program.setInput("x", x)
        program.run()

        let z = x.indices.map { t in
            let past = t >= 2 ? x[t - 2] : 0
            let f = wf[1] * x[t] + wf[0] * past + bf
            let gate = wg[1] * x[t] + wg[0] * past + bg
            return Foundation.tanh(f) / (1 + Foundation.exp(-gate))
        }
        assertClose(try program.read(output), x.indices.map { x[$0] + wr * z[$0] + br }, rtol: 1e-5, atol: 1e-6, "output")
        assertClose(try program.read(skip), z.map { ws * $0 + bs }, rtol: 1e-5, atol: 1e-6, "skip")
    }

    /// Changing x at step s changes both outputs at s (the residual and the current tap) and at s + d
    /// (the dilated tap) only.
    func testOutputsDependOnTheDilatedTapsOnly() throws {
        let (steps, d) = (9, 3)
        let g = Graph()
        let layer = try GatedResidualLayer(g, key: "layer", residualChannels: 1, dilationChannels: 2, skipChannels: 1,
                                           dilation: d)
        let (output, skip) = try layer(g.input("x", shape: [1, steps, 1]))
        var x = fixedValues(steps, salt: 4)
        let program = try execute(g, [output, skip], inputs: ["x": x], seed: 3)
        let before = (try program.read(output), try program.read(skip))
        x[2] += 1
        try program.setInput("x", x)
        program.run()
        let after = (try program.read(output), try program.read(skip))
        XCTAssertEqual((0..<steps).filter { after.0[$0] != before.0[$0] }, [2, 2 + d], "output")
        XCTAssertEqual((0..<steps).filter { after.1[$0] != before.1[$0] }, [2, 2 + d], "skip")
    }

    /// Both outputs feed the loss, with different weights, so that every parameter's gradient sums the
    /// residual path's and the skip path's contributions.
    func testGradientsThroughBothOutputs() {
        for kernelSize in [2, 3] {
            gradCheck({ g in
                let layer = try GatedResidualLayer(g, key: "layer", residualChannels: 2, dilationChannels: 3,
                                                   skipChannels: 4, kernelSize: kernelSize, dilation: 2)
                let (output, skip) = try layer(g.input("x", shape: [2, 5, 2]))
                return try weightedSum(output, name: "output_weights") + weightedSum(skip, name: "skip_weights")
            }, inputs: ["x": fixedValues(20, salt: 2), "output_weights": fixedValues(20, salt: 5),
                        "skip_weights": fixedValues(40, salt: 1)])
        }
    }
}
