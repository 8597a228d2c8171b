import Core
import Engine
import Foundation
import Graph
import Models
import Runs
import Spec
@testable import Training
import XCTest

/// GPT-2 to and from Hugging Face: a GPT2LMHeadModel saved by transformers (Golden/gpt2_tiny, written by
/// Golden/make_gpt2_fixture.py with the logits it gives) imported into SeqLab's GPT gives transformers'
/// logits; SeqLab's export of those weights is, tensor for tensor, what transformers saved; and every
/// config that SeqLab's GPT cannot honour is refused naming the key.
final class HuggingFaceGPT2Tests: XCTestCase {
    private struct Logits: Decodable {
        let ids: [[Int]]
        let shape: [Int]
        let logits: [Float]
    }

    /// The fixture's model: 13 tokens, 8 positions, 2 layers of 3 heads, width 12, tanh GELU, tied head.
    private static let modelOverrides = ["model={kind: gpt, block_size: 8, layers: 2, heads: 3, width: 12, "
        + "activation: gelu_tanh, tie_embeddings: true}"]

    private func model(_ overrides: [String] = []) throws -> ModelSpec {
        try ExperimentSpec.parse("""
            name: gpt2
            data: {corpus: unused.txt}
            tokenizer: {kind: char}
            train: {batch_size: 2, seq_len: 8}
            """, path: "gpt2.yaml", overrides: Self.modelOverrides + overrides).model
    }

    private func fixture(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Golden"))
    }

    private func fixtureTensors() throws -> [Safetensors.Tensor] {
        let file = try fixture("gpt2_tiny").appendingPathComponent("model.safetensors")
        return try Safetensors.decode([UInt8](Data(contentsOf: file)), path: file.path).tensors
    }

    private func fixtureConfig() throws -> JSONObject {
        let value = try JSONValue(parsing: [UInt8](Data(contentsOf: fixture("gpt2_tiny").appendingPathComponent("config.json"))))
        guard case .object(let config) = value else {
            XCTFail("the fixture's config.json is not a JSON object")
            return JSONObject([:])
        }
        return config
    }

    func testWeightsSavedByTransformersGiveItsLogits() throws {
        let expected = try JSONDecoder().decode(Logits.self, from: Data(contentsOf: fixture("gpt2_tiny_logits.json")))
        let spec = try model()
        let graph = Graph()
        let tokens = graph.input("tokens", shape: [expected.ids.count, expected.ids[0].count], dtype: .int32)
        let config = GPT.Config(vocabularySize: 13, blockSize: spec.blockSize, layers: spec.layers, heads: spec.heads,
                                width: spec.width, activation: .geluTanh, tieEmbeddings: true)
        let logits = try GPT(graph, config: config)(tokens)                                       // (B, T, V)
        let program = try Engine.compile(graph, outputs: [logits])
        try program.arena.importWeights(from: fixture("gpt2_tiny"), model: spec)
        try program.setInput("tokens", expected.ids.flatMap { $0.map(Float.init) })
        program.run()
        XCTAssertEqual(logits.shape.dims, expected.shape)
        let ours = try program.read(logits)
        let error = zip(ours, expected.logits).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThanOrEqual(error, 1e-4, "max abs error of the logits")
    }

    /// Import then export is the identity on transformers' own file: every name, shape and value, and the
    /// config keys that describe the model.
    func testExportWritesWhatTransformersSaved() throws {
        let theirs = try fixtureTensors()
        let spec = try model()
        let ours = try HuggingFaceGPT2.imported(theirs, config: try fixtureConfig(), configPath: "config.json", model: spec,
                                                weightsPath: "model.safetensors")
        XCTAssertTrue(ours.allSatisfy { !$0.name.hasPrefix("transformer.") }, "SeqLab keys")
        XCTAssertEqual(ours.count, 2 + 2 * 16 + 2, "wte, wpe, 16 per layer (q, k, v split), ln_f")
        let exported = try HuggingFaceGPT2.exported(ours, layers: spec.layers)
        XCTAssertEqual(exported.sorted { $0.name < $1.name }, theirs.sorted { $0.name < $1.name })

        let written = HuggingFaceGPT2.config(spec, vocabularySize: 13, blockSize: 8)
        guard case .object(let config) = written else { return XCTFail("config.json must be an object") }
        let fixture = try fixtureConfig()
        for key in ["architectures", "model_type", "vocab_size", "n_positions", "n_embd", "n_layer", "n_head", "n_inner",
                    "activation_function", "layer_norm_epsilon", "scale_attn_weights", "tie_word_embeddings"] {
            XCTAssertEqual(config[key], fixture[key], key)
        }
    }

