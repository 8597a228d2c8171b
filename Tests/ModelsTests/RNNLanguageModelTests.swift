import Autodiff
import Core
import Engine
import Graph
@testable import Models
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
