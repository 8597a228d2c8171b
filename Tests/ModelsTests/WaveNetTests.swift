import Autodiff
import Core
import Engine
import Graph
import Models
import TestSupport
import XCTest

/// WaveNet's properties that hold for any weights: its parameters, its receptive field (checked
/// exactly by which logits a changed token reaches) and its gradients.
final class WaveNetTests: XCTestCase {
    private func parameterCount(_ config: WaveNet.Config) throws -> Int {
        let g = Graph()
        _ = try WaveNet(g, config: config)
        return g.parameters.reduce(0) { $0 + $1.shape.count }
    }

    /// V 7, E 4, R 5, D 6, S 8, K 2, 3 layers × 2 stacks, counted from the layer sizes.
    func testParameterCountByHand() throws {
        let config = WaveNet.Config(vocabularySize: 7, embedding: 4, residualChannels: 5, dilationChannels: 6,
                                    skipChannels: 8, kernelSize: 2, layersPerStack: 3, stacks: 2)
        let embedding = 7 * 4
        let inputConv = 5 * 4 * 2 + 5                          // (R, E, K) + R
        let filterGate = (2 * 6) * 5 * 2 + 2 * 6                // (2D, R, K) + 2D
        let residual = 5 * 6 + 5                                // (R, D) + R
        let skip = 8 * 6 + 8                                    // (S, D) + S
        let output = (8 * 8 + 8) + (7 * 8 + 7)                  // (S, S) + S, (V, S) + V
        let layers = 6 * (filterGate + residual + skip)
        XCTAssertEqual(try parameterCount(config), embedding + inputConv + layers + output)
        XCTAssertEqual(embedding + inputConv + layers + output, 1_546)

        var oneHot = config
        oneHot.embedding = 0
        XCTAssertEqual(try parameterCount(oneHot), (5 * 7 * 2 + 5) + layers + output, "input conv reads V channels")
    }

    func testKeysAndShapes() throws {
        let g = Graph()
        let model = try WaveNet(g, config: .init(vocabularySize: 5, embedding: 3, residualChannels: 4, dilationChannels: 2,
                                                 skipChannels: 6, layersPerStack: 2))
        XCTAssertEqual(g.parameters.map { "\($0.key) \($0.shape)" }, [
            "embedding.weight (5, 3)", "input_conv.weight (4, 3, 2)", "input_conv.bias (4,)",
            "layers.0.filter_gate.weight (4, 4, 2)", "layers.0.filter_gate.bias (4,)",
            "layers.0.residual.weight (4, 2)", "layers.0.residual.bias (4,)",
            "layers.0.skip.weight (6, 2)", "layers.0.skip.bias (6,)",
            "layers.1.filter_gate.weight (4, 4, 2)", "layers.1.filter_gate.bias (4,)",
            "layers.1.residual.weight (4, 2)", "layers.1.residual.bias (4,)",
            "layers.1.skip.weight (6, 2)", "layers.1.skip.bias (6,)",
            "output.0.weight (6, 6)", "output.0.bias (6,)", "output.1.weight (5, 6)", "output.1.bias (5,)",
        ])
        XCTAssertEqual(try model(g.input("tokens", shape: [3, 7], dtype: .int32)).shape, [3, 7, 5])
        XCTAssertThrowsError(try model(g.input("flat", shape: [7], dtype: .int32)))
    }

    func testDilationsAndReceptiveField() {
        let config = WaveNet.Config(vocabularySize: 4, embedding: 0, residualChannels: 2, dilationChannels: 2,
                                    skipChannels: 2, kernelSize: 3, layersPerStack: 4, stacks: 2)
        XCTAssertEqual((0..<8).map { config.dilation(ofLayer: $0) }, [1, 2, 4, 8, 1, 2, 4, 8])
        XCTAssertEqual(config.receptiveField, 1 + 2 * (1 + 2 * 15), "1 + (K − 1)·(1 + stacks·Σ dilations)")
    }

    /// Changing the token at step s changes the logits at s … s + receptiveField − 1 and nowhere else:
    /// none before s (causality) and none from s + receptiveField on (the field is no wider). The
    /// channels are wide and the batch holds several sequences because a step whose skip sum or
    /// hidden layer is all below zero after ReLU passes no change on, which narrow random layers make
    /// common; a step counts as reached when the logits of any sequence change.
    func testAChangedTokenReachesExactlyTheReceptiveField() throws {
        let configs = [
            WaveNet.Config(vocabularySize: 6, embedding: 0, residualChannels: 8, dilationChannels: 8, skipChannels: 32,
                           kernelSize: 2, layersPerStack: 3, stacks: 2),
            WaveNet.Config(vocabularySize: 6, embedding: 4, residualChannels: 8, dilationChannels: 8, skipChannels: 32,
                           kernelSize: 3, layersPerStack: 2, stacks: 1),
        ]
        for config in configs {
            let (batchSize, s, field, v) = (3, 3, config.receptiveField, config.vocabularySize)
            let steps = s + field + 4
            let g = Graph()
            let model = try WaveNet(g, config: config)
            XCTAssertEqual(model.receptiveField, field)
            let logits = try model(g.input("tokens", shape: [batchSize, steps], dtype: .int32))   // (B, T, V)
            let program = try Engine.compile(g, outputs: [logits], seed: 7)
            var tokens = (0..<(batchSize * steps)).map { Float($0 * 5 % v) }
            try program.setInput("tokens", tokens)
            program.run()
            let before = try program.read(logits)
            for b in 0..<batchSize { tokens[b * steps + s] = Float((Int(tokens[b * steps + s]) + 1) % v) }
            try program.setInput("tokens", tokens)
            program.run()
            let after = try program.read(logits)
            let changed = (0..<steps).filter { t in
                (0..<batchSize).contains { b in
                    (0..<v).contains { after[(b * steps + t) * v + $0] != before[(b * steps + t) * v + $0] }
                }
            }
            XCTAssertEqual(changed, Array(s..<(s + field)), "K \(config.kernelSize), receptive field \(field)")
        }
    }

    func testGradientsWithOneHotAndEmbeddedInputs() {
        let tokens: [Float] = [1, 3, 0, 2, 4, 4, 0, 2, 3, 1]          // (B 2, T 5)
        let targets: [Float] = [3, 0, 2, 4, 4, 0, 2, 3, 1, 1]
        for embedding in [0, 3] {
            gradCheck({ g in
                let model = try WaveNet(g, config: .init(vocabularySize: 5, embedding: embedding, residualChannels: 3,
                                                         dilationChannels: 2, skipChannels: 3, kernelSize: 2,
                                                         layersPerStack: 2, stacks: 2))
                let logits = try model(g.input("tokens", shape: [2, 5], dtype: .int32))
                return try logits.crossEntropy(targets: g.input("targets", shape: [2, 5], dtype: .int32))
            }, inputs: ["tokens": tokens, "targets": targets])
        }
    }
}
