import Autodiff
import Core
import Engine
import Graph
@testable import Models
import NN
import TestSupport
import XCTest

/// The window models of makemore: Bengio's MLP (with and without BatchNorm), the hierarchical
/// WaveNet and the n-gram — their sizes against the lectures, their inits, their gradients.
final class WindowModelTests: XCTestCase {
    private func trainable(_ build: (Graph) throws -> Void) throws -> Int {
        let g = Graph()
        try build(g)
        return g.parameters.filter(\.trainable).reduce(0) { $0 + $1.shape.count }
    }

    /// REPRODUCE.md §1: 11,897 (MLP), 12,097 (MLP + BatchNorm: no b1, BN γ and β), 76,579 (WaveNet).
    func testParameterCountsMatchTheLectures() throws {
        let mlp = MLPLanguageModel.Config(vocabularySize: 27, block: 3, embedding: 10, hidden: 200)
        XCTAssertEqual(try trainable { _ = try MLPLanguageModel($0, config: mlp) }, 11_897)
        var normalized = mlp
        normalized.batchNorm = true
        XCTAssertEqual(try trainable { _ = try MLPLanguageModel($0, config: normalized) }, 12_097)
        var direct = mlp
        direct.direct = true
        XCTAssertEqual(try trainable { _ = try MLPLanguageModel($0, config: direct) }, 11_897 + 30 * 27)
        let wavenet = HierarchicalWaveNet.Config(vocabularySize: 27, block: 8, embedding: 24, hidden: 128)
        XCTAssertEqual(try trainable { _ = try HierarchicalWaveNet($0, config: wavenet) }, 76_579)
        XCTAssertEqual(wavenet.stages, 3)
        XCTAssertNil(HierarchicalWaveNet.Config(vocabularySize: 27, block: 6, embedding: 2, hidden: 2).stages)
        XCTAssertThrowsError(try HierarchicalWaveNet(Graph(), config: .init(vocabularySize: 27, block: 6, embedding: 2, hidden: 2)))
    }

    /// makemore part 3: W1 ~ N(0, 1)·(5/3)/√30, b1 ~ N(0, 1)·0.01, W2 ~ N(0, 1)·0.01, b2 = 0, C ~ N(0, 1);
    /// part 5: Linear weights N(0, 1)/√fan_in, the head's × 0.1, its bias 0.
    func testMakemoreInitialisations() throws {
        func initializers(_ build: (Graph) throws -> Void) throws -> [String: Initializer] {
            let g = Graph()
            try build(g)
            return Dictionary(uniqueKeysWithValues: g.parameters.map { ($0.key, $0.initializer) })
        }
        let mlp = try initializers {
            _ = try MLPLanguageModel($0, config: .init(vocabularySize: 27, block: 3, embedding: 10, hidden: 200,
                                                       initialization: .makemore))
        }
        XCTAssertEqual(mlp["embedding.weight"], .normal(mean: 0, std: 1))
        XCTAssertEqual(mlp["hidden.0.weight"], .normal(mean: 0, std: 5 / 3 / Float(30).squareRoot()))
        XCTAssertEqual(mlp["hidden.0.bias"], .normal(mean: 0, std: 0.01))
        XCTAssertEqual(mlp["head.weight"], .normal(mean: 0, std: 0.01))
        XCTAssertEqual(mlp["head.bias"], .zeros)
        let wavenet = try initializers {
            _ = try HierarchicalWaveNet($0, config: .init(vocabularySize: 27, block: 8, embedding: 24, hidden: 128,
                                                          initialization: .makemore))
        }
        XCTAssertEqual(wavenet["stages.0.weight"], .normal(mean: 0, std: 1 / Float(48).squareRoot()))
        XCTAssertEqual(wavenet["stages.2.weight"], .normal(mean: 0, std: 1 / Float(256).squareRoot()))
        XCTAssertEqual(wavenet["head.weight"], .normal(mean: 0, std: 0.1 / Float(128).squareRoot()))
        XCTAssertEqual(wavenet["stages.1.norm.weight"], .ones, "normalisation starts at the identity")

        // The generic recipes: every varied parameter, never the constant ones; xavier on matrices only.
        let normal = try initializers {
            _ = try MLPLanguageModel($0, config: .init(vocabularySize: 5, block: 2, embedding: 3, hidden: 4, batchNorm: true,
                                                       initialization: .normal(std: 0.5)))
        }
        XCTAssertEqual(normal["hidden.0.weight"], .normal(mean: 0, std: 0.5))
        XCTAssertEqual(normal["head.bias"], .normal(mean: 0, std: 0.5))
        XCTAssertEqual(normal["hidden.0.norm.bias"], .zeros)
        let xavier = try initializers {
            _ = try RNNLanguageModel($0, config: .init(vocabularySize: 5, embedding: 3, hidden: 4, initialization: .xavierUniform))
        }
        XCTAssertEqual(xavier["rnn.layers.0.w_ih"], .xavierUniform(gain: 1))
        XCTAssertNotEqual(xavier["rnn.layers.0.b_ih"], .xavierUniform(gain: 1))
    }

