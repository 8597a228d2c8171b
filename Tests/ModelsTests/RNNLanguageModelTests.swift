import Autodiff
import Core
import Engine
import Graph
@testable import Models
import NN
import TestSupport
import XCTest

final class RNNLanguageModelTests: XCTestCase {
    /// Parameter counts equal PyTorch's for the same modules (../shared/bench: gru_charlm has 230,812).
    func testParameterCountsMatchPyTorch() throws {
        func count(_ config: RNNLanguageModel.Config) throws -> Int {
            let g = Graph()
            _ = try RNNLanguageModel(g, config: config)
            return g.parameters.reduce(0) { $0 + $1.shape.count }
        }
        XCTAssertEqual(try count(.init(vocabularySize: 28, embedding: 32, hidden: 256)), 230_812)
        // d2l's one-hot GRU: 3·256·(28 + 256) + 2·3·256 weights and biases, plus the 256→28 head.
        XCTAssertEqual(try count(.init(vocabularySize: 28, embedding: 0, hidden: 256)), 219_648 + 7_196)
        // torch: LSTM(32, 256, 2) = 4·256·(32 + 256 + 2) + 4·256·(256 + 256 + 2), head 256·28 + 28.
        XCTAssertEqual(try count(.init(vocabularySize: 28, embedding: 32, hidden: 256, layers: 2, cell: .lstm)),
                       28 * 32 + 4 * 256 * 290 + 4 * 256 * 514 + 7_196)
    }

    /// Tying drops the head's (V, H) matrix and keeps its bias, as PyTorch's `decoder.weight = encoder.weight`.
    func testTiedModelHasOneTableAndAHeadBias() throws {
        let g = Graph()
        _ = try RNNLanguageModel(g, config: .init(vocabularySize: 50, embedding: 8, hidden: 8, cell: .lstm, tieEmbeddings: true))
        XCTAssertEqual(g.parameters.map(\.key), ["embedding.weight", "rnn.layers.0.w_ih", "rnn.layers.0.w_hh",
                                                   "rnn.layers.0.b_ih", "rnn.layers.0.b_hh", "head.bias"])
        XCTAssertThrowsError(try RNNLanguageModel(Graph(), config: .init(vocabularySize: 50, embedding: 8, hidden: 6,
                                                                        tieEmbeddings: true)))
    }

    /// The one table gets the gradient of both its uses, the lookup and the output layer.
    func testTiedGradients() {
        let tokens: [Float] = [1, 3, 0, 2, 4, 4]       // (T 3, B 2)
        let targets: [Float] = [3, 0, 2, 4, 4, 1]
        for bidirectional in [false, true] {
            gradCheck({ g in
                let model = try RNNLanguageModel(g, config: .init(vocabularySize: 5, embedding: bidirectional ? 6 : 3,
                                                                  hidden: 3, layers: 2, cell: .lstm,
                                                                  bidirectional: bidirectional, tieEmbeddings: true))
                let (logits, _) = try model(g.input("tokens", shape: [3, 2], dtype: .int32))
                return try logits.crossEntropy(targets: g.input("targets", shape: [3, 2], dtype: .int32))
            }, inputs: ["tokens": tokens, "targets": targets])
        }
    }

    /// `word_language_model`'s init: U(±0.1) embedding and output weights, a zero output bias, the LSTM's defaults.
    func testWordLanguageModelInitialization() throws {
        let g = Graph()
        _ = try RNNLanguageModel(g, config: .init(vocabularySize: 300, embedding: 16, hidden: 16, cell: .lstm,
                                                  initialization: .wordLanguageModel))
        let program = try Engine.compile(g, outputs: [], seed: 3)
        let values = { (key: String) in try program.arena.value(key) }
        for key in ["embedding.weight", "head.weight"] {
            let w = try values(key)
            XCTAssertLessThanOrEqual(w.map(abs).max() ?? 1, 0.1)
            XCTAssertGreaterThan(w.map(abs).max() ?? 0, 0.09, key)
        }
        XCTAssertEqual(try values("head.bias"), [Float](repeating: 0, count: 300))
        XCTAssertGreaterThan(try values("rnn.layers.0.w_hh").map(abs).max() ?? 0, 0.2)   // U(±1/√16)
    }

