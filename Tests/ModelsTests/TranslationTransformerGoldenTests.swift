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
    func testPostLNWithLearnedPositionsMatchesPyTorch() throws {
        try assertMatchesPyTorch("transformer_mt_post", norm: .post, positions: .learned)
    }

    func testPreLNWithSinusoidsMatchesPyTorch() throws {
        try assertMatchesPyTorch("transformer_mt_pre", norm: .pre, positions: .sinusoidal)
    }

    private func assertMatchesPyTorch(_ name: String, norm: TransformerBlock.NormPlacement,
                                      positions: TranslationTransformer.Positions) throws {
        let dump = try GoldenDump.load(name, from: Bundle.module)
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
        let smoothed = try logits.crossEntropy(targets: targets, labelSmoothing: 0.1).reshaped(to: [1])
        try dump.check(graph: g, outputs: ["logits": logits, "smoothed_loss": smoothed],
                       loss: try logits.crossEntropy(targets: targets))
    }
}
