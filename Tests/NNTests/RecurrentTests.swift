import Core
import Engine
import Foundation
import Graph
import NN
import TestSupport
import XCTest

final class RecurrentTests: XCTestCase {
    private let (steps, batchSize, inputSize, hiddenSize) = (3, 2, 3, 4)

    func testKeysFollowPyTorchOrderAndNames() throws {
        let g = Graph()
        _ = try GRU(g, key: "gru", inputSize: 3, hiddenSize: 4, layers: 2, bidirectional: true)
        let layer = { (prefix: String, input: Int) in
            ["\(prefix).w_ih (12, \(input)) decay", "\(prefix).w_hh (12, 4) decay", "\(prefix).b_ih (12,)",
             "\(prefix).b_hh (12,)"]
        }
        XCTAssertEqual(registered(g), layer("gru.layers.0", 3) + layer("gru.layers.0.reverse", 3)
                       + layer("gru.layers.1", 8) + layer("gru.layers.1.reverse", 8))
        let lstm = Graph()
        _ = try LSTM(lstm, key: "lstm", inputSize: 3, hiddenSize: 4)
        XCTAssertEqual(lstm.parameters.map(\.shape), [[16, 3], [16, 4], [16], [16]])
    }

    func testShapesOfOutputsAndStates() throws {
        let g = Graph()
        let x = g.input("x", shape: [steps, batchSize, inputSize])
        let bidirectional = try LSTM(g, key: "bi", inputSize: inputSize, hiddenSize: hiddenSize, layers: 2,
                                     bidirectional: true)
        let (output, states) = try bidirectional(x)
        XCTAssertEqual(output.shape, [steps, batchSize, 2 * hiddenSize], "bidirectional output is 2H wide")
        XCTAssertEqual(bidirectional.outputSize, 2 * hiddenSize)
        XCTAssertEqual(states.count, 4, "layers × directions")
        XCTAssertTrue(states.allSatisfy { $0.count == 2 && $0.allSatisfy { $0.shape == [batchSize, hiddenSize] } })
        let (rnnOutput, rnnStates) = try RNN(g, key: "rnn", inputSize: inputSize, hiddenSize: hiddenSize)(x)
        XCTAssertEqual(rnnOutput.shape, [steps, batchSize, hiddenSize])
        XCTAssertEqual(rnnStates.map(\.count), [1])
        let gru = try GRU(g, key: "gru", inputSize: inputSize, hiddenSize: hiddenSize)
        XCTAssertThrowsError(try gru(x, initialStates: []), "one state per layer and direction")
        XCTAssertThrowsError(try gru(g.input("wide", shape: [steps, batchSize, 5])))
    }

    /// A bidirectional RNN against the recurrence written out: the forward half reads t = 0, 1, 2,
    /// the reverse half t = 2, 1, 0, and both sit at their own time step in the output.
    func testBidirectionalRNNMatchesTheRecurrenceByHand() throws {
        let (h, width) = (hiddenSize, 2 * hiddenSize)
        let g = Graph()
        let rnn = try RNN(g, key: "rnn", inputSize: inputSize, hiddenSize: h, bidirectional: true)
        let (output, states) = try rnn(g.input("x", shape: [steps, batchSize, inputSize]))
        let x = fixedValues(steps * batchSize * inputSize, salt: 2)
        let program = try execute(g, [output] + states.flatMap { $0 }, inputs: ["x": x])
        let y = try program.read(output)
        for (direction, prefix) in ["rnn.layers.0", "rnn.layers.0.reverse"].enumerated() {
            let value = { (name: String) in try program.arena.value(prefix + "." + name) }
            let (wih, whh, bih, bhh) = (try value("w_ih"), try value("w_hh"), try value("b_ih"), try value("b_hh"))
            for b in 0..<batchSize {
                var state = [Float](repeating: 0, count: h)
                for t in direction == 0 ? [0, 1, 2] : [2, 1, 0] {
                    let xt = row(x, t * batchSize + b, width: inputSize)
                    state = sum(multiply(wih, xt, rows: h), bih, multiply(whh, state, rows: h), bhh).map { Foundation.tanh($0) }
                    let computed = Array(row(y, t * batchSize + b, width: width)[(direction * h)..<((direction + 1) * h)])
                    assertClose(computed, state, rtol: 1e-5, atol: 1e-6, "t \(t) b \(b) direction \(direction)")
                }
                assertClose(row(try program.read(states[direction][0]), b, width: h), state, rtol: 1e-5, atol: 1e-6,
                            "final state")
            }
        }
    }

