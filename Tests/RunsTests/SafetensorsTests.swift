import Foundation
@testable import Runs
import XCTest

/// The safetensors format: a round trip, the library's layout by hand, and a table of damaged files
/// that are refused with their reason, never read out of bounds.
final class SafetensorsTests: XCTestCase {
    private let weights = Safetensors(tensors: [
        .init(name: "wte", shape: [3, 2], values: [1, -2, 3.5, 0, 1e-30, .infinity]),
        .init(name: "b", shape: [2], values: [0.25, -0.5]),
        .init(name: "scalar", shape: [], values: [7]),
    ], metadata: ["format": "pt"])

    func testRoundTripKeepsEveryTensorAndTheMetadata() throws {
        let read = try Safetensors.decode(weights.encoded(), path: "x.safetensors")
        XCTAssertEqual(read.metadata, ["format": "pt"])
        XCTAssertEqual(read.tensors.sorted { $0.name < $1.name }, weights.tensors.sorted { $0.name < $1.name })
    }

    /// The library's layout, worked out by hand: the header length, the compact header with the
    /// metadata first and the tensors in name order, spaces to 8 bytes, then the data in that order.
    func testLayoutIsTheLibrarys() {
        let file = Safetensors(tensors: [.init(name: "z", shape: [1], values: [1]), .init(name: "a", shape: [1, 1], values: [2])],
                               metadata: ["format": "pt"])
        let header = #"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]},"#
            + #""z":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        let padded = header + String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        let expected = [UInt8(padded.utf8.count), 0, 0, 0, 0, 0, 0, 0] + Array(padded.utf8)
            + [0x00, 0x00, 0x00, 0x40] + [0x00, 0x00, 0x80, 0x3F]
        XCTAssertEqual(file.encoded(), expected)
        XCTAssertEqual(padded.utf8.count % 8, 0)
    }

    /// Each damage refused with a reason that names it.
    func testDamagedFilesAreRefusedWithTheirReason() {
        func file(_ header: String, data: Int) -> [UInt8] {
            withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init) + Array(header.utf8)
                + [UInt8](repeating: 0, count: data)
        }
        let entry = { (name: String, dtype: String, shape: String, begin: Int, end: Int) in
            "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[\(begin),\(end)]}"
        }
        let cases: [(String, [UInt8], String)] = [
            ("shorter than its length field", [1, 2, 3], "3 bytes, fewer than the 8 of the header length"),
            ("a header length past the file", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x7B], "the header length 9223372036854775807 runs past the file's 9 bytes"),
            ("a header that is not JSON", file("{oops", data: 0), "the header is not a JSON object"),
            ("a header that is a list", file("[1]", data: 0), "the header is not a JSON object"),
            ("an unknown dtype", file("{" + entry("w", "Q7", "[1]", 0, 4) + "}", data: 4), "'w' has dtype Q7"),
            ("a half-precision tensor", file("{" + entry("w", "F16", "[2]", 0, 4) + "}", data: 4), "'w' has dtype F16"),
            ("offsets past the data", file("{" + entry("w", "F32", "[2]", 0, 8) + "}", data: 4),
             "the tensors need 8 bytes of data, the file holds 4"),
            ("offsets that disagree with the shape", file("{" + entry("w", "F32", "[3]", 0, 8) + "}", data: 8),
             "'w' of shape [3] needs 12 bytes, its data_offsets give 8"),
            ("overlapping tensors", file("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}", data: 12),
             "'b' overlaps the tensor before it"),
            ("a gap between tensors", file("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}", data: 12),
             "bytes 4..<8 belong to no tensor"),
            ("bytes after the last tensor", file("{" + entry("a", "F32", "[1]", 0, 4) + "}", data: 8),
             "4 bytes after the last tensor belong to no tensor"),
            ("a negative size", file("{" + entry("w", "F32", "[-1]", 0, 0) + "}", data: 0), "'w' has a shape of other than sizes ≥ 0"),
            ("a shape that overflows", file("{" + entry("w", "F32", "[4294967296,4294967296]", 0, 4) + "}", data: 4),
             "'w' has a shape too large to hold"),
            ("reversed offsets", file("{" + entry("w", "F32", "[0]", 8, 4) + "}", data: 8), "'w' has data_offsets that are not 0 ≤ begin ≤ end"),
            ("a tensor named twice", file("{" + entry("w", "F32", "[1]", 0, 4) + "," + entry("w", "F32", "[1]", 4, 8) + "}", data: 8),
             "'w' appears twice in the header"),
            ("metadata that is not strings", file(#"{"__metadata__":{"step":3}}"#, data: 0), "__metadata__.step is not a string"),
        ]
        for (damage, bytes, reason) in cases {
            XCTAssertThrowsError(try Safetensors.decode(bytes, path: "m.safetensors"), damage) { error in
                XCTAssertTrue("\(error)".contains("m.safetensors: not a readable safetensors file: " + reason), "\(damage): \(error)")
            }
        }
    }
}
