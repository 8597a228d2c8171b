import Core
import Engine
import Foundation
import Graph
import NN
import TestSupport
import XCTest

/// The LSTM with a projection (PyTorch's `proj_size`, ELMo's LSTMP) and ELMo's scalar mix.
final class ProjectedLSTMTests: XCTestCase {
    private let (steps, batchSize, inputSize, hiddenSize, projectionSize) = (3, 2, 3, 4, 2)

    func testProjectionKeysAndShapes() throws {
        let g = Graph()
        let cell = try LSTMCell(g, key: "lstm", inputSize: inputSize, hiddenSize: hiddenSize, projectionSize: projectionSize)
        XCTAssertEqual(registered(g), ["lstm.w_ih (16, 3) decay", "lstm.w_hh (16, 2) decay", "lstm.b_ih (16,)", "lstm.b_hh (16,)",
                                       "lstm.w_hr (2, 4) decay"])
        XCTAssertEqual(cell.stateWidths, [2, 4])
        XCTAssertEqual(cell.outputSize, 2)
        XCTAssertEqual(cell.hiddenSize, 4)
        XCTAssertEqual(try LSTMCell(g, key: "plain", inputSize: 3, hiddenSize: 4).stateWidths, [4, 4])
    }

    /// Against c' = σ(f)·c + σ(i)·tanh(g), h' = W_hr·(σ(o)·tanh(c')), run right to left from a given state.
    func testReversedProjectedLSTMMatchesTheEquationsByHand() throws {
        let (h, p) = (hiddenSize, projectionSize)
        let g = Graph()
        let cell = try LSTMCell(g, key: "lstm", inputSize: inputSize, hiddenSize: h, projectionSize: p)
        let initial = [g.input("h0", shape: [batchSize, p]), g.input("c0", shape: [batchSize, h])]
        let (output, state) = try cell.unrolled(g.input("x", shape: [steps, batchSize, inputSize]), from: initial, reversed: true)
        let x = fixedValues(steps * batchSize * inputSize, salt: 1)
        let h0 = fixedValues(batchSize * p, salt: 5), c0 = fixedValues(batchSize * h, salt: 9)
        let program = try execute(g, [output, state[0], state[1]], inputs: ["x": x, "h0": h0, "c0": c0])
        let value = { (name: String) in try program.arena.value("lstm." + name) }
        let (wih, whh, bih, bhh, whr) = (try value("w_ih"), try value("w_hh"), try value("b_ih"), try value("b_hh"), try value("w_hr"))
        let sigmoid = { (v: Float) in 1 / (1 + Foundation.exp(-v)) }
        let y = try program.read(output)
        XCTAssertEqual(output.shape, [steps, batchSize, p])
        for b in 0..<batchSize {
            var (hidden, memory) = (row(h0, b, width: p), row(c0, b, width: h))
            for t in (0..<steps).reversed() {
                let gates = sum(multiply(wih, row(x, t * batchSize + b, width: inputSize), rows: 4 * h), bih,
                                multiply(whh, hidden, rows: 4 * h), bhh)
                let gate = { (k: Int, j: Int) in gates[k * h + j] }
                memory = (0..<h).map { j in sigmoid(gate(1, j)) * memory[j] + sigmoid(gate(0, j)) * Foundation.tanh(gate(2, j)) }
                hidden = multiply(whr, (0..<h).map { j in sigmoid(gate(3, j)) * Foundation.tanh(memory[j]) }, rows: p)
                assertClose(row(y, t * batchSize + b, width: p), hidden, rtol: 1e-5, atol: 1e-6, "t \(t) b \(b)")
            }
            assertClose(row(try program.read(state[0]), b, width: p), hidden, rtol: 1e-5, atol: 1e-6, "final h")
            assertClose(row(try program.read(state[1]), b, width: h), memory, rtol: 1e-5, atol: 1e-6, "final c")
        }
    }

    /// Every weight, through a masked right-to-left run (the second sequence one step shorter) and
    /// both final state tensors.
    func testProjectedLSTMGradients() {
        let inputs = ["x": fixedValues(steps * batchSize * inputSize, salt: 3), "mask": [1, 1, 1, 1, 1, 0],
                      "weights": fixedValues(steps * batchSize * projectionSize, salt: 4),
                      "h_weights": fixedValues(batchSize * projectionSize, salt: 6),
                      "c_weights": fixedValues(batchSize * hiddenSize, salt: 8)]
        gradCheck({ g in
            let cell = try LSTMCell(g, key: "lstm", inputSize: self.inputSize, hiddenSize: self.hiddenSize,
                                    projectionSize: self.projectionSize)
            let (output, state) = try cell.unrolled(g.input("x", shape: [self.steps, self.batchSize, self.inputSize]),
                                                    from: cell.zeroState(batchSize: self.batchSize, in: g), reversed: true,
                                                    mask: g.input("mask", shape: [self.steps, self.batchSize]))
            return try weightedSum(output) + weightedSum(state[0], name: "h_weights") + weightedSum(state[1], name: "c_weights")
        }, inputs: inputs)
    }

    /// γ · Σ softmax(s)_j · h_j by hand, with s and γ set away from their start.
    func testScalarMixByHand() throws {
        let g = Graph()
        let mix = try ScalarMix(g, key: "mix", layers: 3)
        let layers = (0..<3).map { g.input("h\($0)", shape: [2, 2]) }
        let values = (0..<3).map { fixedValues(4, salt: $0 * 5) }
        let (output, mean) = (try mix(layers), try ScalarMix.uniform(layers))
        let program = try Engine.compile(g, outputs: [output, mean])
        XCTAssertEqual(try program.arena.value("mix.scalars"), [0, 0, 0])
        XCTAssertEqual(try program.arena.value("mix.gamma"), [1])
        try program.arena.setValue("mix.scalars", [0.5, -1, 2])
        try program.arena.setValue("mix.gamma", [1.5])
        for (index, layer) in values.enumerated() { try program.setInput("h\(index)", layer) }
        program.run()
        let exponentials = [0.5, -1, 2].map { Foundation.exp(Float($0)) }
        let weights = exponentials.map { $0 / exponentials.reduce(0, +) }
        let expected = (0..<4).map { i in 1.5 * (0..<3).reduce(Float(0)) { $0 + weights[$1] * values[$1][i] } }
        assertClose(try program.read(output), expected, rtol: 1e-5, atol: 1e-6)
        assertClose(try program.read(mean), (0..<4).map { i in values.reduce(Float(0)) { $0 + $1[i] } / 3 }, rtol: 1e-5,
                    atol: 1e-6)
    }

    func testScalarMixGradients() {
        var inputs = ["weights": fixedValues(6, salt: 2)]
        for j in 0..<3 { inputs["h\(j)"] = fixedValues(6, salt: 3 * j + 1) }
        gradCheck({ g in
            let mix = try ScalarMix(g, key: "mix", layers: 3)
            return try weightedSum(mix((0..<3).map { g.input("h\($0)", shape: [2, 3]) }))
        }, inputs: inputs)
    }
}
