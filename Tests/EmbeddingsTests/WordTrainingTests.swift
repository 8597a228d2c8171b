@testable import Embeddings
import Foundation
import XCTest

/// The pieces of word2vec's training checked by hand: the Huffman codes, subsampling's keep
/// probabilities, the noise distribution, the vocabulary's order, GloVe's counts, the gradients of
/// both output layers against finite differences, and a corpus with planted structure.
final class WordTrainingTests: XCTestCase {
    func testHuffmanCodesOfASmallVocabularyByHand() {
        // Counts 5, 3, 2, 1: {3, 2} → 3, then that node with 1 (the inner node first at a tie) → 6, then
        // 0 with it → 11, the root. Inner nodes are numbered from 0 in order of creation: root = 2.
        let tree = HuffmanTree(counts: [5, 3, 2, 1])
        XCTAssertEqual(tree.codes, [[0], [1, 1], [1, 0, 1], [1, 0, 0]])
        XCTAssertEqual(tree.points, [[2], [2, 1], [2, 1, 0], [2, 1, 0]])
    }

    func testHuffmanCodesArePrefixFreeAndFrequentWordsShort() {
        let counts = [90, 40, 40, 20, 10, 7, 7, 3, 2, 1]
        let tree = HuffmanTree(counts: counts)
        for (a, code) in tree.codes.enumerated() {
            for (b, other) in tree.codes.enumerated() where a != b {
                XCTAssertFalse(other.starts(with: code), "\(code) is a prefix of \(other)")
            }
            XCTAssertTrue(tree.points[a].allSatisfy { $0 >= 0 && $0 < counts.count - 1 })
        }
        XCTAssertLessThanOrEqual(tree.codes[0].count, tree.codes[9].count)
    }

    func testKeepProbabilitiesBySubsamplingByHand() {
        // t = 1e-3 · 1010; keep = (√(c/t) + 1) · t / c, computed by hand (Python).
        let vocabulary = EmbeddingVocabulary(words: ["the", "cat"], counts: [1_000, 10])
        let keep = vocabulary.keepProbabilities(sample: 1e-3)
        XCTAssertEqual(keep[0], 0.032790497164141404, accuracy: 1e-12)
        XCTAssertEqual(keep[1], 0.41880497164141406, accuracy: 1e-12)
        XCTAssertEqual(vocabulary.keepProbabilities(sample: 0), [1, 1])
        XCTAssertEqual(EmbeddingVocabulary(words: ["a", "b"], counts: [1, 1]).keepProbabilities(sample: 1), [1, 1],
                       "words rarer than the threshold are kept whole (capped at 1)")
    }

    func testVocabularyKeepsWordsAtMinCountMostFrequentFirst() throws {
        let sentences = [["b", "a", "c", "a"], ["c", "b", "d"], ["a"]]
        let vocabulary = EmbeddingVocabulary(sentences: sentences, minCount: 2)
        XCTAssertEqual(vocabulary.words, ["a", "b", "c"], "a 3×; b and c 2× in order of first appearance; d dropped")
        XCTAssertEqual(vocabulary.counts, [3, 2, 2])
        XCTAssertEqual(vocabulary.encode(["d", "c", "a"]), [2, 0], "an unknown word is left out, not replaced")
        XCTAssertEqual(try EmbeddingVocabulary.read(tsv: vocabulary.tsv, path: "v.tsv"), vocabulary)
        XCTAssertThrowsError(try EmbeddingVocabulary.read(tsv: "a\t3\nb three\n", path: "v.tsv")) { error in
            XCTAssertEqual(error as? EmbeddingsError, .malformedLine(file: "v.tsv", line: 2, expected: "a word, a tab and its count"))
        }
    }

    func testNoiseWordsFollowCountsToTheThreeQuarters() {
        let counts = [1_000, 100, 10, 1]
        let noise = NoiseDistribution(counts: counts)
        var random = WordRandom(seed: 7)
        var drawn = [Int](repeating: 0, count: counts.count)
        let draws = 400_000
        for _ in 0..<draws { drawn[Int(noise.draw(&random))] += 1 }
        let weights = counts.map { pow(Double($0), 0.75) }
        for (word, weight) in weights.enumerated() {
            let expected = weight / weights.reduce(0, +)
            XCTAssertEqual(Double(drawn[word]) / Double(draws), expected, accuracy: 0.004, "word \(word)")
        }
    }

