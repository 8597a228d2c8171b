@testable import Embeddings
import XCTest

/// The evaluation files and their scores: comments, sections, malformed lines named by file and line,
/// Spearman's ρ with ties as scipy computes it, unknown words skipped and counted, and 3CosAdd on
/// vectors whose analogies are planted.
final class EvaluationTests: XCTestCase {
    func testSpearmanWithTiesEqualsScipy() {
        // scipy.stats.spearmanr([1, 2, 2, 3, 5], [0.1, 0.4, 0.3, 0.3, 0.9]).statistic
        XCTAssertEqual(WordPairs.spearman([1, 2, 2, 3, 5], [0.1, 0.4, 0.3, 0.3, 0.9]), 0.7631578947368421, accuracy: 1e-12)
        XCTAssertEqual(WordPairs.ranks([3, 1, 3, 2]), [3.5, 1, 3.5, 2])
        XCTAssertTrue(WordPairs.spearman([1], [2]).isNaN)
    }

    /// Four words on a plane: cat ≈ dog, car ≈ truck, the two pairs orthogonal.
    private let vectors = WordVectors(words: ["cat", "dog", "car", "truck"], dimensions: 2,
                                      vectors: [1, 0.1, 1, 0.15, 0.1, 1, 0.2, 1])

    func testWordPairsSkipUnknownWordsAndCompareCaseInsensitively() throws {
        let text = "# a comment\nCat\tdog\t9.0\ncat\tcar\t2.5\r\nzebra\tcat\t5\n\ntruck\tcar\t8\n"
        let pairs = try WordPairs(text: text, path: "pairs.tsv")
        XCTAssertEqual(pairs.pairs.count, 4)
        let score = pairs.score(vectors)
        XCTAssertEqual(score.scored, 3)
        XCTAssertEqual(score.oovPercent, 25)
        XCTAssertEqual(score.spearman, 1, accuracy: 1e-12, "the similar pairs have the larger cosines")
    }

    func testMalformedEvaluationLinesAreNamed() {
        XCTAssertThrowsError(try WordPairs(text: "# c\ncat\tdog\tvery\n", path: "ws.tsv")) { error in
            XCTAssertEqual("\(error)", "ws.tsv:2: expected two words and a score, separated by tabs")
        }
        XCTAssertThrowsError(try Analogies(text: ": s\na b c\n", path: "q.txt")) { error in
            XCTAssertEqual(error as? EmbeddingsError, .malformedLine(file: "q.txt", line: 2,
                                                                     expected: "four words (a b c d: a is to b as c is to d)"))
        }
        XCTAssertThrowsError(try Analogies(text: "a b c d\n", path: "q.txt")) { error in
            XCTAssertEqual(error as? EmbeddingsError, .malformedLine(file: "q.txt", line: 1,
                                                                     expected: "a section header ': name' before the first question"))
        }
    }

    func testAnalogiesAnswerBy3CosAddPerSection() throws {
        // Offsets planted: king − man + woman = queen; the syntactic section's second question has an unknown word.
        let words = ["man", "woman", "king", "queen", "big", "bigger", "small", "smaller"]
        let table: [[Float]] = [[1, 0, 0, 0], [1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 1, 0],
                                [0, 0, 0, 1], [0, 0.5, 0, 1], [0.3, 0, 0, 1], [0.3, 0.5, 0, 1]]
        let planted = WordVectors(words: words, dimensions: 4, vectors: table.flatMap { $0 })
        let questions = try Analogies(text: """
            : royalty
            man woman king queen
            man king woman queen
            : gram2-comparative
            big bigger small smaller
            big bigger tall taller
            """, path: "q.txt")
        XCTAssertEqual(questions.sections.map(\.name), ["royalty", "gram2-comparative"])
        let score = questions.score(planted)
        XCTAssertEqual(score.total, 4)
        XCTAssertEqual(score.answered, 3)
        XCTAssertEqual(score.correct, 3)
        XCTAssertEqual(score.semantic.answered, 2)
        XCTAssertEqual(score.syntactic.correct, 1)
        XCTAssertEqual(try planted.analogy("man", "woman", "king", count: 1).first?.word, "queen")
        XCTAssertEqual(questions.score(planted, restrict: 4).answered, 2, "only questions among the 4 most frequent words")
        XCTAssertThrowsError(try planted.similar(to: "zebra")) { error in
            XCTAssertEqual(error as? EmbeddingsError, .unknownWord("zebra", vocabularySize: 8))
        }
    }

    /// The batched answers (one GEMM per block of questions) equal the one-question search, over more
    /// questions than a block holds.
    func testBatchedAnswersEqualOneQuestionAtATime() throws {
        var random = WordRandom(seed: 2)
        let words = (0..<300).map { "w\($0)" }
        let vectors = WordVectors(words: words, dimensions: 10, vectors: (0..<3_000).map { _ in random.nextUnit() - 0.5 })
        let questions = (0..<200).map { _ in (a: random.next(below: 300), b: random.next(below: 300), c: random.next(below: 300)) }
        let batched = vectors.answers(questions, restrict: 250)
        for (question, answer) in zip(questions, batched) {
            let one = try vectors.analogy(words[question.a], words[question.b], words[question.c], count: 1, restrict: 250)
            XCTAssertEqual(answer.map { words[$0] }, one.first?.word)
        }
    }

    func testWord2VecTextAndBinaryFormats() throws {
        let text = String(decoding: WordVectorsFormat.data(vectors, binary: false), as: UTF8.self)
        XCTAssertEqual(text.split(separator: "\n").first, "4 2")
        XCTAssertEqual(text.split(separator: "\n")[1], "cat 1.000000 0.100000")
        let binary = WordVectorsFormat.data(vectors, binary: true)
        let header = Array("4 2\ncat ".utf8)
        XCTAssertEqual(Array(binary.prefix(header.count)), header)
        let first = binary.dropFirst(header.count).prefix(8).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        XCTAssertEqual(first, [1, 0.1])
        XCTAssertEqual(binary.count, 4 + 4 * (8 + 1) + (4 + 4 + 4 + 6))
    }
}
