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

extension AttentionMapTests {
    /// Four maps in two columns: one document, every map's cells, each title once, and the second
    /// row's cells below the first's.
    func testGridLaysMapsOutUnderTheirTitles() throws {
        let maps = (1...4).map { index in
            AttentionMap(source: ["a", "b"], target: ["x"], weights: [[0.5, 0.5]], title: "layer \((index + 1) / 2), head \(index)")
        }
        let svg = AttentionMap.grid(maps, columns: 2)
        XCTAssertNoThrow(try XMLDocument(data: Data(svg.utf8)), "well-formed XML")
        XCTAssertEqual(svg.components(separatedBy: "<svg").count - 1, 1, "one document")
        XCTAssertEqual(svg.components(separatedBy: "<rect x=").count - 1, 8)
        for index in 1...4 { XCTAssertEqual(svg.components(separatedBy: "head \(index)<").count - 1, 1) }
        let rows = svg.split(separator: "\n").filter { $0.hasPrefix("<rect x=") }.compactMap { line -> Double? in
            guard let start = line.range(of: " y=\"")?.upperBound, let end = line[start...].firstIndex(of: "\"") else { return nil }
            return Double(line[start..<end])
        }
        XCTAssertEqual(Set(rows).count, 2, "two rows of maps")
        XCTAssertEqual(rows[0], rows[2], "maps 1 and 2 side by side")
        XCTAssertLessThan(rows[0], rows[4], "maps 3 and 4 below them")
    }
}
