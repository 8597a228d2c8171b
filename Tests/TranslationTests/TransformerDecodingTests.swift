import Core
import Engine
import Graph
import Models
import Planner
import Spec
import Translation
import XCTest

/// The Transformer's cached decoding, as the translator runs it (sources padded, many sentences a
/// step, a self-attention cache of one slot per step), against the uncached decoder: the teacher-
/// forced pass rerun over the whole prefix at every step, one sentence at a time, unpadded.
final class TransformerDecodingTests: XCTestCase {
    static let (bos, eos, padding) = (1, 2, 0)

    func testCachedGreedyDecodingEqualsRerunningThePrefix() throws {
        for norm in ["post", "pre"] {
            let spec = try ExperimentSpec.parse("""
                task: translation
                data: {corpus: x, source: a, target: b}
                model: {kind: transformer, width: 16, heads: 2, ffn: 24, encoder_layers: 2, decoder_layers: 2, norm: \(norm),
                        positions: learned, max_positions: 12}
                """, path: "x.yaml")
            let plan = try TranslationPlan(spec, sourceVocabularySize: 9, targetVocabularySize: 10,
                                           shapes: [.init(batchSize: 1, sourceLength: 4, targetLength: 4)], evaluationShapes: [])
            let arena = try Engine.compile(plan.train[0].graph, outputs: [plan.train[0].loss], seed: 11).arena
            guard let config = plan.model as? TranslationTransformer.Config else { return XCTFail("not a Transformer") }
            var generator = SeededGenerator(seed: 5)
            // The last source fills the 12 positions with its <eos>: padded to a multiple of 8 it would not fit.
            let sources = (0..<6).map { _ in (0..<(1 + Int(generator.next() % 6))).map { _ in 3 + Int(generator.next() % 6) } }
                + [(0..<11).map { 3 + $0 % 6 }]
            let decoder = Decoder(beam: 1, maxLengthA: 1, maxLengthB: 2, bos: Self.bos, eos: Self.eos, padding: Self.padding)
            let cached = try Translator(plan: plan, arena: arena, decoder: decoder, sourceEOS: Self.eos, rows: 4)
                .translate(sources).map { $0.first?.tokens ?? [] }
            for (source, translation) in zip(sources, cached) {
                // The translator decodes no further than the 12 positions allow: 11 tokens and <eos>.
                let maxLength = min(decoder.maxLength(sourceLength: source.count), 11)
                XCTAssertEqual(translation, try uncachedGreedy(source, config: config, arena: arena, maxLength: maxLength),
                               "\(norm)-LN, source \(source)")
            }
        }
    }

    /// Greedy decoding by the decoder's rules (no `<eos>` first, never `<bos>` or `<pad>`, `<eos>` forced
    /// after `maxLength` tokens), each step's logits from the whole prefix.
    private func uncachedGreedy(_ source: [Int], config: TranslationTransformer.Config, arena: ParameterArena, maxLength: Int)
        throws -> [Int] {
        var tokens: [Int] = []
        while tokens.count <= maxLength {
            let g = Graph(training: false)
            let (length, steps) = (source.count + 1, tokens.count + 1)
            let logits = try TranslationTransformer(g, config: config)(
                g.input("source", shape: [1, length], dtype: .int32), mask: g.input("mask", shape: [1, length]),
                decoderInputs: g.input("inputs", shape: [1, steps], dtype: .int32))
            let program = try Engine.compile(g, outputs: [logits], arena: arena)
            try program.setInput("source", (source + [Self.eos]).map(Float.init))
            try program.setInput("mask", [Float](repeating: 1, count: length))
            try program.setInput("inputs", ([Self.bos] + tokens).map(Float.init))
            program.run()
            let last = Array(try program.read(logits).suffix(config.targetVocabularySize))
            let banned: Set<Int> = tokens.isEmpty ? [Self.bos, Self.padding, Self.eos] : [Self.bos, Self.padding]
            let next = tokens.count == maxLength ? Self.eos
                : last.indices.filter { !banned.contains($0) }.max { (last[$0], -$0) < (last[$1], -$1) } ?? Self.eos
            if next == Self.eos { break }
            tokens.append(next)
        }
        return tokens
    }
}
