import Core
import Foundation
@testable import Text
import XCTest

/// The JSON reader behind `tokenizer.json`: exact keys, RFC 8259 escapes, and errors with a position.
final class JSONParserTests: XCTestCase {
    private func parse(_ text: String) throws -> JSONValue {
        try JSONReader(file: "f.json").parse(Data(text.utf8))
    }

    func testValuesEscapesAndOrder() throws {
        let value = try parse(#" { "z": [1, -2.5e2, 0, true, false, null], "a": "q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude42" } "#)
        guard case .object(let members) = value else { return XCTFail("\(value)") }
        XCTAssertEqual(members.map(\.key), ["z", "a"], "file order, not sorted")
        guard case .array(let items) = members["z"], case .string(let text) = members["a"] else {
            return XCTFail("\(value)")
        }
        XCTAssertEqual(items.map(\.typeName), ["a number", "a number", "a number", "a boolean", "a boolean", "null"])
        XCTAssertEqual(items[0], .int(1))
        XCTAssertEqual(items[1], .double(-250))
        XCTAssertEqual(text, "q\"\\/\u{8}\u{C}\n\r\té🙂")
    }

    /// Foundation's decoder merges keys that are canonically equivalent; a vocabulary must not.
    func testCanonicallyEquivalentKeysStayApart() throws {
        guard case .object(let members) = try parse("{\"\u{E9}\": 1, \"e\u{301}\": 2}") else { return XCTFail() }
        XCTAssertEqual(members.map { Array($0.key.unicodeScalars) }, [["\u{E9}"], ["e", "\u{301}"]])
    }

    func testSyntaxErrorsSayWhere() {
        let cases: [(String, String)] = [
            ("{\"a\": 1,\n  \"b\" 2}", "line 2, column 7: expected ':'"),
            ("[1, 2", "line 1, column 6: unexpected end of file, expected ']'"),
            ("{\"a\": tru}", "line 1, column 7: expected a value"),
            ("[01]", "line 1, column 3: expected ']'"),
            ("[1.]", "line 1, column 4: expected a digit after '.'"),
            ("\"tab\there\"", "line 1, column 5: a control character inside a string must be escaped"),
            ("\"\\x\"", "line 1, column 4: unknown escape '\\x'"),
            ("\"\\ud83d\"", "lone surrogate"),
            ("{} {}", "line 1, column 4: unexpected text after the JSON value"),
            ("[1e999]", "out of range"),
            (String(repeating: "[", count: 600), "nested more than 512 levels deep"),
            ("", "line 1, column 1: unexpected end of file, expected a value"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try parse(text), text) { error in
                let message = (error as? TextError)?.description ?? "\(error)"
                XCTAssertTrue(message.hasPrefix("f.json: error: $: not valid JSON ("), message)
                XCTAssertTrue(message.contains(expected), "\(text): \(message)")
            }
        }
    }

    func testInvalidUTF8IsRefused() {
        XCTAssertThrowsError(try JSONReader(file: "f.json").parse(Data([0x22, 0xC3, 0x28, 0x22]))) { error in
            XCTAssertTrue("\(error)".contains("not valid UTF-8"), "\(error)")
        }
    }

    /// The vocabulary of a real-world multilingual tokenizer can hold both spellings of `é`.
    func testATokenizerKeepsBothSpellingsOfAnAccentedLetter() throws {
        let text = """
            {"added_tokens": [{"id": 0, "content": "<unk>", "special": true}],
             "pre_tokenizer": {"type": "Whitespace"},
             "model": {"type": "WordPiece", "unk_token": "<unk>",
                       "vocab": {"<unk>": 0, "\u{E9}": 1, "e\u{301}": 2, "e": 3, "##\u{301}": 4}}}
            """
        let tokenizer = try HuggingFaceTokenizer(source: Data(text.utf8), file: "t.json")
        XCTAssertEqual(tokenizer.vocabularySize, 5)
        XCTAssertEqual(tokenizer.encode("\u{E9} e\u{301}"), [1, 2])
    }
}