    /// GPT2Model's file (no `transformer.` prefix) with the causal-mask buffers older checkpoints carry,
    /// and an untied head, read as the same weights.
    func testOlderAndUntiedLayoutsRead() throws {
        let theirs = try fixtureTensors()
        let spec = try model()
        let tied = try HuggingFaceGPT2.imported(theirs, config: try fixtureConfig(), configPath: "c", model: spec, weightsPath: "w")
        let mask = Safetensors.Tensor(name: "h.0.attn.bias", shape: [1, 1, 8, 8], values: [Float](repeating: 1, count: 64))
        let bare = theirs.map { tensor in
            Safetensors.Tensor(name: String(tensor.name.dropFirst("transformer.".count)), shape: tensor.shape, values: tensor.values)
        }
        XCTAssertEqual(try HuggingFaceGPT2.imported(bare + [mask], config: try fixtureConfig(), configPath: "c", model: spec,
                                                    weightsPath: "w"), tied)

        var untiedConfig = try fixtureConfig().dictionary
        untiedConfig["tie_word_embeddings"] = false
        let head = Safetensors.Tensor(name: "lm_head.weight", shape: [13, 12], values: (0..<156).map(Float.init))
        let untied = try HuggingFaceGPT2.imported(theirs + [head], config: JSONObject(untiedConfig), configPath: "c",
                                                  model: try model(["model.tie_embeddings=false"]), weightsPath: "w")
        XCTAssertEqual(untied.last, head)
        // A tied GPT-2 starts an untied model: its head a copy of the embedding.
        let copied = try HuggingFaceGPT2.imported(theirs, config: try fixtureConfig(), configPath: "c",
                                                  model: try model(["model.tie_embeddings=false"]), weightsPath: "w")
        XCTAssertEqual(copied.last?.name, "lm_head.weight")
        XCTAssertEqual(copied.last?.values, theirs.first { $0.name == "transformer.wte.weight" }?.values)
    }

    /// What a config or file can say that SeqLab's GPT cannot be: refused, naming the key and both values.
    func testConfigsSeqLabCannotHonourAreRefused() throws {
        let theirs = try fixtureTensors()
        let cases: [(change: [String: JSONValue], overrides: [String], tensors: [Safetensors.Tensor], message: String)] = [
            (["n_head": 4], [], theirs, "n_head is 4 but the spec's model.heads is 3"),
            (["n_layer": 3], [], theirs, "n_layer is 3 but the spec's model.layers is 2"),
            (["n_embd": "12"], [], theirs, "'n_embd' must be a whole number"),
            (["n_inner": 40], [], theirs, "n_inner is 40"),
            (["activation_function": "relu"], [], theirs, "activation_function is 'relu' but the spec's model.activation is gelu_tanh; set model.activation: relu"),
            (["activation_function": "swish"], [], theirs, "SeqLab has no such activation"),
            (["layer_norm_epsilon": 1e-6], [], theirs, "layer_norm_epsilon is 1e-06"),
            (["scale_attn_by_inverse_layer_idx": true], [], theirs, "scale_attn_by_inverse_layer_idx is true"),
            (["tie_word_embeddings": false], [], theirs, "tie_word_embeddings is false: its lm_head has its own weights"),
            ([:], ["model.norm=post"], theirs, "model.norm is post"),
            ([:], ["model.bias=false"], theirs, "model.bias is false"),
            ([:], [], theirs.filter { $0.name != "transformer.h.1.mlp.c_fc.bias" }, "no tensor 'h.1.mlp.c_fc.bias'"),
            ([:], [], theirs + [Safetensors.Tensor(name: "transformer.h.2.ln_1.weight", shape: [12], values: Array(repeating: 1, count: 12))],
             "tensor 'h.2.ln_1.weight' [12] has no place"),
            ([:], [], theirs.map { $0.name.hasSuffix("h.0.attn.c_attn.weight") ? Safetensors.Tensor(name: $0.name, shape: [36, 12], values: $0.values) : $0 },
             "h.0.attn.c_attn is [36, 12]"),
        ]
        for (change, overrides, tensors, message) in cases {
            var config = try fixtureConfig().dictionary
            for (key, value) in change { config[key] = value }
            XCTAssertThrowsError(try HuggingFaceGPT2.imported(tensors, config: JSONObject(config), configPath: "config.json",
                                                              model: try model(overrides), weightsPath: "model.safetensors"),
                                 message) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error) should say \(message)")
            }
        }
    }
}
