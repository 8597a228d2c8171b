import Autodiff
import Core
import Engine
import Foundation
import Graph
import Models
import NN
import Optim
import TestSupport
import XCTest

/// GPT against a nanoGPT-style PyTorch model (Golden/gpt.json, written by
/// Tests/NNTests/Golden/make_golden.py): logits, loss, every gradient and two AdamW steps; then the
/// properties that hold for any weights: parameter counts, causality and GPT-2's initialisation.
final class GPTTests: XCTestCase {
    struct Dump: Decodable {
        struct Entry: Decodable {
            let shape: [Int]
            let values: [Float]
            let grad: [Float]?
        }
        /// The same weights on a shorter context (T 5 < block 8).
        struct Short: Decodable {
            let inputs: [String: Entry]
            let outputs: [String: Entry]
            /// wte.weight and wpe.weight only.
            let gradients: [String: [Float]]
        }
        let inputs: [String: Entry]
        let parameters: [String: Entry]
        let outputs: [String: Entry]
        let short: Short
        /// Every parameter after two AdamW steps on `inputs`, by key.
        let afterAdamW: [String: [Float]]

        enum CodingKeys: String, CodingKey {
            case inputs, parameters, outputs, short
            case afterAdamW = "after_adamw"
        }
    }

    /// The dump's model: nanoGPT with bias, exact GELU, pre-LN and the head tied to wte.
    private let config = GPT.Config(vocabularySize: 11, blockSize: 8, layers: 2, heads: 2, width: 16, dropout: 0,
                                    bias: true, activation: .gelu, tieEmbeddings: true, norm: .pre)

