import Autodiff
import Core
import Engine
import Graph
import Models
import TestSupport
import XCTest

/// The recurrent encoder–decoder: gradients for every attention kind and context mode, attention
/// weights that are distributions with nothing on padding, padding that changes nothing, a decoding
/// step that agrees with teacher forcing, and parameter counts by hand.
final class EncoderDecoderTests: XCTestCase {
    // Two sentences: the second is one token shorter, its last source position padding.
    static let source: [Float] = [1, 3, 2, 4, 2, 0]                    // (B 2, S 3)
    static let mask: [Float] = [1, 1, 1, 1, 1, 0]
    static let decoderInputs: [Float] = [1, 4, 2, 1, 3, 0]             // (B 2, T 3)
    static let targets: [Float] = [4, 2, 5, -100, 3, 5]                // the second row's first target ignored

    private func config(_ cell: EncoderDecoder.Cell = .gru, layers: Int = 1, bidirectional: Bool = false,
                        context: EncoderDecoder.Context = .initial, attention: EncoderDecoder.Attention = .none)
        -> EncoderDecoder.Config {
        .init(sourceVocabularySize: 5, targetVocabularySize: 6, embedding: 3, hidden: 4, layers: layers, cell: cell,
              encoderBidirectional: bidirectional, context: context, attention: attention)
    }

    private func build(_ g: Graph, _ config: EncoderDecoder.Config) throws -> (loss: Tensor, weights: [Tensor]) {
        let model = try EncoderDecoder(g, config: config)
        let (logits, weights) = try model(g.input("source", shape: [2, 3], dtype: .int32), mask: g.input("mask", shape: [2, 3]),
                                          decoderInputs: g.input("inputs", shape: [2, 3], dtype: .int32))
        return (try logits.crossEntropy(targets: g.input("targets", shape: [2, 3], dtype: .int32)), weights)
    }

    private var feeds: [String: [Float]] {
        ["source": Self.source, "mask": Self.mask, "inputs": Self.decoderInputs, "targets": Self.targets]
    }

    func testGradientsOfEveryAttentionKindAndContext() {
        let configs = [
            config(), config(context: .everyStep), config(.lstm, layers: 2), config(bidirectional: true, attention: .additive),
            config(attention: .dot), config(.lstm, bidirectional: true, attention: .general),
            config(layers: 2, bidirectional: true, context: .everyStep),
        ]
        for config in configs {
            gradCheck({ g in try build(g, config).loss }, inputs: feeds)
        }
    }

    func testAttentionWeightsAreDistributionsWithNothingOnPadding() throws {
        for attention in [EncoderDecoder.Attention.additive, .dot, .general] {
            let g = Graph()
            let (_, weights) = try build(g, config(attention: attention))
            XCTAssertEqual(weights.count, 3)
            let program = try Engine.compile(g, outputs: weights, seed: 3)
            for (name, values) in feeds { try program.setInput(name, values) }
            program.run()
            for step in weights {
                let w = try program.read(step)                               // (B 2, S 3)
                XCTAssertEqual(w[0] + w[1] + w[2], 1, accuracy: 1e-5)
                XCTAssertEqual(w[3] + w[4], 1, accuracy: 1e-5)
                XCTAssertEqual(w[5], 0, accuracy: 1e-7, "\(attention): weight on padding")
            }
        }
    }

