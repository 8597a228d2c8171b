import Autodiff
import Engine
import Foundation
import Graph
import XCTest

/// A dump written by PyTorch (Tests/NNTests/Golden/make_golden.py): the inputs, every parameter by
/// SeqLab key with its gradient, and the outputs, as flat row-major floats.
public struct GoldenDump: Decodable {
    public struct Entry: Decodable {
        public let shape: [Int]
        public let values: [Float]
        public let grad: [Float]?
    }
    public let inputs: [String: Entry]
    public let parameters: [String: Entry]
    public let outputs: [String: Entry]

    /// `Golden/<name>.json` among a test target's resources.
    public static func load(_ name: String, from bundle: Bundle) throws -> GoldenDump {
        let url = try XCTUnwrap(bundle.url(forResource: name, withExtension: "json", subdirectory: "Golden"))
        return try JSONDecoder().decode(GoldenDump.self, from: Data(contentsOf: url))
    }

    /// Compiles `loss` with the gradient of every trainable parameter of `graph`, sets the dump's
    /// parameters (which must be exactly those) and inputs, runs once, and compares each of `outputs`
    /// with the dump's output of its name, the loss with `loss`, and every gradient.
    public func check(graph: Graph, outputs: [String: Tensor], loss: Tensor, file: StaticString = #filePath,
                      line: UInt = #line) throws {
        let parameters = graph.parameters.filter(\.trainable).map { graph.tensor($0.node) }
        let gradients = try graph.gradients(of: loss, withRespectTo: parameters)
        let program = try Engine.compile(graph, outputs: Array(outputs.values) + [loss],
                                         gradients: Array(zip(parameters, gradients)))
        XCTAssertEqual(Set(graph.parameters.filter(\.trainable).map(\.key)), Set(self.parameters.keys), "parameter keys",
                       file: file, line: line)
        for (key, entry) in self.parameters { try program.arena.setValue(key, entry.values) }
        for (name, entry) in inputs { try program.setInput(name, entry.values) }
        program.run()
        for (name, tensor) in outputs {
            let expected = try XCTUnwrap(self.outputs[name], "the dump's \(name)", file: file, line: line)
            XCTAssertEqual(tensor.shape.dims, expected.shape, name, file: file, line: line)
            assertClose(try program.read(tensor), expected.values, rtol: 1e-4, atol: 1e-5, name, file: file, line: line)
        }
        let expectedLoss = try XCTUnwrap(self.outputs["loss"], "the dump's loss", file: file, line: line)
        assertClose(try program.scalar(loss), expectedLoss.values[0], rtol: 1e-5, atol: 1e-6, "loss", file: file, line: line)
        for (key, entry) in self.parameters {
            let expected = try XCTUnwrap(entry.grad, "the dump's gradient of \(key)", file: file, line: line)
            assertClose(try program.arena.gradient(key), expected, rtol: 1e-3, atol: 1e-5, "d\(key)", file: file, line: line)
        }
    }
}
