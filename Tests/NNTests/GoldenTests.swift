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