    /// A sentence gets the same logits alone as padded in a batch (bidirectional too): padding is
    /// passed over in the encoder and masked in attention.
    func testPaddingChangesNothing() throws {
        func logits(source: [Float], mask: [Float], length: Int) throws -> [Float] {
            let g = Graph()
            let model = try EncoderDecoder(g, config: config(.lstm, bidirectional: true, attention: .additive))
            let (logits, _) = try model(g.input("source", shape: [1, length], dtype: .int32), mask: g.input("mask", shape: [1, length]),
                                        decoderInputs: g.input("inputs", shape: [1, 2], dtype: .int32))
            let program = try Engine.compile(g, outputs: [logits], seed: 5)
            try program.setInput("source", source)
            try program.setInput("mask", mask)
            try program.setInput("inputs", [1, 4])
            program.run()
            return try program.read(logits)
        }
        let alone = try logits(source: [4, 2], mask: [1, 1], length: 2)
        let padded = try logits(source: [4, 2, 0, 0], mask: [1, 1, 0, 0], length: 4)
        for (a, b) in zip(alone, padded) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    /// The decoding step, fed the teacher's tokens one at a time from an encoding, gives the logits
    /// of the unrolled teacher-forced pass.
    /// The decoding step graph (the whole output layer at every step) gives the logits the unrolled
    /// training graph gives (Cho's fixed context computed once there), for every kind of decoder.
    func testDecodingStepsAgreeWithTeacherForcing() throws {
        let configs = [config(layers: 2, bidirectional: true, attention: .general), config(context: .everyStep),
                       config(.lstm, layers: 2, context: .everyStep), config(attention: .additive)]
        for config in configs {
            let g = Graph()
            let model = try EncoderDecoder(g, config: config)
            let (source, mask) = (g.input("source", shape: [2, 3], dtype: .int32), g.input("mask", shape: [2, 3]))
            let inputs = g.input("inputs", shape: [2, 3], dtype: .int32)
            let (forced, _) = try model(source, mask: mask, decoderInputs: inputs)
            let unrolled = try decodeSteps(model, source: source, mask: mask) { t, _ in
                try inputs.sliced(axis: 1, t..<(t + 1)).reshaped(to: [2])
            }
            try assertEqual(forced, unrolled, in: g, "\(config)")
        }
    }

    /// Teacher forcing 0 in a training graph (one output layer per step, so that the next step can
    /// read its argmax), and a free-running evaluation graph, give the logits of greedy decoding.
    func testNoTeacherForcingIsGreedyDecoding() throws {
        let configs = [config(context: .everyStep), config(.lstm, layers: 2, bidirectional: true, attention: .general)]
        for (var config, training) in configs.flatMap({ [($0, true), ($0, false)] }) {
            if training { config.teacherForcing = 0 }
            let g = Graph(training: training)
            let model = try EncoderDecoder(g, config: config)
            let (source, mask) = (g.input("source", shape: [2, 3], dtype: .int32), g.input("mask", shape: [2, 3]))
            let inputs = g.input("inputs", shape: [2, 3], dtype: .int32)
            let (free, _) = try model(source, mask: mask, decoderInputs: inputs, freeRunning: !training)
            let greedy = try decodeSteps(model, source: source, mask: mask) { t, previous in
                try previous?.argmax() ?? inputs.sliced(axis: 1, 0..<1).reshaped(to: [2])
            }
            try assertEqual(free, greedy, in: g, "\(config)")
        }
    }

    /// Logits (2, 3, V) of three decoding steps, each fed `token(t, previous step's logits)`.
    private func decodeSteps(_ model: EncoderDecoder, source: Tensor, mask: Tensor,
                             token: (Int, Tensor?) throws -> Tensor) throws -> Tensor {
        let encoded = try model.encode(source, mask: mask)
        var state = encoded.initialState
        var stepped: [Tensor] = [], previous: Tensor?
        for t in 0..<3 {
            let step = try model.decode(try token(t, previous), state: state, encoded: encoded)
            (state, previous) = (step.state, step.logits)
            stepped.append(try step.logits.reshaped(to: [2, 1, 6]))
        }
        return try Tensor.concatenated(stepped, axis: 1)
    }

    private func assertEqual(_ a: Tensor, _ b: Tensor, in g: Graph, _ message: String) throws {
        let program = try Engine.compile(g, outputs: [a, b], seed: 2)
        for (name, values) in feeds where name != "targets" { try program.setInput(name, values) }
        program.run()
        for (x, y) in zip(try program.read(a), try program.read(b)) { XCTAssertEqual(x, y, accuracy: 1e-5, message) }
    }

    /// Teacher forcing 0 feeds every step its own argmax: the logits then depend on the first decoder
    /// input only, whatever the gold tokens after it; with teacher forcing 1 they follow the gold tokens.
    func testTeacherForcingZeroFeedsTheModelItsOwnPredictions() throws {
        func logits(teacherForcing: Float, inputs: [Float]) throws -> [Float] {
            let g = Graph(training: true)
            var settings = config(attention: .additive)
            settings.teacherForcing = teacherForcing
            let model = try EncoderDecoder(g, config: settings)
            let (logits, _) = try model(g.input("source", shape: [2, 3], dtype: .int32), mask: g.input("mask", shape: [2, 3]),
                                        decoderInputs: g.input("inputs", shape: [2, 3], dtype: .int32))
            let program = try Engine.compile(g, outputs: [logits], seed: 4)
            try program.setInput("source", Self.source)
            try program.setInput("mask", Self.mask)
            try program.setInput("inputs", inputs)
            program.run()
            return try program.read(logits)
        }
        let other: [Float] = [1, 0, 5, 1, 5, 5]                          // the same first tokens, other gold after them
        XCTAssertEqual(try logits(teacherForcing: 0, inputs: Self.decoderInputs), try logits(teacherForcing: 0, inputs: other))
        XCTAssertNotEqual(try logits(teacherForcing: 1, inputs: Self.decoderInputs), try logits(teacherForcing: 1, inputs: other))
        // The first step reads <bos> either way.
        XCTAssertEqual(Array(try logits(teacherForcing: 0, inputs: other)[..<6]), Array(try logits(teacherForcing: 1, inputs: other)[..<6]))
    }

    /// Teacher forcing drawn per batch makes one choice per step for every row, so eight copies of
    /// one sentence get the same logits; drawn per sentence, the copies part ways.
    func testTeacherForcingDrawnPerBatchChoosesAlikeForEveryRow() throws {
        let (rows, steps) = (8, 6)
        func rowLogits(byBatch: Bool) throws -> [[Float]] {
            let g = Graph(training: true)
            var settings = config()
            (settings.teacherForcing, settings.teacherForcingByBatch) = (0.5, byBatch)
            let model = try EncoderDecoder(g, config: settings)
            let (logits, _) = try model(g.input("source", shape: [rows, 3], dtype: .int32), mask: g.input("mask", shape: [rows, 3]),
                                        decoderInputs: g.input("inputs", shape: [rows, steps], dtype: .int32))
            let program = try Engine.compile(g, outputs: [logits], seed: 7)
            try program.setInput("source", Array(repeating: [1, 3, 2], count: rows).flatMap { $0 })
            try program.setInput("mask", [Float](repeating: 1, count: rows * 3))
            try program.setInput("inputs", Array(repeating: [1, 4, 2, 5, 3, 4], count: rows).flatMap { $0 })
            program.run()
            let values = try program.read(logits)                       // (B, T, V)
            let width = values.count / rows
            return (0..<rows).map { Array(values[($0 * width)..<(($0 + 1) * width)]) }
        }
        let byBatch = try rowLogits(byBatch: true)
        XCTAssertTrue(byBatch.allSatisfy { $0 == byBatch[0] })
        let bySentence = try rowLogits(byBatch: false)
        XCTAssertFalse(bySentence.allSatisfy { $0 == bySentence[0] })
    }

    /// By hand, PyTorch's module sizes: embeddings V·E, a GRU layer 3H(in + H) + 6H, Bahdanau's
    /// W_a, U_a (H × H, H × 2H) and v (1 × H), the bridge 2H → H with bias, the head over [h, c, e].
    func testParameterCountByHand() throws {
        let g = Graph()
        _ = try EncoderDecoder(g, config: config(bidirectional: true, attention: .additive))
        let (e, h, vs, vt) = (3, 4, 5, 6)
        let gru = { (input: Int) in 3 * h * (input + h) + 6 * h }
        let expected = vs * e + vt * e + 2 * gru(e) + gru(e + 2 * h) + (h * h + h * 2 * h + h) + (2 * h * h + h)
            + (h + 2 * h + e) * vt + vt
        XCTAssertEqual(g.parameters.reduce(0) { $0 + $1.shape.count }, expected)
        XCTAssertThrowsError(try EncoderDecoder(Graph(), config: config(bidirectional: true, attention: .dot)))
    }
}
