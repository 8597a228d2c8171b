import Core
import XCTest

/// The one JSON value every file of a run and every tokenizer file goes through: round trips that keep
/// integers apart from doubles, sorted keys from a dictionary, members in order from a list, keys kept
/// exactly as written, refusals.
final class JSONValueTests: XCTestCase {
    func testJSONRoundTripKeepsIntegersDoublesEscapesAndNesting() throws {
        let value: JSONValue = [
            "int": 3, "double": 3.0, "tiny": 1e-300, "negative": -0.5, "big": .int(Int.max),
            "text": "quote \" backslash \\ newline \n tab \t bell \u{07} é 𝄞",
            "list": [1, "two", nil, false, [:], []], "nested": ["a": ["b": 1.5]],
        ]
        XCTAssertEqual(try JSONValue(parsing: value.compact), value)
        XCTAssertEqual(try JSONValue(parsing: value.pretty), value)
        XCTAssertEqual(try JSONValue(parsing: "\"\\ud834\\udd1e\\u00e9\""), "𝄞é")
    }

    func testPrettyJSONIsIndentedWithSortedKeys() {
        let value: JSONValue = ["b": [1, 2], "a": ["c": true], "e": [:]]
        XCTAssertEqual(value.pretty, """
            {
              "a": {
                "c": true
              },
              "b": [
                1,
                2
              ],
              "e": {}
            }
            """)
    }

    func testInvalidJSONIsRefused() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"open", "1 2", "{\"a\":1,}", "\"\u{01}\"", "-"] {
            XCTAssertThrowsError(try JSONValue(parsing: text), "accepted \(text.debugDescription)")
        }
    }

    /// A list keeps its order; canonically equivalent keys stay two members; subscripts compare
    /// scalar by scalar.
    func testObjectsKeepOrderAndExactKeys() throws {
        let ordered: JSONValue = .object([("z", 1), ("a", 2)])
        XCTAssertEqual(ordered.compact, #"{"z":1,"a":2}"#)
        guard case .object(let object) = try JSONValue(parsing: "{\"\u{E9}\": 1, \"e\u{301}\": 2}") else { return XCTFail() }
        XCTAssertEqual(object.count, 2)
        XCTAssertEqual(object["\u{E9}"], 1)
        XCTAssertEqual(object["e\u{301}"], 2)
        XCTAssertEqual(object.dictionary.count, 1, "a Swift dictionary merges them: why objects are not dictionaries")
        XCTAssertEqual(JSONValue.string("bell \u{07}").compact, #""bell \u0007""#)
    }
}