    /// One LSTM layer against c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'), from a given state.
    func testLSTMMatchesTheGateEquationsByHand() throws {
        let h = hiddenSize
        let g = Graph()
        let lstm = try LSTM(g, key: "lstm", inputSize: inputSize, hiddenSize: h)
        let initial = [g.input("h0", shape: [batchSize, h]), g.input("c0", shape: [batchSize, h])]
        let (output, states) = try lstm(g.input("x", shape: [steps, batchSize, inputSize]), initialStates: [initial])
        let x = fixedValues(steps * batchSize * inputSize, salt: 1)
        let h0 = fixedValues(batchSize * h, salt: 5), c0 = fixedValues(batchSize * h, salt: 9)
        let program = try execute(g, [output, states[0][0], states[0][1]], inputs: ["x": x, "h0": h0, "c0": c0])
        let value = { (name: String) in try program.arena.value("lstm.layers.0." + name) }
        let (wih, whh, bih, bhh) = (try value("w_ih"), try value("w_hh"), try value("b_ih"), try value("b_hh"))
        let sigmoid = { (v: Float) in 1 / (1 + Foundation.exp(-v)) }
        let y = try program.read(output)
        for b in 0..<batchSize {
            var (hidden, cell) = (row(h0, b, width: h), row(c0, b, width: h))
            for t in 0..<steps {
                let xt = row(x, t * batchSize + b, width: inputSize)
                let gates = sum(multiply(wih, xt, rows: 4 * h), bih, multiply(whh, hidden, rows: 4 * h), bhh)
                let gate = { (k: Int, j: Int) in gates[k * h + j] }
                cell = (0..<h).map { j in sigmoid(gate(1, j)) * cell[j] + sigmoid(gate(0, j)) * Foundation.tanh(gate(2, j)) }
                hidden = (0..<h).map { j in sigmoid(gate(3, j)) * Foundation.tanh(cell[j]) }
                assertClose(row(y, t * batchSize + b, width: h), hidden, rtol: 1e-5, atol: 1e-6, "t \(t) b \(b)")
            }
            assertClose(row(try program.read(states[0][0]), b, width: h), hidden, rtol: 1e-5, atol: 1e-6, "final h")
            assertClose(row(try program.read(states[0][1]), b, width: h), cell, rtol: 1e-5, atol: 1e-6, "final c")
        }
    }

    /// Σ output ⊙ w plus Σ of every final state tensor ⊙ its own weights.
    private func loss(_ result: (output: Tensor, states: [[Tensor]])) throws -> Tensor {
        var total = try weightedSum(result.output)
        for (i, state) in result.states.flatMap({ $0 }).enumerated() {
            total = try total + weightedSum(state, name: "state_weights.\(i)")
        }
        return total
    }

    private func lossInputs(output: Int, states: Int) -> [String: [Float]] {
        var inputs = ["weights": fixedValues(output), "x": fixedValues(steps * batchSize * inputSize, salt: 3)]
        for i in 0..<states { inputs["state_weights.\(i)"] = fixedValues(batchSize * hiddenSize, salt: 7 + i) }
        return inputs
    }

    func testStackedBidirectionalRNNGradients() {
        gradCheck({ g in
            let rnn = try RNN(g, key: "rnn", inputSize: self.inputSize, hiddenSize: self.hiddenSize, layers: 2,
                              bidirectional: true, dropout: 0)
            return try self.loss(rnn(g.input("x", shape: [self.steps, self.batchSize, self.inputSize])))
        }, inputs: lossInputs(output: steps * batchSize * 2 * hiddenSize, states: 4))
    }