    private func load() throws -> Dump {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "gpt", withExtension: "json", subdirectory: "Golden"))
        return try JSONDecoder().decode(Dump.self, from: Data(contentsOf: url))
    }

    /// The mean cross-entropy of GPT on tokens and targets (B, T), compiled with every parameter's
    /// gradient, its parameters set to the dump's and its inputs to `inputs`.
    private func trainingProgram(_ dump: Dump, inputs: [String: Dump.Entry]) throws -> (Program, logits: Tensor, loss: Tensor) {
        let shape = Shape(try XCTUnwrap(inputs["tokens"]).shape)
        let g = Graph()
        let logits = try GPT(g, config: config)(g.input("tokens", shape: shape, dtype: .int32))      // (B, T, V)
        let loss = try logits.crossEntropy(targets: g.input("targets", shape: shape, dtype: .int32))
        let parameters = g.parameters.map { g.tensor($0.node) }
        let gradients = try g.gradients(of: loss, withRespectTo: parameters)
        let program = try Engine.compile(g, outputs: [logits, loss], gradients: Array(zip(parameters, gradients)))
        // Tied: PyTorch's one tensor for wte and lm_head is SeqLab's one slot wte.weight.
        XCTAssertEqual(Set(g.parameters.map(\.key)), Set(dump.parameters.keys), "parameter keys")
        for (key, entry) in dump.parameters { try program.arena.setValue(key, entry.values) }
        for (name, entry) in inputs { try program.setInput(name, entry.values) }
        return (program, logits, loss)
    }

    func testFullBlockMatchesPyTorch() throws {
        let dump = try load()
        let (program, logits, loss) = try trainingProgram(dump, inputs: dump.inputs)
        program.run()
        XCTAssertEqual(logits.shape.dims, dump.outputs["logits"]!.shape)
        assertClose(try program.read(logits), dump.outputs["logits"]!.values, rtol: 1e-4, atol: 1e-5, "logits")
        assertClose(try program.scalar(loss), dump.outputs["loss"]!.values[0], rtol: 1e-5, atol: 1e-6, "loss")
        for (key, entry) in dump.parameters {
            assertClose(try program.arena.gradient(key), entry.grad!, rtol: 1e-3, atol: 1e-5, "d\(key)")
        }
    }

    /// T < block: positions use wpe's first T rows only, so the later rows get no gradient.
    func testShortContextMatchesPyTorch() throws {
        let dump = try load()
        let (program, logits, loss) = try trainingProgram(dump, inputs: dump.short.inputs)
        program.run()
        XCTAssertEqual(logits.shape.dims, dump.short.outputs["logits"]!.shape)
        assertClose(try program.read(logits), dump.short.outputs["logits"]!.values, rtol: 1e-4, atol: 1e-5, "logits")
        assertClose(try program.scalar(loss), dump.short.outputs["loss"]!.values[0], rtol: 1e-5, atol: 1e-6, "loss")
        for (key, expected) in dump.short.gradients {
            assertClose(try program.arena.gradient(key), expected, rtol: 1e-3, atol: 1e-5, "d\(key)")
        }
        let length = logits.shape[1]
        XCTAssertEqual(Array(try program.arena.gradient("wpe.weight")[(length * config.width)...]),
                       [Float](repeating: 0, count: (config.blockSize - length) * config.width), "unused positions")
    }

    /// nanoGPT's optimizer: AdamW with decay on tensors of rank ≥ 2 only, a fresh forward and
    /// backward before each step.
    func testTwoAdamWStepsMatchPyTorch() throws {
        let dump = try load()
        let (program, _, _) = try trainingProgram(dump, inputs: dump.inputs)
        var layout = program.arena.layout
        layout.setDecay(.matricesOnly)
        XCTAssertEqual(Set(layout.slots.filter(\.decay).map(\.key)),
                       Set(dump.parameters.filter { $0.value.shape.count >= 2 }.keys), "nanoGPT's decay group")
        let lr: Float = 1e-2
        var optimizer = Adam.adamW(layout: layout, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1)
        for _ in 0..<2 {
            program.run()
            optimizer.step(parameters: program.arena.values, gradients: UnsafeBufferPointer(program.arena.gradients),
                           layout: layout, lr: lr)
        }
        for (key, expected) in dump.afterAdamW {
            if key.hasSuffix(".attn.key.bias") {
                // Its gradient is 0 up to rounding (a shift shared by all of a query's scores leaves the
                // softmax unchanged), and Adam's g/(√v + eps) turns that noise of ~1e-9 into steps of up
                // to lr/2: only the bound of two such steps is implementation-independent.
                assertClose(try program.arena.value(key), dump.parameters[key]!.values, rtol: 0, atol: 2 * lr, key)
            } else {
                assertClose(try program.arena.value(key), expected, rtol: 1e-4, atol: 1e-5, key)
            }
        }
    }

    /// nanoGPT's "baby" Shakespeare configuration: "number of parameters: 0.80M", which nanoGPT counts
    /// without the position embedding. By hand (separate q/k/v hold as many weights as a fused c_attn):
    /// each block 2·128 (bias-free LayerNorms) + 4·128² (attention) + 2·128·512 (MLP) = 196,864;
    /// 4 blocks + wte 65·128 + wpe 64·128 + ln_f 128 = 804,096. PyTorch's count agrees.
    func testParameterCountsMatchNanoGPT() throws {
        let g = Graph()
        _ = try GPT(g, config: .init(vocabularySize: 65, blockSize: 64, layers: 4, heads: 4, width: 128, bias: false,
                                     tieEmbeddings: true))
        let counts = Dictionary(uniqueKeysWithValues: g.parameters.map { ($0.key, $0.shape.count) })
        let total = counts.values.reduce(0, +)
        XCTAssertEqual(total, 804_096)
        XCTAssertEqual(total - counts["wpe.weight"]!, 795_904)
        XCTAssertNil(counts["lm_head.weight"], "tied: the head is wte")
    }

    /// Changing the tokens after position t leaves the logits at positions 0…t bit for bit unchanged
    /// (masked scores give weight exactly 0), while those at t + 1 change.
    func testLogitsNeverSeeLaterTokens() throws {
        let (batch, length, vocabulary) = (2, config.blockSize, config.vocabularySize)
        let g = Graph()
        let logits = try GPT(g, config: config)(g.input("tokens", shape: [batch, length], dtype: .int32))   // (B, T, V)
        let program = try Engine.compile(g, outputs: [logits], seed: 3)
        var rng = SeededGenerator(seed: 4)
        let tokens = (0..<(batch * length)).map { _ in Float(rng.next() % UInt64(vocabulary)) }
        try program.setInput("tokens", tokens)
        program.run()
        let reference = try program.read(logits)

        /// Logits at position t of every sequence.
        func at(_ t: Int, _ values: [Float]) -> [Float] {
            (0..<batch).flatMap { b in values[((b * length + t) * vocabulary)...].prefix(vocabulary) }
        }
        for t in 0..<(length - 1) {
            // Every token after t replaced by another id.
            let changed = tokens.indices.map { i in i % length > t ? Float((Int(tokens[i]) + 1) % vocabulary) : tokens[i] }
            try program.setInput("tokens", changed)
            program.run()
            let values = try program.read(logits)
            for s in 0...t { XCTAssertEqual(at(s, values), at(s, reference), "position \(s), tokens changed after \(t)") }
            XCTAssertNotEqual(at(t + 1, values), at(t + 1, reference), "position \(t + 1) sees its own token")
        }
    }

    /// GPT-2's initialisation: weights N(0, 0.02), the residual projections N(0, 0.02/√(2·layers)),
    /// biases zero, LayerNorm gains one.
    func testInitialisationFollowsGPT2() throws {
        let config = GPT.Config(vocabularySize: 100, blockSize: 32, layers: 4, heads: 4, width: 128)
        let g = Graph()
        let logits = try GPT(g, config: config)(g.input("tokens", shape: [1, 32], dtype: .int32))
        let arena = try Engine.compile(g, outputs: [logits], seed: 11).arena

        func standardDeviation(_ key: String) throws -> Float {
            let values = try arena.value(key)
            let mean = values.reduce(0, +) / Float(values.count)
            return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(values.count)).squareRoot()
        }
        // 16,384 samples or more: the estimate's relative standard error is below 0.6%.
        let residual = 0.02 / (2 * Float(config.layers)).squareRoot()
        for (key, std) in [("blocks.0.attn.out.weight", residual), ("blocks.3.mlp.proj.weight", residual),
                           ("blocks.0.mlp.fc.weight", 0.02), ("blocks.0.attn.query.weight", 0.02),
                           ("wte.weight", 0.02)] {
            XCTAssertEqual(try standardDeviation(key), std, accuracy: 0.05 * std, key)
        }
        XCTAssertEqual(try arena.value("blocks.0.mlp.fc.bias"), [Float](repeating: 0, count: 512))
        XCTAssertEqual(try arena.value("blocks.1.ln1.weight"), [Float](repeating: 1, count: 128))
    }
}
