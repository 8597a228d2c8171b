import Core
import Engine
import Graph
import NN
import TestSupport
import XCTest

final class TransformerBlockTests: XCTestCase {
    private let (b, t, c) = (2, 3, 4)

    func testKeysOfAnEncoderAndADecoderBlock() throws {
        let g = Graph()
        _ = try TransformerBlock(g, key: "", width: 8, heads: 2, feedForwardSize: 32, causal: true)
        XCTAssertEqual(g.parameters.map(\.key), ["ln1.weight", "ln1.bias"]
                       + ["query", "key", "value", "out"].flatMap { ["attn.\($0).weight", "attn.\($0).bias"] }
                       + ["ln2.weight", "ln2.bias", "mlp.fc.weight", "mlp.fc.bias", "mlp.proj.weight", "mlp.proj.bias"],
                       "the names of Golden/make_golden.py")
        XCTAssertEqual(g.parameters.first { $0.key == "mlp.fc.weight" }?.shape, [32, 8])

        let decoder = Graph()
        _ = try TransformerBlock(decoder, key: "decoder.layers.0", width: 8, heads: 2, feedForwardSize: 32, bias: false,
                                 crossAttention: true)
        let names = ["ln1.weight"] + ["query", "key", "value", "out"].map { "attn.\($0).weight" }
            + ["ln_cross.weight"] + ["query", "key", "value", "out"].map { "cross_attn.\($0).weight" }
            + ["ln2.weight", "mlp.fc.weight", "mlp.proj.weight"]
        XCTAssertEqual(decoder.parameters.map(\.key), names.map { "decoder.layers.0." + $0 }, "no biases anywhere")
    }

    func testShapesAndMissingMemory() throws {
        let g = Graph()
        let block = try TransformerBlock(g, key: "block", width: c, heads: 2, feedForwardSize: 8, crossAttention: true)
        let x = g.input("x", shape: [b, t, c])
        XCTAssertEqual(try block(x, memory: g.input("memory", shape: [b, 5, c])).shape, [b, t, c])
        XCTAssertThrowsError(try block(x), "cross-attention needs the memory")
    }

    /// A causal block's output at step t depends on steps ≤ t only.
    func testCausalBlockDoesNotLookAhead() throws {
        let g = Graph()
        let block = try TransformerBlock(g, key: "block", width: c, heads: 2, feedForwardSize: 8, causal: true)
        let y = try block(g.input("x", shape: [1, 4, c]))
        var x = fixedValues(4 * c, salt: 3)
        let program = try execute(g, [y], inputs: ["x": x])
        let before = try program.read(y)
        for channel in 0..<c { x[3 * c + channel] = -2 }
        try program.setInput("x", x)
        program.run()
        let after = try program.read(y)
        assertClose(Array(after[0..<(3 * c)]), Array(before[0..<(3 * c)]), rtol: 0, atol: 1e-6)
        XCTAssertNotEqual(Array(after[(3 * c)...]), Array(before[(3 * c)...]))
    }

    func testPreNormCausalGradients() {
        gradCheck({ g in
            let block = try TransformerBlock(g, key: "block", width: self.c, heads: 2, feedForwardSize: 8,
                                             activation: .geluTanh, norm: .pre, causal: true)
            return try weightedSum(block(g.input("x", shape: [self.b, self.t, self.c])))
        }, inputs: ["x": fixedValues(b * t * c, salt: 1), "weights": fixedValues(b * t * c)])
    }

    func testPostNormEncoderGradientsWithPadding() {
        gradCheck({ g in
            let block = try TransformerBlock(g, key: "block", width: self.c, heads: 2, feedForwardSize: 8,
                                             activation: .relu, norm: .post)
            let x = g.input("x", shape: [self.b, self.t, self.c])
            return try weightedSum(block(x, padding: g.input("padding", shape: [self.b, self.t])))
        }, inputs: ["x": fixedValues(b * t * c, salt: 2), "padding": [1, 1, 1, 1, 1, 0], "weights": fixedValues(b * t * c)])
    }

    func testDecoderBlockGradients() {
        gradCheck({ g in
            let block = try TransformerBlock(g, key: "block", width: self.c, heads: 2, feedForwardSize: 8,
                                             activation: .gelu, norm: .pre, bias: false, causal: true, crossAttention: true)
            let memory = g.input("memory", shape: [self.b, 2, self.c])
            return try weightedSum(block(g.input("x", shape: [self.b, self.t, self.c]), memory: memory,
                                         memoryPadding: g.input("memory_padding", shape: [self.b, 2])))
        }, inputs: ["x": fixedValues(b * t * c, salt: 4), "memory": fixedValues(b * 2 * c, salt: 6),
                    "memory_padding": [1, 1, 1, 0], "weights": fixedValues(b * t * c)])
    }
}
