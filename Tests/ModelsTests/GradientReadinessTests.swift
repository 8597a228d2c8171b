import Autodiff
import Core
import Engine
import Graph
import Models
import XCTest

/// `Program.gradientsReady` tells a data-parallel trainer when it may start summing a gradient while
/// the backward pass goes on: a gradient must not change after the step it names. Checked on models
/// whose gradients accumulate in place over many ops (a tied GPT's embedding, an unrolled LSTM's weights).
final class GradientReadinessTests: XCTestCase {
    func testNoGradientChangesAfterItsReadyStep() throws {
        let gpt = GPT.Config(vocabularySize: 11, blockSize: 8, layers: 2, heads: 2, width: 16, dropout: 0, bias: true,
                             activation: .gelu, tieEmbeddings: true, norm: .pre)
        try assertReadiness("gpt", shape: [2, 8]) { g, tokens in try GPT(g, config: gpt)(tokens) }           // (B, T, V)
        try assertReadiness("lstm", shape: [6, 2]) { g, tokens in                                            // (T, B, V)
            try RNNLanguageModel(g, config: .init(vocabularySize: 11, embedding: 4, hidden: 5, layers: 2, cell: .lstm,
                                                  tieEmbeddings: false))(tokens).logits
        }
    }

    private func assertReadiness(_ name: String, shape: Shape, logits: (Graph, Tensor) throws -> Tensor) throws {
        let g = Graph()
        let tokens = g.input("tokens", shape: shape, dtype: .int32)
        let loss = try logits(g, tokens).crossEntropy(targets: g.input("targets", shape: shape, dtype: .int32))
        let parameters = g.parameters.map { g.tensor($0.node) }
        let gradients = try g.gradients(of: loss, withRespectTo: parameters)
        let program = try Engine.compile(g, outputs: [loss], gradients: Array(zip(parameters, gradients)), seed: 5)
        var generator = SeededGenerator(seed: 9)
        for input in ["tokens", "targets"] {
            try program.setInput(input, (0..<shape.count).map { _ in Float(generator.next() % 11) })
        }
        XCTAssertEqual(program.gradientsReady.count, parameters.count, name)
        // The last layers' gradients are final well before the first layers': there is something to overlap.
        let steps = program.gradientsReady.map(\.afterStep)
        XCTAssertLessThan(steps.min() ?? 0, (steps.max() ?? 0) - 10, name)
        // The first run leaves gradients behind, so the second shows any gradient still being written.
        program.run()
        program.arena.gradients.update(repeating: .nan)
        var atReady: [Int: [Float]] = [:]
        program.run { step in
            for (slot, gradient) in program.gradientsReady.enumerated() where gradient.afterStep == step {
                atReady[slot] = Array(program.arena.gradients[gradient.range])
            }
        }
        for (slot, gradient) in program.gradientsReady.enumerated() {
            XCTAssertTrue(atReady[slot] == Array(program.arena.gradients[gradient.range]),
                          "\(name): \(g.parameters[slot].key) changed after step \(gradient.afterStep)")
            XCTAssertFalse(Array(program.arena.gradients[gradient.range]).contains { $0.isNaN }, "\(name): slot \(slot)")
        }
    }
}
