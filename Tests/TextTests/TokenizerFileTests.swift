import Foundation
import Text
import XCTest

final class TokenizerFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("seqlab-text-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    func testCharTokenizerSavesAndLoadsToTheSameTokenizer() throws {
        let options = TokenizerOptions(lowercase: true, normalization: .letters, reserved: [.padding, .eos])
        let tokenizer = try CharTokenizer.train(on: "Hello, \"World\"\n\\ the end", options: options)
        let url = directory.appendingPathComponent("tokenizer.json")
        try tokenizer.save(to: url)
        XCTAssertEqual(try CharTokenizer.load(from: url), tokenizer)

        let loaded = try TokenizerFile.load(from: url)
        XCTAssertTrue(loaded is CharTokenizer)
        XCTAssertEqual(loaded.encode("Hello world!"), tokenizer.encode("Hello world!"))
        XCTAssertEqual(loaded.paddingID, 1)
        XCTAssertEqual(loaded.eosID, 2)
    }

    func testWordTokenizerWithAwkwardTokensRoundTrips() throws {
        let tokenizer = try WordTokenizer.train(on: "\"quoted\" back\\slash tab\u{1}ctl ünïcode", options: TokenizerOptions(reserved: [.bos]))
        let url = directory.appendingPathComponent("tokenizer.json")
        try tokenizer.save(to: url)
        let loaded = try TokenizerFile.load(from: url)
        XCTAssertEqual(loaded as? WordTokenizer, tokenizer)
        let json = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(json.contains("\"kind\": \"word\""), json)
        XCTAssertTrue(json.contains("\"version\": 1"), json)
    }

    /// Each malformed file names the file and the JSON path of its problem.
    func testMalformedFilesNameTheFileAndThePath() throws {
        let valid = """
            {"format": "seqlab-tokenizer", "version": 1, "kind": "char", "lowercase": false, "normalize": "none",
             "special_tokens": {"unknown": "<unk>"}, "vocabulary": ["<unk>", "a", "b"]}
            """
        let cases: [(String, String, String, String)] = [
            ("not JSON", "{\"format\": ", "$", "not valid JSON"),
            ("top level not an object", "[1, 2]", "$", "expected an object"),
            ("vocabulary entry a number", valid.replacingOccurrences(of: "\"b\"]", with: "7]"), "$.vocabulary[2]", "expected a string"),
            ("duplicate token", valid.replacingOccurrences(of: "\"b\"]", with: "\"a\"]"), "$.vocabulary[2]", "already appears at index 1"),
            ("multi-scalar char token", valid.replacingOccurrences(of: "\"b\"]", with: "\"bc\"]"), "$.vocabulary[2]", "one Unicode scalar"),
            ("vocabulary missing", valid.replacingOccurrences(of: "\"vocabulary\"", with: "\"vocab\""), "$.vocabulary", "missing"),
            ("no unknown token", valid.replacingOccurrences(of: "\"unknown\": \"<unk>\"", with: "\"eos\": \"a\""), "$.special_tokens.unknown", "missing"),
            ("special token not in vocabulary", valid.replacingOccurrences(of: "{\"unknown\": \"<unk>\"}", with: "{\"unknown\": \"<unk>\", \"padding\": \"<pad>\"}"),
             "$.special_tokens.padding", "not in $.vocabulary"),
            ("lowercase not a bool", valid.replacingOccurrences(of: "\"lowercase\": false", with: "\"lowercase\": 0"), "$.lowercase", "expected true or false"),
            ("unknown normalization", valid.replacingOccurrences(of: "\"none\"", with: "\"nfkc\""), "$.normalize", "unknown normalization 'nfkc'"),
            ("foreign format", valid.replacingOccurrences(of: "seqlab-tokenizer", with: "huggingface"), "$.format", "expected \"seqlab-tokenizer\""),
            ("version not an integer", valid.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 1.5"), "$.version", "expected an integer"),
        ]
        for (index, (name, contents, path, reason)) in cases.enumerated() {
            let url = directory.appendingPathComponent("case\(index).json")
            try contents.write(to: url, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try CharTokenizer.load(from: url), name) { error in
                guard case TextError.malformed(let file, let errorPath, let errorReason) = error else {
                    return XCTFail("\(name): \(error)")
                }
                XCTAssertEqual(file, url.path, name)
                XCTAssertEqual(errorPath, path, name)
                XCTAssertTrue(errorReason.contains(reason), "\(name): \(errorReason)")
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix("\(url.path): error: \(path): "), "\(name): \(message)")
                XCTAssertEqual((error as? TextError)?.exitCode, 64)
            }
        }
        // The valid text itself loads, so each case above fails for its own reason only.
        let url = directory.appendingPathComponent("valid.json")
        try valid.write(to: url, atomically: true, encoding: .utf8)
        XCTAssertEqual(try CharTokenizer.load(from: url).vocabularySize, 3)
    }

    func testUnknownKindAndVersionAreNamed() throws {
        let url = directory.appendingPathComponent("tokenizer.json")
        try tokenizerJSON(kind: "sentencepiece", version: 1).write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TokenizerFile.load(from: url)) {
            XCTAssertEqual($0 as? TextError, .unknownKind(file: url.path, kind: "sentencepiece", known: ["char", "word"]))
            XCTAssertTrue("\($0)".contains("unknown tokenizer kind 'sentencepiece' (known: char, word)"), "\($0)")
        }
        try tokenizerJSON(kind: "char", version: 2).write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TokenizerFile.load(from: url)) {
            XCTAssertEqual($0 as? TextError, .unsupportedVersion(file: url.path, version: 2, supported: 1))
        }
        try tokenizerJSON(kind: "word", version: 1).write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CharTokenizer.load(from: url)) {
            guard case TextError.malformed(_, "$.kind", let reason) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(reason.contains("'word' tokenizer"), reason)
        }
    }

    func testMissingFileIsUnreadableWithExitCode66() {
        let url = directory.appendingPathComponent("absent.json")
        XCTAssertThrowsError(try TokenizerFile.load(from: url)) {
            XCTAssertEqual($0 as? TextError, .unreadable(file: url.path, reason: "no such file"))
            XCTAssertEqual(($0 as? TextError)?.exitCode, 66)
        }
    }

    private func tokenizerJSON(kind: String, version: Int) -> String {
        """
        {"format": "seqlab-tokenizer", "version": \(version), "kind": "\(kind)", "lowercase": false,
         "normalize": "none", "special_tokens": {"unknown": "<unk>"}, "vocabulary": ["<unk>", "a"]}
        """
    }
}
