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
    struct Dump: Decodable {
        struct Entry: Decodable {
            let shape: [Int]
            let values: [Float]
            let grad: [Float]?
        }
        let inputs: [String: Entry]
        let parameters: [String: Entry]
        let outputs: [String: Entry]
    }

    private func load(_ name: String) throws -> Dump {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Golden"))
        return try JSONDecoder().decode(Dump.self, from: Data(contentsOf: url))
    }

    /// Compiles `loss` with gradients of every parameter, loads the dump's parameters and inputs,
    /// runs once and compares outputs and gradients.
    private func check(_ dump: Dump, graph: Graph, outputs: [String: Tensor], loss: Tensor,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let parameters = graph.parameters.map { graph.tensor($0.node) }
        let gradients = try graph.gradients(of: loss, withRespectTo: parameters)
        let program = try Engine.compile(graph, outputs: Array(outputs.values) + [loss],
                                         gradients: Array(zip(parameters, gradients)))
        XCTAssertEqual(Set(graph.parameters.map(\.key)), Set(dump.parameters.keys), "parameter keys", file: file, line: line)
        for (key, entry) in dump.parameters { try program.arena.setValue(key, entry.values) }
        for (name, entry) in dump.inputs { try program.setInput(name, entry.values) }
        program.run()
        for (name, tensor) in outputs {
            XCTAssertEqual(tensor.shape.dims, dump.outputs[name]!.shape, name, file: file, line: line)
            assertClose(try program.read(tensor), dump.outputs[name]!.values, rtol: 1e-4, atol: 1e-5, name, file: file, line: line)
        }
        assertClose(try program.scalar(loss), dump.outputs["loss"]!.values[0], rtol: 1e-5, atol: 1e-6, "loss", file: file, line: line)
        for (key, entry) in dump.parameters {
            assertClose(try program.arena.gradient(key), entry.grad!, rtol: 1e-3, atol: 1e-5, "d\(key)", file: file, line: line)
        }
    }

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
        try check(dump, graph: g, outputs: ["logits": logits], loss: loss)
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
        try check(dump, graph: g, outputs: ["y": y], loss: loss)
    }
}
