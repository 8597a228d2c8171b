import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Studies
import XCTest

/// The attention heat map: well-formed SVG, one cell per weight shaded by it, the tokens escaped.
final class AttentionMapTests: XCTestCase {
    func testOneShadedCellPerWeightWithEscapedTokens() throws {
        let map = AttentionMap(source: ["ein", "<hund>", "<eos>"], target: ["a", "dog & cat"],
                               weights: [[1, 0, 0], [0.25, 0.75, 0]])
        let svg = map.svg
        XCTAssertNoThrow(try XMLDocument(data: Data(svg.utf8)), "well-formed XML")
        XCTAssertEqual(svg.components(separatedBy: "<rect x=").count - 1, 6)
        XCTAssertTrue(svg.contains("fill=\"rgb(0,0,0)\""), "weight 1 is black")
        XCTAssertTrue(svg.contains("fill=\"rgb(255,255,255)\""), "weight 0 is white")
        XCTAssertTrue(svg.contains("fill=\"rgb(64,64,64)\"") && svg.contains("<title>0.750</title>"))
        XCTAssertTrue(svg.contains("&lt;hund&gt;") && svg.contains("dog &amp; cat"))
        XCTAssertEqual(svg.components(separatedBy: "stroke=\"#d62728\"").count - 1, 2, "each row's largest weight outlined")
    }
}