    /// A tiny MLP with BatchNorm and direct connections, and a two-stage WaveNet, checked against
    /// finite differences through the cross-entropy of their (B, 1, V) logits.
    func testGradients() {
        let tokens: [Float] = [1, 3, 0, 2, 4, 4, 2, 1, 0, 3, 3, 4]       // (B 3, block 4)
        let targets: [Float] = [2, 0, 4]
        for batchNorm in [false, true] {
            gradCheck({ g in
                let model = try MLPLanguageModel(g, config: .init(vocabularySize: 5, block: 4, embedding: 2, hidden: 3,
                                                                  layers: 2, batchNorm: batchNorm, direct: true))
                let logits = try model(g.input("tokens", shape: [3, 4], dtype: .int32))
                return try logits.crossEntropy(targets: g.input("targets", shape: [3, 1], dtype: .int32))
            }, inputs: ["tokens": tokens, "targets": targets])
        }
        gradCheck({ g in
            let model = try HierarchicalWaveNet(g, config: .init(vocabularySize: 5, block: 4, embedding: 2, hidden: 3))
            let logits = try model(g.input("tokens", shape: [3, 4], dtype: .int32))
            return try logits.crossEntropy(targets: g.input("targets", shape: [3, 1], dtype: .int32))
        }, inputs: ["tokens": tokens, "targets": targets])
    }

    /// FlattenConsecutive(2) on (B, T, C) puts neighbours side by side: a reshape, checked by hand and
    /// by finite differences through a layer that follows it.
    func testFlattenConsecutive() throws {
        let g = Graph()
        let x = g.input("x", shape: [1, 4, 2])
        let y = try FlattenConsecutive(2)(x)
        XCTAssertEqual(y.shape, [1, 2, 4])
        let program = try Engine.compile(g, outputs: [y])
        try program.setInput("x", [1, 2, 3, 4, 5, 6, 7, 8])
        program.run()
        XCTAssertEqual(try program.read(y), [1, 2, 3, 4, 5, 6, 7, 8], "positions (1,2),(3,4) | (5,6),(7,8)")
        XCTAssertThrowsError(try FlattenConsecutive(3)(x), "T = 4 is not a multiple of 3")
        gradCheck({ g in
            let linear = try Linear(g, key: "fc", inputSize: 4, outputSize: 3)
            let x = g.input("x", shape: [2, 4, 2])
            let flat = try FlattenConsecutive(2)(x)
            return try (linear(flat) * g.input("weights", shape: [2, 2, 3])).sum()
        }, inputs: ["x": (0..<16).map { Float(($0 * 7) % 11) / 5 - 1 }, "weights": (0..<12).map { Float(($0 * 5) % 7) / 3 - 1 }])
    }

    /// Counts by hand: contexts [a] → targets. With add-1 smoothing over V = 3, row 1 (seen twice
    /// followed by 2, once by 0) is (1+1, 0+1, 2+1) / 6.
    func testNGramCountsAndLookup() throws {
        let config = NGramModel.Config(vocabularySize: 3, order: 2, smoothing: 1)
        let table = NGramModel.fit(config, contexts: [1, 1, 1, 0], targets: [2, 0, 2, 1])
        let expected: [Float] = [1, 2, 1].map { log($0 / 4) } + [2, 1, 3].map { log($0 / 6) } + [1, 1, 1].map { log($0 / 3) }
        assertClose(table, expected, rtol: 1e-6, atol: 1e-7)

        // Order 3: the context (a, b) is row a·V + b.
        let trigram = NGramModel.Config(vocabularySize: 3, order: 3, smoothing: 0.5)
        XCTAssertEqual(trigram.contexts, 9)
        let fitted = NGramModel.fit(trigram, contexts: [2, 1], targets: [0])
        XCTAssertEqual(fitted[(2 * 3 + 1) * 3], log(1.5 / 2.5), accuracy: 1e-6)
        let g = Graph()
        let logits = try NGramModel(g, config: trigram)(g.input("tokens", shape: [2, 2], dtype: .int32))
        let program = try Engine.compile(g, outputs: [logits])
        try program.arena.setValue(NGramModel.tableKey, fitted)
        try program.setInput("tokens", [2, 1, 0, 0])
        program.run()
        XCTAssertEqual(try program.read(logits), Array(fitted[21..<24]) + Array(fitted[0..<3]))
        XCTAssertThrowsError(try NGramModel(Graph(), config: .init(vocabularySize: 3, order: 1)))
    }
}
