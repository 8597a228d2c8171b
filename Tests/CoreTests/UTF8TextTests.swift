import Core
import Foundation
import XCTest

/// Text that must be UTF-8 is read whole, and a stray byte is reported at its line and byte.
final class UTF8TextTests: XCTestCase {
    func testValidTextIsReadAsIs() throws {
        XCTAssertEqual(try utf8Text(Data("größe\r\nzwei €\n".utf8)), "größe\r\nzwei €\n")
        XCTAssertEqual(try utf8Text(Data()), "")
    }

    func testTheFirstBadByteIsNamedByLineAndOffset() {
        // (bytes, where the first one that is not UTF-8 is), by hand: "é" is two bytes, "€" three.
        let cases: [([UInt8], String)] = [
            ([0xFF], "line 1, byte 1 of the line, byte 1 of the text"),
            (Array("ab\nc\u{e9}\n".utf8) + [0x80], "line 3, byte 1 of the line, byte 8 of the text"),
            (Array("ab\r\nc\u{e9}".utf8) + [0x80], "line 2, byte 4 of the line, byte 8 of the text"),
            (Array("ab\rc\rd".utf8) + [0xFE], "line 3, byte 2 of the line, byte 7 of the text"),     // old Mac line ends
            (Array("\u{20ac}".utf8.dropLast()), "line 1, byte 1 of the line, byte 1 of the text"),   // cut at the end
            (Array("x\n\u{20ac}".utf8.dropLast()) + Array("y".utf8), "line 2, byte 1 of the line, byte 3 of the text"),
            ([0x61, 0xED, 0xA0, 0x80], "line 1, byte 2 of the line, byte 2 of the text"),           // an encoded surrogate
            ([0x61, 0xC0, 0xAF], "line 1, byte 2 of the line, byte 2 of the text"),                 // an overlong "/"
        ]
        for (bytes, place) in cases {
            XCTAssertThrowsError(try utf8Text(Data(bytes)), "\(bytes)") { error in
                XCTAssertEqual((error as? FileReadFailure)?.reason, "not valid UTF-8: " + place, "\(bytes)")
            }
        }
    }
}
