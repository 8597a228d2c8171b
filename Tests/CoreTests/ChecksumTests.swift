import Core
import XCTest

/// The checksums of gzip, checkpoints and TFRecords against their published check values.
final class ChecksumTests: XCTestCase {
    func testCRC32MatchesItsCheckValue() {
        XCTAssertEqual(crc32(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(crc32(Array("123456789".utf8)[2...]), crc32(Array("3456789".utf8)), "a slice is checked as its bytes")
        XCTAssertEqual(crc32([UInt8]()), 0)
    }

    /// RFC 3720's test vectors and the usual "123456789" check value.
    func testCRC32CMatchesPublishedCheckValues() {
        XCTAssertEqual(crc32c(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(crc32c([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(crc32c([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(crc32c((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(crc32c((0..<32).map { UInt8(31 - $0) }), 0x113F_DB5C)
    }
}
