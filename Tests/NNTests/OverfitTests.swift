import Autodiff
import Core
import Engine
import Graph
import NN
import Optim
import XCTest

/// A model that can learn must drive the loss on one fixed batch to near zero: the end-to-end check
/// that forward, backward, the arena and the optimizer fit together.
final class OverfitTests: XCTestCase {
    /// Trains `loss` on fixed inputs with Adam and returns the losses, one per step.
    private func train(_ graph: Graph, loss: Tensor, inputs: [String: [Float]], steps: Int, lr: Float) throws -> [Float] {
        let parameters = graph.parameters.filter(\.trainable).map { graph.tensor($0.node) }
        let gradients = try graph.gradients(of: loss, withRespectTo: parameters)
        let program = try Engine.compile(graph, outputs: [loss], gradients: Array(zip(parameters, gradients)), seed: 5)
        for (name, values) in inputs { try program.setInput(name, values) }
        var optimizer = Adam(layout: program.arena.layout)
        var losses: [Float] = []
        for _ in 0..<steps {
            program.run()
            losses.append(try program.scalar(loss))
            _ = clipGradNorm(program.arena.gradients, maxNorm: 1)
            optimizer.step(parameters: program.arena.values, gradients: UnsafeBufferPointer(program.arena.gradients),
                           layout: program.arena.layout, lr: lr)
        }
        return losses
    }

    /// Random ids, different in every position so that the batch must be memorised.
    private func ids(_ count: Int, vocabulary: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float(rng.next() % UInt64(vocabulary)) }
    }

    func testGRULanguageModelOverfitsOneBatch() throws {
        let (v, e, h, t, b) = (20, 16, 64, 12, 4)
        let g = Graph()
        let tokens = g.input("tokens", shape: [t, b], dtype: .int32)
        let targets = g.input("targets", shape: [t, b], dtype: .int32)
        let embedding = try Embedding(g, key: "embedding", count: v, dimension: e)
        let gru = try GRU(g, key: "gru", inputSize: e, hiddenSize: h)
        let head = try Linear(g, key: "head", inputSize: h, outputSize: v)
        let loss = try head(try gru(try embedding(tokens)).output).crossEntropy(targets: targets)
        let losses = try train(g, loss: loss, inputs: ["tokens": ids(t * b, vocabulary: v, seed: 1),
                                                        "targets": ids(t * b, vocabulary: v, seed: 2)], steps: 300, lr: 0.01)
        XCTAssertGreaterThan(losses[0], 2.5, "starts near ln 20 ≈ 3.0")
        XCTAssertLessThan(losses.last!, 0.05, "losses: \(losses.suffix(3))")
    }

    func testMLPOverfitsOneBatch() throws {
        let (v, block, e, hidden, b) = (27, 3, 10, 200, 32)
        let g = Graph()
        let context = g.input("context", shape: [b, block], dtype: .int32)
        let targets = g.input("targets", shape: [b], dtype: .int32)
        let embedding = try Embedding(g, key: "embedding", count: v, dimension: e)
        let hiddenLayer = try Linear(g, key: "hidden", inputSize: block * e, outputSize: hidden)
        let output = try Linear(g, key: "output", inputSize: hidden, outputSize: v)
        let features = try embedding(context).reshaped(to: [b, block * e])
        let loss = try output(try hiddenLayer(features).tanh()).crossEntropy(targets: targets)
        let losses = try train(g, loss: loss, inputs: ["context": ids(b * block, vocabulary: v, seed: 3),
                                                        "targets": ids(b, vocabulary: v, seed: 4)], steps: 300, lr: 0.01)
        XCTAssertLessThan(losses.last!, 0.05, "losses: \(losses.suffix(3))")
    }
}
