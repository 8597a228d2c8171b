import Autodiff
import Core
import Engine
import Foundation
import Graph
import Models
import NN
import TestSupport
import XCTest

/// The encoder–decoder Transformer against one built from PyTorch's `nn.TransformerEncoderLayer` and
/// `nn.TransformerDecoderLayer` with the same weights (Golden/transformer_mt_{post,pre}.json, written
/// by Tests/NNTests/Golden/make_golden.py): logits, loss, the label-smoothed loss and the gradient of
/// every parameter, post-LN with learned positions and pre-LN with the sinusoids.
final class TranslationTransformerGoldenTests: XCTestCase {
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

    func testPostLNWithLearnedPositionsMatchesPyTorch() throws {
        try assertMatchesPyTorch("transformer_mt_post", norm: .post, positions: .learned)
    }

    func testPreLNWithSinusoidsMatchesPyTorch() throws {
        try assertMatchesPyTorch("transformer_mt_pre", norm: .pre, positions: .sinusoidal)
    }

    private func assertMatchesPyTorch(_ name: String, norm: TransformerBlock.NormPlacement,
                                      positions: TranslationTransformer.Positions) throws {
        let dump = try load(name)
        let config = TranslationTransformer.Config(
            sourceVocabularySize: 7, targetVocabularySize: 9, width: 8, heads: 2, feedForwardSize: 12, encoderLayers: 2,
            decoderLayers: 2, activation: .relu, norm: norm, positions: positions, maxPositions: 10)
        let (sourceShape, targetShape) = (Shape(try XCTUnwrap(dump.inputs["source"]).shape),
                                          Shape(try XCTUnwrap(dump.inputs["inputs"]).shape))
        let g = Graph()
        let logits = try TranslationTransformer(g, config: config)(
            g.input("source", shape: sourceShape, dtype: .int32), mask: g.input("mask", shape: sourceShape),
            decoderInputs: g.input("inputs", shape: targetShape, dtype: .int32))
        let targets = g.input("targets", shape: targetShape, dtype: .int32)
        let (loss, smoothed) = (try logits.crossEntropy(targets: targets), try logits.crossEntropy(targets: targets, labelSmoothing: 0.1))
        let parameters = g.parameters.filter(\.trainable)
        let gradients = try g.gradients(of: loss, withRespectTo: parameters.map { g.tensor($0.node) })
        let program = try Engine.compile(g, outputs: [logits, loss, smoothed],
                                         gradients: Array(zip(parameters.map { g.tensor($0.node) }, gradients)))
        XCTAssertEqual(Set(parameters.map(\.key)), Set(dump.parameters.keys), "parameter keys")
        for (key, entry) in dump.parameters { try program.arena.setValue(key, entry.values) }
        for (name, entry) in dump.inputs { try program.setInput(name, entry.values) }
        program.run()
        XCTAssertEqual(logits.shape.dims, dump.outputs["logits"]!.shape)
        assertClose(try program.read(logits), dump.outputs["logits"]!.values, rtol: 1e-4, atol: 1e-5, "\(name) logits")
        assertClose(try program.scalar(loss), dump.outputs["loss"]!.values[0], rtol: 1e-5, atol: 1e-6, "\(name) loss")
        assertClose(try program.scalar(smoothed), dump.outputs["smoothed_loss"]!.values[0], rtol: 1e-5, atol: 1e-6,
                    "\(name) smoothed loss")
        for (key, entry) in dump.parameters {
            assertClose(try program.arena.gradient(key), entry.grad!, rtol: 1e-3, atol: 1e-5, "\(name) d\(key)")
        }
    }
}
