import Core
@testable import Data
import XCTest

/// BERT's pretraining data: documents and sentences as WikiText marks them, pairs that fit, next
/// sentences half the time, and the 15 % / 80-10-10 masking over many draws.
final class SentencePairsTests: XCTestCase {
    /// Each word its own id: 10 + its position in `words`.
    private let words = (0..<40).map { "w\($0)" }
    private func encode(_ text: String) -> [Int] {
        text.split(separator: " ").map { word in word == "." ? 9 : 10 + (words.firstIndex(of: String(word)) ?? 0) }
    }

    func testDocumentsByTitleAndSentencesAtFullStops() {
        let text = """

             = First =

             w1 w2 . w3 w4 .
             = = Section = =
             w5 .

             = Second =
             w6 w7 . w8
            """
        let documents = Documents(text: text, encode: encode).documents
        XCTAssertEqual(documents, [[[11, 12, 9], [13, 14, 9], [15, 9]], [[16, 17, 9], [18]]])
        // Without titles, blank lines part documents.
        XCTAssertEqual(Documents(text: "w1 . w2\n\nw3\n", encode: encode).documents, [[[11, 9], [12]], [[13]]])
    }

    private let recipe = PairRecipe(length: 12, cls: 1, sep: 2, mask: 3, specials: [0, 1, 2, 3, 4], vocabularySize: 50)

    func testPairsFitAndFollowHalfTheTime() {
        var generator = SeededGenerator(seed: 1)
        let corpus = Documents(text: (0..<6).map { d in
            "= D\(d) =\n" + (0..<8).map { s in (0..<(2 + (d + s) % 9)).map { "w\((d * 5 + s + $0) % 40)" }.joined(separator: " ") + " ." }
                .joined(separator: " ")
        }.joined(separator: "\n"), encode: encode)
        var random = 0
        for _ in 0..<20 {
            let pairs = recipe.pairs(corpus, using: &generator)
            XCTAssertEqual(pairs.count, 6 * 7, "every sentence but a document's last starts a pair")
            for pair in pairs {
                XCTAssertLessThanOrEqual(pair.tokens.count, 12)
                XCTAssertEqual(pair.tokens.first, 1)
                XCTAssertEqual(pair.tokens.last, 2)
                XCTAssertEqual(pair.tokens.filter { $0 == 2 }.count, 2)
                let second = pair.tokens.firstIndex(of: 2)! + 1
                XCTAssertEqual(pair.segments, [Int](repeating: 0, count: second) + [Int](repeating: 1, count: pair.tokens.count - second))
                random += pair.nextSentenceLabel
            }
        }
        XCTAssertEqual(Double(random) / Double(20 * 42), 0.5, accuracy: 0.05)
    }

    /// A batch lists its pairs' selected positions in order as indices into B·T, padded to the
    /// recipe's capacity with ignored slots; filler rows select nothing.
    func testBatchPositionsAndCapacity() {
        var generator = SeededGenerator(seed: 5)
        let pairs = (0..<3).map { _ in recipe.masked(Array(10..<20), Array(20..<25), random: false, using: &generator) }
        let batch = MaskedPairBatch(pairs[...], batchSize: 4, padding: 0, recipe: recipe)
        let capacity = recipe.capacity(batchSize: 4)
        // 4 pairs × 9 word positions: 5.4 expected, σ 2.14, 5.4 + 4σ = 13.97.
        XCTAssertEqual(capacity, 14)
        XCTAssertEqual(batch.positions.count, capacity)
        var expected: [(Int, Int)] = []
        for (row, pair) in pairs.enumerated() {
            for (t, label) in pair.labels.enumerated() where label != MaskedPair.ignored { expected.append((row * 12 + t, label)) }
        }
        XCTAssertEqual(batch.selected, expected.count)
        XCTAssertEqual(Array(batch.positions.prefix(expected.count)), expected.map(\.0))
        XCTAssertEqual(Array(batch.labels.prefix(expected.count)), expected.map(\.1))
        XCTAssertTrue(batch.labels.dropFirst(expected.count).allSatisfy { $0 == MaskedPair.ignored })
        XCTAssertEqual(batch.nextSentenceLabels.last, MaskedPair.ignored, "the filler row")
        XCTAssertEqual(Array(batch.mask[36..<48]), [1, 1] + [Float](repeating: 0, count: 10))
    }

    func testMaskingProportionsAndNoSpecialSelected() {
        var generator = SeededGenerator(seed: 7)
        let sentence = Array(10..<30)
        var (candidates, selected, masked, replaced, kept) = (0, 0, 0, 0, 0)
        for _ in 0..<4000 {
            let pair = recipe.masked(sentence, sentence, random: false, using: &generator)
            let original = [1] + Array(sentence.prefix(4)) + [2] + Array(sentence.prefix(5)) + [2]
            XCTAssertEqual(pair.tokens.count, original.count)
            candidates += original.filter { $0 >= 10 }.count
            for (t, label) in pair.labels.enumerated() where label != MaskedPair.ignored {
                XCTAssertEqual(label, original[t])
                XCTAssertFalse(recipe.specials.contains(label), "a special token selected")
                selected += 1
                switch pair.tokens[t] {
                case 3: masked += 1
                case original[t]: kept += 1
                default:
                    XCTAssertFalse(recipe.specials.contains(pair.tokens[t]))
                    replaced += 1
                }
            }
            for (t, token) in pair.tokens.enumerated() where pair.labels[t] == MaskedPair.ignored {
                XCTAssertEqual(token, original[t], "an unselected position changed")
            }
        }
        XCTAssertEqual(Double(selected) / Double(candidates), 0.15, accuracy: 0.015)
        XCTAssertEqual(Double(masked) / Double(selected), 0.8, accuracy: 0.02)
        // A random draw can hit the token itself (1 in 45): it then counts as kept.
        XCTAssertEqual(Double(replaced) / Double(selected), 0.1, accuracy: 0.015)
        XCTAssertEqual(Double(kept) / Double(selected), 0.1, accuracy: 0.015)
    }
}