    /// Dropout acts where Zaremba et al. and PyTorch's word_language_model put it: the model's training
    /// graph is, mask for mask under one seed, embedding → dropout → LSTM with dropout between its layers
    /// → dropout → head, written out here from the layers. Distinct probabilities per site tell the sites
    /// apart (each mask thresholds its draws at its own p); locked masks are shared along time.
    func testDropoutSitesAreZarembas() throws {
        let ids: [Float] = [1, 3, 0, 2, 4, 4, 6, 5, 2, 1, 0, 3]                   // (T 4, B 3)
        for locked in [false, true] {
            let sites = RNNLanguageModel.Dropouts(input: 0.3, between: 0.4, output: 0.5, word: 0.2, locked: locked)
            let config = RNNLanguageModel.Config(vocabularySize: 7, embedding: 4, hidden: 5, layers: 2, cell: .lstm,
                                                 dropout: sites)
            let g = Graph(training: true)
            let (logits, _) = try RNNLanguageModel(g, config: config)(g.input("tokens", shape: [4, 3], dtype: .int32))
            let model = try Engine.compile(g, outputs: [logits], seed: 4)

            let r = Graph(training: true)
            let shared = locked ? [0] : []
            let table = try Embedding(r, key: "embedding", count: 7, dimension: 4).weight.dropout(0.2, sharedAlong: [1])
            let x = try table.gathered(at: r.input("tokens", shape: [4, 3], dtype: .int32)).dropout(0.3, sharedAlong: shared)
            let (h, _) = try LSTM(r, key: "rnn", inputSize: 4, hiddenSize: 5, layers: 2, dropout: 0.4, lockedDropout: locked)(x)
            let expected = try Linear(r, key: "head", inputSize: 5, outputSize: 7)(h.dropout(0.5, sharedAlong: shared))
            let reference = try Engine.compile(r, outputs: [expected], arena: model.arena)

            let evaluation = Graph(training: false)
            let (plain, _) = try RNNLanguageModel(evaluation, config: config)(evaluation.input("tokens", shape: [4, 3], dtype: .int32))
            let undropped = try Engine.compile(evaluation, outputs: [plain], arena: model.arena)
            for program in [model, reference, undropped] {
                program.randomState = SeededGenerator(seed: 11)
                try program.setInput("tokens", ids)
                program.run()
            }
            XCTAssertEqual(try model.read(logits), try reference.read(expected), "locked \(locked)")
            XCTAssertNotEqual(try model.read(logits), try undropped.read(plain), "locked \(locked)")
        }
    }

    func testIdentityIsTheIdentity() throws {
        let g = Graph()
        let eye = try identity(g, size: 4)
        let program = try Engine.compile(g, outputs: [eye])
        program.run()
        XCTAssertEqual(try program.read(eye), (0..<16).map { $0 % 5 == 0 ? 1 : 0 })
    }

    func testGradientsForEveryCellAndInput() {
        let tokens: [Float] = [1, 3, 0, 2, 4, 4]       // (T 3, B 2)
        let targets: [Float] = [3, 0, 2, 4, 4, 1]
        for cell in RNNLanguageModel.Cell.allCases {
            for (embedding, bidirectional) in [(0, false), (3, true)] {
                gradCheck({ g in
                    let model = try RNNLanguageModel(g, config: .init(vocabularySize: 5, embedding: embedding, hidden: 3,
                                                                      layers: 2, cell: cell, bidirectional: bidirectional))
                    let (logits, _) = try model(g.input("tokens", shape: [3, 2], dtype: .int32))
                    return try logits.crossEntropy(targets: g.input("targets", shape: [3, 2], dtype: .int32))
                }, inputs: ["tokens": tokens, "targets": targets])
            }
        }
    }

    func testFinalStatesCarryAcrossBatches() throws {
        // Two halves with the state carried give the logits of one run over the whole sequence.
        let config = RNNLanguageModel.Config(vocabularySize: 6, embedding: 4, hidden: 5, cell: .lstm)
        let ids: [Float] = [1, 2, 3, 4, 5, 0, 2, 1]                                  // (T 4, B 2)
        let whole = Graph()
        let (logits, _) = try RNNLanguageModel(whole, config: config)(whole.input("tokens", shape: [4, 2], dtype: .int32))
        let full = try Engine.compile(whole, outputs: [logits], seed: 9)
        try full.setInput("tokens", ids)
        full.run()

        let half = Graph()
        let model = try RNNLanguageModel(half, config: config)
        let h = half.input("h", shape: [2, 5]), c = half.input("c", shape: [2, 5])
        let (second, states) = try model(half.input("tokens", shape: [2, 2], dtype: .int32), initialStates: [[h, c]])
        let step = try Engine.compile(half, outputs: [second, states[0][0], states[0][1]], arena: full.arena)
        try step.setInput("h", [Float](repeating: 0, count: 10))
        try step.setInput("c", [Float](repeating: 0, count: 10))
        try step.setInput("tokens", Array(ids[0..<4]))
        step.run()
        let (carriedH, carriedC) = (try step.read(states[0][0]), try step.read(states[0][1]))
        try step.setInput("h", carriedH)
        try step.setInput("c", carriedC)
        try step.setInput("tokens", Array(ids[4..<8]))
        step.run()
        assertClose(try step.read(second), Array(try full.read(logits)[(2 * 2 * 6)...]), rtol: 1e-5, atol: 1e-6)
    }
}