    func testGloVeCountsPairsWithinTheWindowByInverseDistance() {
        let counts = Cooccurrences([[0, 1, 2], [2, 2]], vocabularySize: 3, window: 2)
        let table = Dictionary(uniqueKeysWithValues: counts.entries.map { ([$0.row, $0.column], $0.count) })
        // (0,1) and (1,2) at distance 1, (0,2) at 2; the second sentence pairs 2 with itself once: both ways.
        XCTAssertEqual(table, [[0, 1]: 1, [1, 0]: 1, [1, 2]: 1, [2, 1]: 1, [0, 2]: 0.5, [2, 0]: 0.5, [2, 2]: 2])
    }

    /// A diverged dot product (NaN) comes out as NaN, which the Trainer reports as divergence, not as a trap.
    func testSigmoidTableSaturatesAndPassesNaNOn() {
        let sigmoid = SigmoidTable()
        XCTAssertEqual(sigmoid(0), 0.5, accuracy: 0.01)
        XCTAssertEqual(sigmoid(5.9999995), 1, accuracy: 0.01, "just below the bound, the last entry")
        XCTAssertEqual(sigmoid(-7), 0)
        XCTAssertEqual(sigmoid(.infinity), 1)
        XCTAssertEqual(sigmoid.log(-10), -10)
        XCTAssertTrue(sigmoid(.nan).isNaN)
        XCTAssertTrue(sigmoid.log(.nan).isNaN)
    }

    func testGloVeWeightIsCappedAtXMax() {
        let glove = GloVeLearner(dimensions: 2, xMax: 100, power: 0.75, rate: 0.05)
        XCTAssertEqual(glove.weight(100), 1)
        XCTAssertEqual(glove.weight(500), 1)
        XCTAssertEqual(glove.weight(10), Float(pow(0.1, 0.75)), accuracy: 1e-6)
    }

    /// One update of each output layer is −alpha × the gradient of its loss, −Σ log σ(±h·w), checked
    /// against central differences of that loss (the sigmoid table's grid makes the update agree to ~1e-2).
    func testOutputLayerUpdatesFollowTheLossGradient() {
        let d = 6
        var generator = WordRandom(seed: 3)
        let hidden = (0..<d).map { _ in generator.nextUnit() - 0.5 }
        let rows = 4
        let output = (0..<(rows * d)).map { _ in generator.nextUnit() - 0.5 }
        // Negative sampling with one possible noise word (3), so the draw is known; hierarchical softmax over 5 words.
        let layers: [(OutputLayer, [(row: Int, label: Double)])] = [
            (OutputLayer(.negativeSampling(NoiseDistribution(counts: [0, 0, 0, 1]), negatives: 1), vocabularySize: 4),
             [(1, 1), (3, 0)]),
            (OutputLayer(.hierarchicalSoftmax(HuffmanTree(counts: [5, 3, 2, 1, 1])), vocabularySize: 5),
             zip(HuffmanTree(counts: [5, 3, 2, 1, 1]).points[1], HuffmanTree(counts: [5, 3, 2, 1, 1]).codes[1])
                .map { (Int($0), 1 - Double($1)) }),
        ]
        for (layer, terms) in layers {
            func loss(_ h: [Double], _ w: [Double]) -> Double {
                terms.reduce(0) { total, term in
                    let dot = (0..<d).reduce(0) { $0 + h[$1] * w[term.row * d + $1] }
                    return total - log(1 / (1 + exp(term.label > 0 ? -dot : dot)))
                }
            }
            let (h, w) = (hidden.map(Double.init), output.map(Double.init))
            var table = output, work = [Float](repeating: 0, count: d)
            var random = WordRandom(seed: 1)
            let alpha: Float = 0.1
            let reported = hidden.withUnsafeBufferPointer { hiddenPointer in
                table.withUnsafeMutableBufferPointer { tablePointer in
                    work.withUnsafeMutableBufferPointer { workPointer in
                        layer.learn(hidden: hiddenPointer.baseAddress!, target: 1, output: tablePointer.baseAddress!,
                                    work: workPointer.baseAddress!, dimensions: d, alpha: alpha, sigmoid: SigmoidTable(),
                                    random: &random)
                    }
                }
            }
            XCTAssertEqual(Double(reported), loss(h, w), accuracy: 0.02)
            let epsilon = 1e-5
            for k in 0..<d {
                var (up, down) = (h, h)
                up[k] += epsilon
                down[k] -= epsilon
                let gradient = (loss(up, w) - loss(down, w)) / (2 * epsilon)
                XCTAssertEqual(Double(work[k]), -Double(alpha) * gradient, accuracy: 2e-3, "hidden \(k)")
            }
            for index in 0..<(rows * d) {
                var (up, down) = (w, w)
                up[index] += epsilon
                down[index] -= epsilon
                let gradient = (loss(h, up) - loss(h, down)) / (2 * epsilon)
                XCTAssertEqual(Double(table[index] - output[index]), -Double(alpha) * gradient, accuracy: 2e-3, "row value \(index)")
            }
        }
    }

