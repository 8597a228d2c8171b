import Autodiff
import Core
import Engine
import Foundation
import Graph
import NN
import TestSupport
import XCTest

/// Logits, loss and every parameter gradient against dumps made by PyTorch (Golden/make_golden.py).
final class GoldenTests: XCTestCase {
    private func load(_ name: String) throws -> GoldenDump { try GoldenDump.load(name, from: Bundle.module) }

    func testTinyGRULanguageModelMatchesPyTorch() throws {
        let dump = try load("gru_lm")
        let (t, b) = (dump.inputs["tokens"]!.shape[0], dump.inputs["tokens"]!.shape[1])
        let (v, e) = (dump.parameters["embedding.weight"]!.shape[0], dump.parameters["embedding.weight"]!.shape[1])
        let h = dump.parameters["gru.layers.0.w_hh"]!.shape[1]
        let g = Graph()
        let tokens = g.input("tokens", shape: [t, b], dtype: .int32)
        let targets = g.input("targets", shape: [t, b], dtype: .int32)
        let h0 = g.input("h0", shape: [b, h])
        let embedding = try Embedding(g, key: "embedding", count: v, dimension: e)
        let gru = try GRU(g, key: "gru", inputSize: e, hiddenSize: h)
        let head = try Linear(g, key: "head", inputSize: h, outputSize: v)
        let logits = try head(try gru(try embedding(tokens), initialStates: [[h0]]).output)   // (T, B, V)
        let loss = try logits.crossEntropy(targets: targets)
        try dump.check(graph: g, outputs: ["logits": logits], loss: loss)
    }

    /// nn.LSTM(proj_size:, bidirectional: true) from a given state: the forward cell and the reverse
    /// one run right to left, each h projected by W_hr.
    func testProjectedBidirectionalLSTMMatchesPyTorch() throws {
        let dump = try load("lstm_projected")
        let x = dump.inputs["x"]!.shape
        let (t, b, e) = (x[0], x[1], x[2])
        let (h, p) = (dump.parameters["lstm.layers.0.w_hr"]!.shape[1], dump.parameters["lstm.layers.0.w_hr"]!.shape[0])
        let g = Graph()
        let input = g.input("x", shape: [t, b, e])
        var outputs: [Tensor] = [], last: [Tensor] = []
        for (key, suffix) in [("lstm.layers.0", ""), ("lstm.layers.0.reverse", "_reverse")] {
            let cell = try LSTMCell(g, key: key, inputSize: e, hiddenSize: h, projectionSize: p)
            let start = [g.input("h0" + suffix, shape: [b, p]), g.input("c0" + suffix, shape: [b, h])]
            let (output, state) = try cell.unrolled(input, from: start, reversed: !suffix.isEmpty)
            outputs.append(output)
            last = state
        }
        let output = try Tensor.concatenated(outputs, axis: 2)                                  // (T, B, 2P)
        let loss = try (output * g.input("weights", shape: [t, b, 2 * p])).sum()
        try dump.check(graph: g, outputs: ["output": output, "h_n": last[0], "c_n": last[1]], loss: loss)
    }

    func testPreLNTransformerBlockMatchesPyTorch() throws {
        let dump = try load("transformer_block")
        let shape = Shape(dump.inputs["x"]!.shape)
        let width = shape[2]
        let g = Graph()
        let x = g.input("x", shape: shape)
        let block = try TransformerBlock(g, key: "", width: width, heads: 2, feedForwardSize: 4 * width,
                                         activation: .gelu, norm: .pre, causal: true)
        let y = try block(x)
        let loss = try (y * g.input("weights", shape: shape)).sum()
        try dump.check(graph: g, outputs: ["y": y], loss: loss)
    }
}
