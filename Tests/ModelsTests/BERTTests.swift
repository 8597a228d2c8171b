import Autodiff
import Core
import Engine
import Foundation
import Graph
import Models
import NN
import TestSupport
import XCTest

/// BERT against Hugging Face's `BertForPreTraining` with the same weights (Golden/bert.json, written
/// by Tests/NNTests/Golden/make_golden.py): masked-LM and next-sentence logits, their summed loss and
/// every gradient; and a gradient check of the encoder alone under padding.
final class BERTTests: XCTestCase {
    private let config = BERT.Config(vocabularySize: 11, width: 8, layers: 2, heads: 2, feedForwardSize: 12, maxPositions: 10,
                                     dropout: 0, attentionDropout: 0)

    func testPretrainingHeadsMatchHuggingFace() throws {
        let dump = try GoldenDump.load("bert", from: Bundle.module)
        let g = Graph()
        let shape = Shape(try XCTUnwrap(dump.inputs["tokens"]).shape)
        let model = try BERT(g, config: config)
        let hidden = try model.encode(g.input("tokens", shape: shape, dtype: .int32),
                                      segments: g.input("segments", shape: shape, dtype: .int32), mask: g.input("mask", shape: shape))
        let (mlm, nsp) = (try model.maskedLMLogits(hidden), try model.nextSentenceLogits(hidden))
        let loss = try mlm.crossEntropy(targets: g.input("labels", shape: shape, dtype: .int32))
            + nsp.crossEntropy(targets: g.input("next_sentence", shape: [shape[0]], dtype: .int32))
        try dump.check(graph: g, outputs: ["mlm_logits": mlm, "nsp_logits": nsp], loss: loss)
    }

    /// The head run on gathered positions gives those positions' rows of the head run on all of them.
    func testMaskedLMHeadOnSelectedPositionsEqualsItsRows() throws {
        let g = Graph()
        let model = try BERT(g, config: config)
        let hidden = try model.encode(g.input("tokens", shape: [2, 5], dtype: .int32), mask: g.input("mask", shape: [2, 5]))
        let (all, some) = (try model.maskedLMLogits(hidden), try model.maskedLMLogits(hidden, at: g.input("at", shape: [3], dtype: .int32)))
        let program = try Engine.compile(g, outputs: [all, some], seed: 2)
        try program.setInput("tokens", [1, 4, 6, 3, 2, 5, 9, 8, 0, 0])
        try program.setInput("mask", [1, 1, 1, 1, 1, 1, 1, 1, 0, 0])
        try program.setInput("at", [7, 0, 3])
        program.run()
        let (rows, selected) = (try program.read(all), try program.read(some))
        for (k, position) in [7, 0, 3].enumerated() {
            for v in 0..<11 { XCTAssertEqual(selected[k * 11 + v], rows[position * 11 + v], accuracy: 1e-5) }
        }
    }

    func testEncoderGradientsUnderPadding() {
        var small = config
        small.layers = 1
        gradCheck({ g in
            let model = try BERT(g, config: small, pretraining: false)
            let hidden = try model.encode(g.input("tokens", shape: [2, 3], dtype: .int32),
                                          segments: g.input("segments", shape: [2, 3], dtype: .int32),
                                          mask: g.input("mask", shape: [2, 3]))
            return try (hidden * g.input("weights", shape: [2, 3, 8])).sum()
        }, inputs: ["tokens": [2, 5, 7, 1, 4, 0], "segments": [0, 0, 1, 0, 1, 0], "mask": [1, 1, 1, 1, 1, 0],
                    "weights": (0..<48).map { Float(($0 * 7) % 11) / 11 - 0.5 }])
    }
}
