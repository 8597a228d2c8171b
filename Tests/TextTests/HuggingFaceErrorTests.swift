import Foundation
import Text
import XCTest

/// A `tokenizer.json` that is malformed, or asks for something SeqLab does not implement, is refused
/// with an error naming the file and the JSON path of the problem.
final class HuggingFaceErrorTests: XCTestCase {
    /// A tiny, valid whitespace BPE: "ab" merges, "c" is unknown.
    private static let valid = """
        {"version": "1.0", "truncation": null, "padding": null,
         "added_tokens": [{"id": 0, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false,
                           "normalized": false, "special": true}],
         "normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null,
         "decoder": null,
         "model": {"type": "BPE", "dropout": null, "unk_token": "<unk>", "continuing_subword_prefix": null,
                   "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                   "vocab": {"<unk>": 0, "a": 1, "b": 2, "ab": 3}, "merges": [["a", "b"]]}}
        """

    private func load(_ text: String) throws -> HuggingFaceTokenizer {
        try HuggingFaceTokenizer(source: Data(text.utf8), file: "dir/tokenizer.json")
    }

    func testTheValidFileEncodes() throws {
        let tokenizer = try load(Self.valid)
        XCTAssertEqual(tokenizer.encode("AB abc, ba"), [3, 3, 0, 0, 2, 1])
        XCTAssertEqual(tokenizer.decode([3, 0]), "ab <unk>")
        let legacy = try load(Self.valid.replacingOccurrences(of: "[[\"a\", \"b\"]]", with: "[\"a b\"]"))
        XCTAssertEqual(legacy.encode("ab"), [3])
    }

    func testBadFilesNameTheFileAndThePath() throws {
        let cases: [(String, String, String, String)] = [
            ("not JSON", "{\"model\": ", "$", "not valid JSON"),
            ("unknown model type", Self.valid.replacingOccurrences(of: "\"type\": \"BPE\"", with: "\"type\": \"Unigram\""),
             "$.model.type", "does not implement model 'Unigram'"),
            ("missing merges", Self.valid.replacingOccurrences(of: ", \"merges\": [[\"a\", \"b\"]]", with: ""),
             "$.model.merges", "missing"),
            ("merge of unknown tokens", Self.valid.replacingOccurrences(of: "[[\"a\", \"b\"]]", with: "[[\"a\", \"z\"]]"),
             "$.model.merges[0]", "\"z\" is not in $.model.vocab"),
            ("merge result not in vocab", Self.valid.replacingOccurrences(of: ", \"ab\": 3", with: ""),
             "$.model.merges[0]", "\"ab\" is not in $.model.vocab"),
            ("merge of three", Self.valid.replacingOccurrences(of: "[[\"a\", \"b\"]]", with: "[\"a b c\"]"),
             "$.model.merges[0]", "found 3"),
            ("unsupported normalizer", Self.valid.replacingOccurrences(of: "\"Lowercase\"", with: "\"NFKC\""),
             "$.normalizer.type", "normalizer 'NFKC'"),
            ("unsupported pre-tokenizer", Self.valid.replacingOccurrences(of: "\"Whitespace\"", with: "\"Metaspace\""),
             "$.pre_tokenizer.type", "pre-tokenizer 'Metaspace'"),
            ("unsupported decoder", Self.valid.replacingOccurrences(of: "\"decoder\": null", with: "\"decoder\": {\"type\": \"CTC\"}"),
             "$.decoder.type", "decoder 'CTC'"),
            ("vocab id not a number", Self.valid.replacingOccurrences(of: "\"a\": 1", with: "\"a\": \"1\""),
             "$.model.vocab[\"a\"]", "expected an integer"),
            ("two tokens, one id", Self.valid.replacingOccurrences(of: "\"b\": 2", with: "\"b\": 1"),
             "$.model.vocab[\"b\"]", "id 1 already belongs to \"a\""),
            ("unknown token not in vocab", Self.valid.replacingOccurrences(of: "\"unk_token\": \"<unk>\"", with: "\"unk_token\": \"[UNK]\""),
             "$.model.unk_token", "not in $.model.vocab"),
            ("dropout", Self.valid.replacingOccurrences(of: "\"dropout\": null", with: "\"dropout\": 0.1"),
             "$.model.dropout", "dropout"),
            ("truncation", Self.valid.replacingOccurrences(of: "\"truncation\": null", with: "\"truncation\": {}"),
             "$.truncation", "truncation"),
            ("added token with lstrip", Self.valid.replacingOccurrences(of: "\"lstrip\": false", with: "\"lstrip\": true"),
             "$.added_tokens[0].lstrip", "lstrip"),
            ("added token clashing with the vocab", Self.valid.replacingOccurrences(of: "\"id\": 0", with: "\"id\": 1"),
             "$.added_tokens[0]", "already"),
            ("no model", Self.valid.replacingOccurrences(of: "\"model\"", with: "\"modle\""), "$.model", "missing"),
        ]
        for (name, text, path, reason) in cases {
            XCTAssertThrowsError(try load(text), name) { error in
                guard let error = error as? TextError else { return XCTFail("\(name): \(error)") }
                let message = error.description
                XCTAssertTrue(message.hasPrefix("dir/tokenizer.json: error: "), "\(name): \(message)")
                XCTAssertTrue(message.contains(path + ":") || message.contains(path + " "), "\(name): \(message)")
                XCTAssertTrue(message.contains(reason), "\(name): \(message)")
                XCTAssertEqual(error.exitCode, 64, name)
            }
        }
    }
}
