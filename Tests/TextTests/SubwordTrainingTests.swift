import Foundation
@testable import Text
import XCTest

/// Training reproduces Hugging Face's trainers: the BPE fixtures' vocabularies and merges exactly, in
/// order; WordPiece (whose reference trainer is not deterministic) closely.
final class SubwordTrainingTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/tinyshakespeare/input.txt").standardized

    /// The `model` object of a `tokenizer.json`.
    private func model(_ url: URL) throws -> [String: Any] {
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        return try XCTUnwrap(root["model"] as? [String: Any])
    }

    private func trained(_ pipeline: SubwordPipeline, lowercase: Bool) throws -> URL {
        let text = try String(contentsOf: Self.corpus, encoding: .utf8)
        let tokenizer = try HuggingFaceTokenizer.train(on: text, options: TokenizerOptions(
            lowercase: lowercase, maxSize: 2000, pipeline: pipeline))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("seqlab-\(pipeline.rawValue)-\(UUID()).json")
        try tokenizer.save(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    private func assertSameModel(_ pipeline: SubwordPipeline, fixture: String, lowercase: Bool) throws {
        let ours = try model(trained(pipeline, lowercase: lowercase))
        let reference = try model(HuggingFaceFixtureTests.fixtures.appendingPathComponent(fixture + ".json"))
        XCTAssertEqual(ours["vocab"] as? [String: Int], reference["vocab"] as? [String: Int])
        let ourMerges = try XCTUnwrap(ours["merges"] as? [[String]])
        let referenceMerges = try XCTUnwrap(reference["merges"] as? [[String]])
        XCTAssertEqual(ourMerges.count, referenceMerges.count)
        if let first = zip(ourMerges, referenceMerges).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
            XCTFail("merge \(first.offset): ours \(first.element.0), reference \(first.element.1)")
        }
    }

    func testByteLevelBPETrainsTheReferenceVocabularyAndMerges() throws {
        try assertSameModel(.byteLevelBPE, fixture: "bpe_bytelevel", lowercase: false)
    }

    func testWhitespaceBPETrainsTheReferenceVocabularyAndMerges() throws {
        try assertSameModel(.bpe, fixture: "bpe_whitespace", lowercase: true)
    }

    /// The reference WordPiece trainer gives a different vocabulary on every run, so the check is on
    /// what matters: `sample.txt` costs about as many tokens per word.
    func testWordPieceTrainsAVocabularyAsCompactAsTheReference() throws {
        let ours = try HuggingFaceTokenizer.load(from: trained(.wordPiece, lowercase: true))
        let reference = try HuggingFaceTokenizer.load(from: HuggingFaceFixtureTests.fixtures
            .appendingPathComponent("wordpiece_bert.json"))
        XCTAssertEqual(ours.vocabularySize, 2000)
        let lines = try String(contentsOf: HuggingFaceFixtureTests.fixtures.appendingPathComponent("sample.txt"),
                               encoding: .utf8).split(separator: "\n").map(String.init)
        let words = lines.map { PreTokenizer.bert.words(Array($0.lowercased().unicodeScalars)).count }.reduce(0, +)
        let ourTokens = lines.map { ours.encode($0).count }.reduce(0, +)
        let referenceTokens = lines.map { reference.encode($0).count }.reduce(0, +)
        let ratio = Double(ourTokens) / Double(referenceTokens)
        XCTAssertEqual(ratio, 1, accuracy: 0.03, "tokens/word: ours \(Double(ourTokens) / Double(words)), "
            + "reference \(Double(referenceTokens) / Double(words))")
        for token in ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] { XCTAssertNotNil(ours.id(for: token), token) }
        XCTAssertEqual(ours.id(for: "[UNK]"), ours.unknownID)
    }

    /// Each pipeline on the hard inputs, with what its parts imply: bytes for byte-level BPE (never an
    /// unknown token), unknown characters for whitespace BPE, BERT's rules for WordPiece.
    func testEdgeCasesOfTrainedTokenizers() throws {
        let text = try String(contentsOf: Self.corpus, encoding: .utf8)
        func train(_ pipeline: SubwordPipeline) throws -> HuggingFaceTokenizer {
            try HuggingFaceTokenizer.train(on: text, options: TokenizerOptions(lowercase: pipeline != .byteLevelBPE, maxSize: 500,
                                                                              pipeline: pipeline))
        }
        let (byteLevel, bpe, wordPiece) = (try train(.byteLevelBPE), try train(.bpe), try train(.wordPiece))
        let long = String(repeating: "a", count: 10_000)
        for tokenizer in [byteLevel, bpe, wordPiece] { XCTAssertEqual(tokenizer.encode(""), []) }
        XCTAssertEqual(bpe.encode("  \t "), [])
        XCTAssertEqual(wordPiece.encode("  \t "), [])

        for line in ["", "  \t ", long, "🙂 👨‍👩‍👧", "cafe\u{301} caf\u{E9}", "机器翻译", "It's 10:30\r\n"] {
            XCTAssertEqual(byteLevel.decode(byteLevel.encode(line)), line)
            XCTAssertFalse(byteLevel.encode(line).contains(byteLevel.unknownID))
        }

        let unknown = bpe.unknownID
        XCTAssertEqual(bpe.encode("🙂"), [unknown], "a character never seen")
        XCTAssertEqual(bpe.encode("机器"), [unknown, unknown], "one word of two unknown characters, not fused")
        XCTAssertEqual(bpe.encode("e\u{301}"), [try XCTUnwrap(bpe.id(for: "e")), unknown], "the mark is part of the word")
        let longTokens = bpe.encode(long)
        XCTAssertFalse(longTokens.contains(unknown))
        XCTAssertEqual(longTokens.map { bpe.token(for: $0) ?? "?" }.joined(), long)

        XCTAssertEqual(wordPiece.encode(long), [wordPiece.unknownID], "longer than max_input_chars_per_word")
        XCTAssertEqual(wordPiece.encode("机器"), [wordPiece.unknownID, wordPiece.unknownID], "each ideograph is a word")
        XCTAssertEqual(wordPiece.encode("Cafe\u{301}"), wordPiece.encode("cafe"), "lowercased, accents stripped")
        XCTAssertEqual(wordPiece.encode("🙂"), [wordPiece.unknownID])
    }

    /// Any valid UTF-8 survives byte-level BPE, whatever tokens it was trained on.
    func testTrainedByteLevelBPERoundTripsRandomUnicode() throws {
        let tokenizer = try HuggingFaceTokenizer.train(on: "the cat sat on the mat, ünïcödé 🙂 " + String(repeating: "ab ", count: 50),
                                                       options: TokenizerOptions(maxSize: 300, pipeline: .byteLevelBPE))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: UInt32) -> UInt32 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt32(truncatingIfNeeded: state >> 33) % bound
        }
        for _ in 0..<500 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<next(30) {
                // Half ASCII (spaces, letters, apostrophes exercise the GPT-2 split), half anywhere in Unicode.
                let value = next(2) == 0 ? 0x20 + next(0x5F) : next(0x110000)
                if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
            }
            let line = String(scalars)
            XCTAssertEqual(tokenizer.decode(tokenizer.encode(line)), line)
        }
    }

    func testTrainingOptionsThatCannotWork() {
        let cases: [(TokenizerOptions, String)] = [
            (TokenizerOptions(pipeline: .bpe), "needs a vocabulary size"),
            (TokenizerOptions(normalization: .letters, maxSize: 100, pipeline: .bpe), "normalize: letters applies to char and word"),
            (TokenizerOptions(maxSize: 100, pipeline: .wordPiece, specialTokens: ["[PAD]"]), "needs an unknown token"),
            (TokenizerOptions(maxSize: 100, pipeline: .byteLevelBPE, specialTokens: []), "needs a special token"),
            (TokenizerOptions(maxSize: 100, pipeline: .bpe, specialTokens: ["<unk>", ""]), "special token 2 is empty"),
            (TokenizerOptions(maxSize: 100, pipeline: .bpe, specialTokens: ["<unk>", "<s>", "<unk>"]), "\"<unk>\" is listed twice"),
        ]
        for (options, message) in cases {
            XCTAssertThrowsError(try HuggingFaceTokenizer.train(on: "some text", options: options), message) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error)")
                XCTAssertEqual((error as? TextError)?.exitCode, 64)
            }
        }
    }

    /// No merges beyond what the text supports, and none of pairs rarer than `minFrequency`.
    func testSmallCorporaStopEarly() throws {
        let empty = try HuggingFaceTokenizer.train(on: "", options: TokenizerOptions(maxSize: 1000, pipeline: .byteLevelBPE))
        XCTAssertEqual(empty.vocabularySize, 257, "the special token and the 256 bytes")
        let rare = try HuggingFaceTokenizer.train(on: "ab ab cd", options: TokenizerOptions(minFrequency: 2, maxSize: 1000, pipeline: .bpe))
        XCTAssertNotNil(rare.id(for: "ab"))
        XCTAssertNil(rare.id(for: "cd"), "seen once, below min_frequency 2")
    }
}
