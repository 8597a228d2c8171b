import Foundation
@testable import Translation
import XCTest

/// Greedy and beam decoding over toy scorers: beam 1 is greedy, beam 2 finds what greedy misses,
/// length limits force `<eos>`, n-best lists are ranked, and batching sentences changes nothing.
final class DecoderTests: XCTestCase {
    // Tokens: 0 <bos>, 1 <eos>, 2 a, 3 b, 4 c.
    static let (bos, eos) = (0, 1)

    /// A scorer that depends on the last token only (and on the sentence, through `table`).
    private func markov(_ table: @escaping (Int, Int) -> [Double]) -> ([Decoder.Row<Int>]) -> [(logProbabilities: [Float], state: Int)] {
        { rows in rows.map { row in (table(row.sentence, row.token).map { Float(Foundation.log($0)) }, row.state + 1) } }
    }

    /// After <bos>: a 0.6, b 0.4. After a: <eos> 0.4, a 0.3, b 0.3. After b: <eos> 0.99. Greedy takes
    /// a then <eos> (0.24); "b" is likelier (0.396) and beam 2 finds it.
    func testBeamTwoFindsWhatGreedyMisses() {
        let scorer = markov { _, last in
            switch last {
            case Self.bos: [1e-9, 1e-9, 0.6, 0.4, 1e-9]
            case 2: [1e-9, 0.4, 0.3, 0.3, 1e-9]
            default: [1e-9, 0.99, 0.005, 0.005, 1e-9]
            }
        }
        let greedy = Decoder(beam: 1, bos: Self.bos, eos: Self.eos).decode(initial: [0], sourceLengths: [3], step: scorer)
        XCTAssertEqual(greedy[0].map(\.tokens), [[2]])
        let beam = Decoder(beam: 2, nBest: 2, bos: Self.bos, eos: Self.eos).decode(initial: [0], sourceLengths: [3], step: scorer)
        XCTAssertEqual(beam[0].map(\.tokens), [[3], [2]])
        XCTAssertEqual(beam[0][0].logProbability, Foundation.log(0.4 * 0.99), accuracy: 1e-6)
        XCTAssertEqual(beam[0][0].score, Foundation.log(0.4 * 0.99) / 2, accuracy: 1e-6, "divided by length^1, <eos> counted")
    }

    /// Pseudo-random scorers (20 seeds) for several sentences: beam 1 is the argmax at every step.
    func testBeamOneIsGreedy() {
        for seed in 0..<20 {
            let table = { (sentence: Int, last: Int) -> [Double] in
                var state = UInt64(truncatingIfNeeded: seed &* 31 &+ sentence &* 7 &+ last) &* 0x9E37_79B9_7F4A_7C15
                return (0..<5).map { _ in
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    return Double(state >> 11) / Double(1 << 53) + 1e-3
                }
            }
            let decoded = Decoder(beam: 1, maxLengthB: 12, bos: Self.bos, eos: Self.eos)
                .decode(initial: [0, 0, 0], sourceLengths: [2, 5, 9], step: markov(table))
            for sentence in 0..<3 {
                var (tokens, last) = ([Int](), Self.bos)
                while tokens.count < 12 {
                    let scores = table(sentence, last)
                    // Never <bos>; never <eos> first (fairseq's min_len 1).
                    let allowed = scores.indices.filter { $0 != Self.bos && ($0 != Self.eos || !tokens.isEmpty) }
                    let best = allowed.max { scores[$0] < scores[$1] } ?? 0
                    if best == Self.eos { break }
                    tokens.append(best)
                    last = best
                }
                XCTAssertEqual(decoded[sentence].first?.tokens, tokens, "seed \(seed), sentence \(sentence)")
            }
        }
    }

