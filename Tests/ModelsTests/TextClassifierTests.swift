import Autodiff
import Core
import Engine
import Graph
import Models
import NN
import TestSupport
import XCTest

/// The text classifier: gradients of every encoder and pooling, padding that changes nothing, and
/// parameter counts by hand.
final class TextClassifierTests: XCTestCase {
    // Three texts of 3, 2 and 1 tokens, padded with id 0 to 3 positions.
    static let tokens: [Float] = [1, 3, 2, 4, 2, 0, 5, 0, 0]             // (B 3, T 3)
    static let mask: [Float] = [1, 1, 1, 1, 1, 0, 1, 0, 0]
    static let labels: [Float] = [0, 2, 1]

    private static let transformer = TextClassifier.Encoder.transformer(
        layers: 2, heads: 2, feedForwardSize: 8, activation: .gelu, norm: .post, attentionDropout: 0, maxPositions: 4)

    private func config(_ encoder: TextClassifier.Encoder, _ pool: TextClassifier.Pool) -> TextClassifier.Config {
        .init(vocabularySize: 6, classes: 3, embedding: 4, encoder: encoder, pool: pool)
    }

    private static let configs: [(TextClassifier.Encoder, TextClassifier.Pool)] = [
        (.bilstm(hidden: 3, layers: 1), .last), (.bilstm(hidden: 3, layers: 2), .max), (.bilstm(hidden: 3, layers: 1), .mean),
        (.cnn(kernelSizes: [1, 2, 4], channels: 2), .max),
        (transformer, .cls), (transformer, .mean), (transformer, .max),
        (bert, .cls), (bert, .mean),
    ]

    private static let bert = TextClassifier.Encoder.bert(BERT.Config(vocabularySize: 6, width: 4, layers: 1, heads: 2,
                                                                      feedForwardSize: 8, maxPositions: 4, dropout: 0,
                                                                      attentionDropout: 0))

    private func logits(_ g: Graph, _ config: TextClassifier.Config, batch: Int, length: Int) throws -> Tensor {
        try TextClassifier(g, config: config)(g.input("tokens", shape: [batch, length], dtype: .int32),
                                              mask: g.input("mask", shape: [batch, length]))
    }

    func testGradientsOfEveryEncoderAndPooling() {
        for (encoder, pool) in Self.configs {
            gradCheck({ g in
                try self.logits(g, self.config(encoder, pool), batch: 3, length: 3)
                    .crossEntropy(targets: g.input("labels", shape: [3], dtype: .int32))
            }, inputs: ["tokens": Self.tokens, "mask": Self.mask, "labels": Self.labels])
        }
    }

    /// A text gets the same logits alone as padded in a batch beside longer texts: the recurrence
    /// passes over padding, pooling and attention leave it out, and convolution windows past the
    /// end read zeros either way.
    func testPaddingChangesNothing() throws {
        func run(_ config: TextClassifier.Config, tokens: [Float], mask: [Float], batch: Int, length: Int) throws -> [Float] {
            let g = Graph()
            let output = try logits(g, config, batch: batch, length: length)
            let program = try Engine.compile(g, outputs: [output], seed: 7)
            try program.setInput("tokens", tokens)
            try program.setInput("mask", mask)
            program.run()
            return try program.read(output)
        }
        for (encoder, pool) in Self.configs {
            let config = config(encoder, pool)
            let batched = try run(config, tokens: Self.tokens, mask: Self.mask, batch: 3, length: 3)
            let alone = try run(config, tokens: [4, 2], mask: [1, 1], batch: 1, length: 2)
            for (a, b) in zip(alone, batched[3..<6]) {
                XCTAssertEqual(a, b, accuracy: 1e-5, "\(encoder) \(pool)")
            }
        }
    }

    func testParameterCountsByHand() throws {
        func count(_ config: TextClassifier.Config) throws -> Int {
            let g = Graph()
            _ = try TextClassifier(g, config: config)
            return g.parameters.filter(\.trainable).reduce(0) { $0 + $1.shape.count }
        }
        // Embedding 6×4; per direction W_ih 12×4, W_hh 12×3, two biases of 12; head 3×6 + 3.
        XCTAssertEqual(try count(config(.bilstm(hidden: 3, layers: 1), .last)), 24 + 2 * (48 + 36 + 24) + 18 + 3)
        // Embedding 24; convolutions of widths 1, 2, 4 over 4-wide embeddings, 2 filters each; head 3×6 + 3.
        XCTAssertEqual(try count(config(.cnn(kernelSizes: [1, 2, 4], channels: 2), .max)),
                       24 + (4 * 2 + 2) + (8 * 2 + 2) + (16 * 2 + 2) + 18 + 3)
    }
}