    /// A carried initial state (truncated BPTT) and the final state both enter the loss.
    func testGRUGradientsWithInitialState() {
        var inputs = lossInputs(output: steps * batchSize * hiddenSize, states: 1)
        inputs["h0"] = fixedValues(batchSize * hiddenSize, salt: 11)
        gradCheck({ g in
            let gru = try GRU(g, key: "gru", inputSize: self.inputSize, hiddenSize: self.hiddenSize)
            let h0 = g.input("h0", shape: [self.batchSize, self.hiddenSize])
            let x = g.input("x", shape: [self.steps, self.batchSize, self.inputSize])
            return try self.loss(gru(x, initialStates: [[h0]]))
        }, inputs: inputs)
    }

    func testStackedLSTMGradients() {
        gradCheck({ g in
            let lstm = try LSTM(g, key: "lstm", inputSize: self.inputSize, hiddenSize: self.hiddenSize, layers: 2)
            return try self.loss(lstm(g.input("x", shape: [self.steps, self.batchSize, self.inputSize])))
        }, inputs: lossInputs(output: steps * batchSize * hiddenSize, states: 4))
    }

    func testBidirectionalLSTMGradients() {
        gradCheck({ g in
            let lstm = try LSTM(g, key: "lstm", inputSize: self.inputSize, hiddenSize: self.hiddenSize, bidirectional: true)
            return try self.loss(lstm(g.input("x", shape: [self.steps, self.batchSize, self.inputSize])))
        }, inputs: lossInputs(output: steps * batchSize * 2 * hiddenSize, states: 4))
    }

    /// With two threads the fused GRU and LSTM cells and their gradients split the batch rows between
    /// the threads (15 rows: 7 and 8); rows are independent, so outputs and every gradient are the
    /// same bits as on one thread. The sizes are past the split threshold (15 × 1,152 gate floats).
    func testCellsSplitOverTwoThreadsGiveTheSameBits() throws {
        let (steps, batch, input) = (3, 15, 5)
        func run(threads: Int) throws -> [[Float]] {
            let g = Graph()
            let x = g.input("x", shape: [steps, batch, input])
            let (gru, _) = try GRU(g, key: "gru", inputSize: input, hiddenSize: 384)(x)
            let (lstm, states) = try LSTM(g, key: "lstm", inputSize: input, hiddenSize: 288)(x)
            let loss = try weightedSum(gru, name: "gru_weights") + weightedSum(lstm, name: "lstm_weights")
                + weightedSum(states[0][1], name: "cell_weights")
            let parameters = g.parameters.map { g.tensor($0.node) }
            let program = try Engine.compile(g, outputs: [loss, gru, lstm],
                                             gradients: Array(zip(parameters, try g.gradients(of: loss, withRespectTo: parameters))),
                                             seed: 3, threads: threads)
            try program.setInput("x", fixedValues(steps * batch * input))
            try program.setInput("gru_weights", fixedValues(gru.shape.count, salt: 1))
            try program.setInput("lstm_weights", fixedValues(lstm.shape.count, salt: 2))
            try program.setInput("cell_weights", fixedValues(batch * 288, salt: 3))
            program.run()
            return try [program.read(gru), program.read(lstm)] + g.parameters.map { try program.arena.gradient($0.key) }
        }
        let (one, two) = (try run(threads: 1), try run(threads: 2))
        XCTAssertEqual(one.count, 10, "two outputs and eight gradients")
        for (index, (a, b)) in zip(one, two).enumerated() {
            XCTAssertTrue(a.contains { $0 != 0 }, "result \(index) is not all zeros")
            XCTAssertEqual(a, b, "result \(index)")
        }
    }

    /// Dropout between layers acts in training graphs only.
    func testDropoutBetweenLayersOnlyInTraining() throws {
        for training in [true, false] {
            let g = Graph(training: training)
            let gru = try GRU(g, key: "gru", inputSize: inputSize, hiddenSize: hiddenSize, layers: 2, dropout: 0.5)
            _ = try gru(g.input("x", shape: [steps, batchSize, inputSize]))
            let draws = g.nodes.filter { $0.op.isRandom }
            XCTAssertEqual(draws.map(\.shape), training ? [[steps, batchSize, hiddenSize]] : [], "training \(training)")
        }
    }
}
