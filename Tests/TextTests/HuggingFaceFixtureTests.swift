import Foundation
import Text
import XCTest

/// Every line of the fixtures' `sample.txt` encodes to exactly the ids and tokens that Hugging Face
/// `tokenizers` produced (see `../shared/fixtures/tokenizers/README.md`).
final class HuggingFaceFixtureTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/fixtures/tokenizers").standardized

    private struct Expected: Decodable {
        let text: String
        let ids: [Int]
        let tokens: [String]
    }

    private func expectations(_ kind: String) throws -> [Expected] {
        let url = Self.fixtures.appendingPathComponent("\(kind).expected.jsonl")
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Expected.self, from: Data($0.utf8))
        }
    }

    private func assertMatchesReference(_ kind: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let tokenizer = try TokenizerFile.load(from: Self.fixtures.appendingPathComponent("\(kind).json"))
        XCTAssertTrue(tokenizer is HuggingFaceTokenizer, file: file, line: line)
        let expected = try expectations(kind)
        XCTAssertFalse(expected.isEmpty, file: file, line: line)
        for (index, reference) in expected.enumerated() {
            let ids = tokenizer.encode(reference.text)
            XCTAssertEqual(ids, reference.ids, "\(kind) line \(index + 1): \(reference.text)", file: file, line: line)
            XCTAssertEqual(ids.map { tokenizer.token(for: $0) ?? "?" }, reference.tokens,
                           "\(kind) line \(index + 1)", file: file, line: line)
        }
    }

    func testByteLevelBPEMatchesTheReference() throws {
        try assertMatchesReference("bpe_bytelevel")
    }

    func testWhitespaceBPEMatchesTheReference() throws {
        try assertMatchesReference("bpe_whitespace")
    }

    func testWordPieceMatchesTheReference() throws {
        try assertMatchesReference("wordpiece_bert")
    }

    /// Byte-level BPE loses nothing: decoding gives back the line exactly, whatever it holds.
    func testByteLevelDecodingGivesBackTheText() throws {
        let tokenizer = try HuggingFaceTokenizer.load(from: Self.fixtures.appendingPathComponent("bpe_bytelevel.json"))
        var lines = try expectations("bpe_bytelevel").map(\.text)
        lines += ["", "   ", " leading", "trailing  ", "\t\n\r mixed \u{3000}space", String(repeating: "x", count: 10_000),
                  "emoji 🙂👍🏽 family 👨‍👩‍👧", "combining e\u{301} a\u{308}", "机器翻译 日本語 한국어", "it's we'll they'd I'M",
                  "zero\u{0}byte", "<|endoftext|>between<|endoftext|>"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let scalars = (0..<Int.random(in: 0...40, using: &generator)).compactMap { _ in
                Unicode.Scalar(UInt32.random(in: 0...0x2FFFF, using: &generator))
            }
            lines.append(String(String.UnicodeScalarView(scalars)))
        }
        for line in lines {
            XCTAssertEqual(tokenizer.decode(tokenizer.encode(line)), line)
        }
    }

    func testSpecialTokensAreMatchedBeforeTheRestOfThePipeline() throws {
        let tokenizer = try HuggingFaceTokenizer.load(from: Self.fixtures.appendingPathComponent("wordpiece_bert.json"))
        let separator = try XCTUnwrap(tokenizer.id(for: "[SEP]"))
        // Lowercasing and punctuation splitting would turn "[SEP]" into "[", "sep", "]" were it not matched first.
        let ids = tokenizer.encode("a[SEP]b [SEP]")
        XCTAssertEqual(ids.filter { $0 == separator }.count, 2)
        XCTAssertEqual(tokenizer.eosID, separator)
        XCTAssertEqual(tokenizer.unknownID, tokenizer.id(for: "[UNK]"))
        XCTAssertEqual(tokenizer.paddingID, tokenizer.id(for: "[PAD]"))
    }

    func testWordPieceDecoderJoinsContinuationsAndCleansPunctuation() throws {
        let tokenizer = try HuggingFaceTokenizer.load(from: Self.fixtures.appendingPathComponent("wordpiece_bert.json"))
        let ids = try ["un", "##ic", "##o", "##d", "##e", "name", "."].map { try XCTUnwrap(tokenizer.id(for: $0)) }
        XCTAssertEqual(tokenizer.decode(ids), "unicode name.")
    }

    func testWordPieceTurnsAnOverlongWordIntoOneUnknownToken() throws {
        let tokenizer = try HuggingFaceTokenizer.load(from: Self.fixtures.appendingPathComponent("wordpiece_bert.json"))
        XCTAssertEqual(tokenizer.encode(String(repeating: "a", count: 101)), [tokenizer.unknownID])
        XCTAssertEqual(tokenizer.encode(""), [])
        XCTAssertEqual(tokenizer.encode("   "), [])
    }

    func testSavingWritesTheFileBackUnchanged() throws {
        let url = Self.fixtures.appendingPathComponent("bpe_whitespace.json")
        let tokenizer = try HuggingFaceTokenizer.load(from: url)
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("seqlab-hf-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: copy) }
        try tokenizer.save(to: copy)
        XCTAssertEqual(try Data(contentsOf: copy), try Data(contentsOf: url))
        XCTAssertEqual(tokenizer.vocabularySize, 2000)
    }
}