    /// Sentences drawn from four topics of five words each: after training, every word's nearest
    /// neighbours are words of its own topic, for each architecture and output layer.
    func testWordsOfAPlantedTopicEndNearestNeighbours() throws {
        let topics = (0..<4).map { topic in (0..<5).map { "t\(topic)w\($0)" } }
        var random = WordRandom(seed: 11)
        let sentences = (0..<2_000).map { _ in
            let topic = topics[random.next(below: 4)]
            return (0..<8).map { _ in topic[random.next(below: 5)] }
        }
        let vocabulary = EmbeddingVocabulary(sentences: sentences, minCount: 1)
        let encoded = sentences.map(vocabulary.encode)
        let layers: [OutputLayer.Kind] = [.negativeSampling(NoiseDistribution(counts: vocabulary.counts), negatives: 5),
                                          .hierarchicalSoftmax(HuffmanTree(counts: vocabulary.counts))]
        for architecture in [Word2VecLearner.Architecture.skipGram, .cbow] {
            for kind in layers {
                let output = OutputLayer(kind, vocabularySize: vocabulary.count)
                let learner = Word2VecLearner(architecture: architecture, window: 3, dimensions: 16, output: output,
                                              subwords: nil, keepProbabilities: vocabulary.keepProbabilities(sample: 0))
                var input = (0..<(vocabulary.count * 16)).map { _ in (random.nextUnit() - 0.5) / 16 }
                var table = [Float](repeating: 0, count: output.rows * 16)
                for epoch in 0..<5 {
                    input.withUnsafeMutableBufferPointer { input in
                        table.withUnsafeMutableBufferPointer { table in
                            _ = learner.train(encoded, input: input.baseAddress!, output: table.baseAddress!,
                                              alpha: 0.025 * (1 - Float(epoch) / 5), random: &random)
                        }
                    }
                }
                let vectors = WordVectors(words: vocabulary.words, dimensions: 16, vectors: input)
                for topic in topics {
                    for word in topic {
                        let neighbours = try vectors.similar(to: word, count: 4).map(\.word)
                        XCTAssertEqual(Set(neighbours), Set(topic).subtracting([word]), "\(architecture) \(kind): \(word)")
                    }
                }
            }
        }
    }
}

/// fastText's sub-words against gensim 4.4's (`compute_ngrams_bytes`, `ft_hash_bytes`), computed once by
/// experiments/reproduce/reference/fasttext_ngrams.py: the n-grams of `<word>` in fastText's order, their
/// FNV-1a hashes with the sign-extended bytes (so "naïve", "über" and "日本語" differ from textbook FNV-1a)
/// and their buckets.
final class FastTextNGramTests: XCTestCase {
    private struct Fixture: Decodable {
        struct Word: Decodable {
            struct NGram: Decodable {
                let ngram: String
                let hash: UInt32
                let bucket: Int
            }
            let word: String
            let ngrams: [NGram]
        }
        let minN: Int
        let maxN: Int
        let buckets: Int
        let words: [Word]

        enum CodingKeys: String, CodingKey {
            case minN = "min_n", maxN = "max_n", buckets, words
        }
    }

    func testNGramsAndHashesEqualGensims() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Golden/fasttext_ngrams", withExtension: "json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        XCTAssertEqual(fixture.words.count, 6)
        for word in fixture.words {
            let ngrams = SubwordRows.ngrams(of: word.word, minN: fixture.minN, maxN: fixture.maxN)
            XCTAssertEqual(ngrams.map { String(decoding: $0, as: UTF8.self) }, word.ngrams.map(\.ngram), word.word)
            XCTAssertEqual(ngrams.map(SubwordRows.hash), word.ngrams.map(\.hash), word.word)
            let rows = SubwordRows(words: [word.word], minN: fixture.minN, maxN: fixture.maxN, buckets: fixture.buckets)
            XCTAssertEqual(Array(rows.rows(of: 0)), [0] + word.ngrams.map { Int32(1 + $0.bucket) }, "the word's own row first")
            XCTAssertEqual(rows.rows(ofUnknown: word.word, vocabularySize: 1), word.ngrams.map { 1 + $0.bucket })
        }
    }
}
