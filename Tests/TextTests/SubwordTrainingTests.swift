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
}
