import Core
import Data
import Engine
import Planner
import Spec
import Translation
import XCTest

/// The whole translation stack on a task with a known answer: a small attention model and a small
/// Transformer, trained on length-bucketed batches, learn to reverse short sequences, and its greedy and beam translations of
/// held-out sequences score BLEU ≥ 95.
final class CopyTaskTests: XCTestCase {
    static let tokens = TranslationTokens(padding: 0, bos: 1, eos: 2)
    static let vocabulary = 11                                     // ids 3…10 are the symbols

    private func pairs(_ count: Int, seed: UInt64) -> [TranslationPair] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let source = (0..<(3 + Int(generator.next() % 4))).map { _ in 3 + Int(generator.next() % 8) }
            return TranslationPair(source: source, target: source.reversed())
        }
    }

    func testASmallAttentionModelLearnsToReverseSequences() throws {
        try assertLearnsToReverse(model: "{kind: seq2seq, embedding: 16, hidden: 32, attention: additive, encoder_bidirectional: true}",
                                  optimizer: "{kind: adam, lr: 0.01}", epochs: 30)
    }

    /// The Transformer, decoded over its cache: the task takes it a few hundred steps.
    func testASmallTransformerLearnsToReverseSequences() throws {
        try assertLearnsToReverse(model: "{kind: transformer, width: 32, heads: 4, ffn: 64, encoder_layers: 1, decoder_layers: 1, "
                                      + "max_positions: 16}",
                                  optimizer: "{kind: adam, lr: 0.003, betas: [0.9, 0.98], eps: 1.0e-9}", epochs: 60)
    }

    private func assertLearnsToReverse(model: String, optimizer: String, epochs: Int, file: StaticString = #filePath,
                                       line: UInt = #line) throws {
        let spec = try ExperimentSpec.parse("""
            task: translation
            data: {corpus: reverse, source: a, target: b}
            model: \(model)
            train: {batch_size: 32, epochs: \(epochs), optimizer: \(optimizer), clip_grad_norm: 1.0}
            """, path: "reverse.yaml")
        let buckets = try TranslationBuckets(pairs(640, seed: 1), count: 2, batchSize: 32, batchTokens: nil, tokens: Self.tokens)
        let plan = try TranslationPlan(spec, sourceVocabularySize: Self.vocabulary, targetVocabularySize: Self.vocabulary,
                                       shapes: buckets.buckets.map {
                                           .init(batchSize: $0.batchSize, sourceLength: $0.sourceLength, targetLength: $0.targetLength)
                                       }, evaluationShapes: [])
        var programs: [Program] = []
        for pass in plan.train {
            programs.append(try Engine.compile(pass.graph, outputs: [pass.loss], gradients: pass.gradients,
                                               arena: programs.first?.arena, seed: 7))
        }
        let arena = programs[0].arena
        var recipe = try plan.recipe(for: arena.layout, batchesPerEpoch: buckets.batchesPerEpoch)
        var generator = SeededGenerator(seed: 3)
        var (step, losses) = (0, [Float]())
        for _ in 0..<epochs {
            for batch in buckets.epoch(using: &generator) {
                let program = programs[batch.bucket]
                try program.setInput(TranslationPlan.source, batch.source.map(Float.init))
                try program.setInput(TranslationPlan.mask, batch.sourceMask)
                try program.setInput(TranslationPlan.inputs, batch.decoderInputs.map(Float.init))
                try program.setInput(TranslationPlan.targets, batch.targets.map(Float.init))
                program.run()
                losses.append(try program.scalar(plan.train[batch.bucket].loss))
                _ = recipe.step(step, parameters: arena.values, gradients: arena.gradients)
                step += 1
            }
        }
        XCTAssertLessThan(losses.suffix(20).reduce(0, +) / 20, 0.1, "the last losses: \(losses.suffix(5))", file: file, line: line)
        let heldOut = pairs(100, seed: 2)
        let references = heldOut.map { $0.target.map(String.init).joined(separator: " ") }
        for beam in [1, 3] {
            let translator = Translator(plan: plan, arena: arena,
                                        decoder: Decoder(beam: beam, maxLengthA: 1, maxLengthB: 5, bos: 1, eos: 2), sourceEOS: 2)
            let hypotheses = try translator.translate(heldOut.map(\.source)).map {
                ($0.first?.tokens ?? []).map(String.init).joined(separator: " ")
            }
            let bleu = BLEU(tokenization: .none).corpus(hypotheses: hypotheses, references: references)
            XCTAssertGreaterThanOrEqual(bleu.score, 95, "beam \(beam): \(bleu)", file: file, line: line)
        }
    }
}
