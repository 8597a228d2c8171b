import Engine
import Foundation
import Graph
import Models
import TestSupport
import XCTest

/// ELMo's biLM: which tokens each direction reads, its representations over padded texts, and the
/// gradients of its language-model loss.
final class ELMoTests: XCTestCase {
    private let config = ELMo.Config(vocabularySize: 7, embedding: 3, hidden: 4, projection: 3, layers: 2)
    private let (steps, batchSize) = (5, 2)

    /// The forward model's logits at t read tokens 0…t only; the backward model's read targets t…T−1
    /// (x_{t+1} … x_T) only: changing one token or target moves exactly the logits that may see it.
    func testEachDirectionReadsOnlyItsSide() throws {
        let g = Graph(training: false)
        let model = try ELMo(g, config: config)
        let (tokens, targets) = (g.input("tokens", shape: [steps, batchSize], dtype: .int32),
                                 g.input("targets", shape: [steps, batchSize], dtype: .int32))
        let zero = (0..<config.layers).map { _ in model.stateWidths.map { g.constant(0, shape: [batchSize, $0]) } }
        let (forward, backward, _) = try model.languageModel(tokens: tokens, targets: targets, initialStates: zero)
        let program = try Engine.compile(g, outputs: [forward, backward])
        let baseTokens: [Float] = [1, 2, 3, 4, 5, 6, 0, 1, 2, 3]
        let baseTargets: [Float] = [3, 4, 5, 6, 0, 1, 2, 3, 4, 5]
        func run(_ tokenValues: [Float], _ targetValues: [Float]) throws -> (forward: [Float], backward: [Float]) {
            try program.setInput("tokens", tokenValues)
            try program.setInput("targets", targetValues)
            program.run()
            return (try program.read(forward), try program.read(backward))
        }
        let base = try run(baseTokens, baseTargets)
        let k = 2
        var tokenValues = baseTokens, targetValues = baseTargets
        tokenValues[k * batchSize] = 0                         // step k of sequence 0
        targetValues[k * batchSize] = 1
        let tokenChanged = try run(tokenValues, baseTargets)
        let targetChanged = try run(baseTokens, targetValues)
        let width = config.vocabularySize
        func differs(_ a: [Float], _ b: [Float], step t: Int) -> Bool {
            let start = (t * batchSize) * width                 // sequence 0 at step t
            return zip(a[start..<(start + width)], b[start..<(start + width)]).contains { Swift.abs($0 - $1) > 1e-6 }
        }
        for t in 0..<steps {
            XCTAssertEqual(differs(base.forward, tokenChanged.forward, step: t), t >= k, "forward after a token change, t \(t)")
            XCTAssertFalse(differs(base.backward, tokenChanged.backward, step: t), "backward after a token change, t \(t)")
            XCTAssertFalse(differs(base.forward, targetChanged.forward, step: t), "forward after a target change, t \(t)")
            XCTAssertEqual(differs(base.backward, targetChanged.backward, step: t), t <= k, "backward after a target change, t \(t)")
        }
    }

    /// A text padded to a longer batch has the representations it has alone at its real positions:
    /// the backward model starts at its last real token. Layer 0 is the embedding twice.
    func testRepresentationsIgnorePadding() throws {
        let g = Graph(training: false)
        let model = try ELMo(g, config: config, languageModel: false)
        let padded = try model.representations(g.input("padded", shape: [5, 1], dtype: .int32), mask: g.input("mask", shape: [5, 1]))
        let alone = try model.representations(g.input("alone", shape: [3, 1], dtype: .int32))
        XCTAssertEqual(padded.map(\.shape), Array(repeating: [5, 1, 6], count: 3))
        let program = try Engine.compile(g, outputs: padded + alone)
        for (name, values) in ["padded": [4, 2, 6, 1, 1], "mask": [1, 1, 1, 0, 0], "alone": [4, 2, 6]] as [String: [Float]] {
            try program.setInput(name, values)
        }
        program.run()
        for layer in 0..<3 {
            let real = Array(try program.read(padded[layer]).prefix(3 * 6))
            assertClose(real, try program.read(alone[layer]), rtol: 1e-5, atol: 1e-6, "layer \(layer)")
        }
        let tokenLayer = try program.read(alone[0])
        for t in 0..<3 { XCTAssertEqual(Array(tokenLayer[(t * 6)..<(t * 6 + 3)]), Array(tokenLayer[(t * 6 + 3)..<(t * 6 + 6)])) }
        XCTAssertFalse(g.parameters.contains { $0.key.hasPrefix("softmax") }, "no softmax without the language model")
    }

    /// Every weight through the mean of both directions' losses, with a carried forward state.
    func testLanguageModelGradients() {
        let widths = [3, 4]
        var inputs: [String: [Float]] = ["tokens": [1, 2, 3, 4, 5, 6], "targets": [3, 4, 5, 6, 0, 1]]
        for layer in 0..<2 {
            for (index, width) in widths.enumerated() { inputs["state.\(layer).\(index)"] = (0..<(2 * width)).map { Float((($0 + layer + index) * 7) % 11) / 5 - 1 } }
        }
        gradCheck({ g in
            let model = try ELMo(g, config: self.config)
            let tokens = g.input("tokens", shape: [3, 2], dtype: .int32)
            let targets = g.input("targets", shape: [3, 2], dtype: .int32)
            let states = (0..<2).map { layer in widths.indices.map { g.input("state.\(layer).\($0)", shape: [2, widths[$0]]) } }
            let (forward, backward, _) = try model.languageModel(tokens: tokens, targets: targets, initialStates: states)
            return try (forward.crossEntropy(targets: targets) + backward.crossEntropy(targets: tokens)) * 0.5
        }, inputs: inputs)
    }
}