    /// A scorer that never wants <eos> stops after ⌊a·(|source| + 1) + b⌋ tokens (fairseq's max_len,
    /// the source counted with its <eos>); absurd limits saturate instead of overflowing.
    func testTheLengthLimitForcesEndOfSentence() {
        let scorer = markov { _, _ in [1e-9, 1e-6, 0.5, 0.3, 0.2] }
        let decoder = Decoder(beam: 3, maxLengthA: 1.5, maxLengthB: 2, nBest: 3, bos: Self.bos, eos: Self.eos)
        let decoded = decoder.decode(initial: [0, 0], sourceLengths: [2, 4], step: scorer)
        XCTAssertEqual(decoder.maxLength(sourceLength: 2), 6)
        XCTAssertEqual(decoded[0].map(\.tokens.count), [6, 6, 6])
        XCTAssertEqual(decoded[1].map(\.tokens.count), [9, 9, 9])
        XCTAssertEqual(Decoder(maxLengthA: 1e300, maxLengthB: .max, bos: 0, eos: 1).maxLength(sourceLength: 5), 1024)
        XCTAssertEqual(decoded[0].map(\.score), decoded[0].map(\.score).sorted(by: >), "best first")
    }

    /// fairseq's rules: the first token is never <eos>, and <bos> and <pad> are never generated.
    func testEndOfSentenceNeverFirstAndPaddingNeverGenerated() {
        let scorer = markov { _, last in last == Self.bos ? [0.3, 0.5, 0.05, 0.05, 0.1] : [0.05, 0.1, 0.05, 0.05, 0.75] }
        for beam in [1, 3] {
            let decoded = Decoder(beam: beam, maxLengthB: 4, bos: Self.bos, eos: Self.eos, padding: 4)
                .decode(initial: [0], sourceLengths: [3], step: scorer)[0][0]
            XCTAssertFalse(decoded.tokens.isEmpty, "beam \(beam)")
            XCTAssertFalse(decoded.tokens.contains(Self.bos) || decoded.tokens.contains(4), "beam \(beam): \(decoded.tokens)")
        }
    }

    /// Sentences decoded together get what each gets alone.
    func testBatchingChangesNothing() {
        let scorer = markov { sentence, last in
            [1e-3, sentence == 1 && last == 3 ? 0.9 : 0.2, 0.3 + 0.1 * Double(sentence), 0.25, 0.2]
        }
        let decoder = Decoder(beam: 4, lengthPenalty: 0.6, maxLengthB: 8, nBest: 2, bos: Self.bos, eos: Self.eos)
        let together = decoder.decode(initial: [0, 0, 0], sourceLengths: [3, 3, 3], step: scorer)
        for sentence in 0..<3 {
            let shifted = markov { _, last in
                [1e-3, sentence == 1 && last == 3 ? 0.9 : 0.2, 0.3 + 0.1 * Double(sentence), 0.25, 0.2]
            }
            XCTAssertEqual(decoder.decode(initial: [0], sourceLengths: [3], step: shifted)[0], together[sentence])
        }
    }

    /// The one-pass selection of a step's best tokens equals sorting the whole vocabulary, with ties
    /// (values drawn from 8 levels) going to the lower id, excluded tokens skipped, NaN never chosen.
    func testTopTokensEqualSortingTheVocabulary() {
        var state: UInt64 = 12_345
        for trial in 0..<200 {
            let count = 1 + trial % 12
            let values: [Float] = (0..<(5 + trial)).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return state >> 60 == 0 ? .nan : -Float(state >> 61)
            }
            let excluded: Set<Int> = [trial % 5, 3]
            let sorted = values.indices.filter { !excluded.contains($0) && !values[$0].isNaN }
                .sorted { (values[$0], -$0) > (values[$1], -$1) }.prefix(count)
            let top = Decoder.top(values, count, only: nil, excluding: excluded)
            XCTAssertEqual(top.map(\.0), Array(sorted), "trial \(trial)")
            XCTAssertEqual(top.map(\.1), sorted.map { Double(values[$0]) })
        }
    }
}
