import Core
@testable import Data
import Foundation
import XCTest

/// gzip decoding: a stored block by hand, a fixed-Huffman member with back-references and an empty one
/// as Python's `gzip.compress(…, mtime=0)` writes them, members one after the other, the real Multi30k
/// files (dynamic blocks, a file name in the header; their CRC-32s checked), CRC-32's check value, and
/// damaged data — every truncation and many flipped bytes — refused with a reason (or harmless), never
/// trapping and never giving other text.
final class GzipTests: XCTestCase {
    /// "hello" in one stored block, its CRC-32 (0x3610A686) and length in the trailer.
    static let stored: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 0x01, 5, 0, 0xFA, 0xFF]
        + Array("hello".utf8) + [0x86, 0xA6, 0x10, 0x36, 5, 0, 0, 0]
    /// Python: `gzip.compress(b"hello hello hello hello\n", mtime=0)`.
    static let fixed: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 203, 72, 205, 201, 201, 87, 200, 64, 39, 185, 0, 0, 136, 89,
                                 11, 24, 0, 0, 0]
    /// Python: `gzip.compress(b"", mtime=0)`.
    static let empty: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]

    private func text(_ bytes: [UInt8]) throws -> String {
        String(decoding: try Gzip.decompress(Foundation.Data(bytes)), as: UTF8.self)
    }

    func testMembersByHandAndFromPython() throws {
        XCTAssertEqual(try text(Self.stored), "hello")
        XCTAssertEqual(try text(Self.fixed), "hello hello hello hello\n")
        XCTAssertEqual(try text(Self.empty), "")
        XCTAssertEqual(try text(Self.stored + Self.fixed + Self.empty + [0, 0]), "hellohello hello hello hello\n",
                       "members one after the other, then zero padding")
        XCTAssertTrue(Gzip.isCompressed(Foundation.Data(Self.fixed)))
        XCTAssertFalse(Gzip.isCompressed(Foundation.Data("hello".utf8)))
    }

    /// Multi30k's raw training file: 29,000 lines decompressed, the same as the tokenised file's count.
    func testTheRealMulti30kFile() throws {
        let url = try DataLocator.forCurrentProcess(dataDirectory: nil).url(for: "multi30k_raw", role: "train.en")
        let lines = try DataLocator.readLines(at: url)
        XCTAssertEqual(lines.count, 29_000)
        XCTAssertEqual(lines.first, "Two young, White males are outside near many bushes.")
    }

    func testDamagedDataIsRefusedNeverTrapping() {
        for data in [Self.stored, Self.fixed] {
            for length in 0..<data.count {
                XCTAssertThrowsError(try Gzip.decompress(Foundation.Data(data[..<length])), "cut at \(length)")
            }
        }
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<2_000 {
            var data = Self.fixed
            let position = 10 + Int(generator.next() % UInt64(data.count - 10))
            data[position] ^= UInt8(1 + generator.next() % 255)
            // Refused, or (a flip in the last byte's padding bits) the original text: never other text,
            // since CRC-32 catches every error burst of 32 bits or fewer.
            if let decoded = try? text(data) { XCTAssertEqual(decoded, "hello hello hello hello\n", "byte \(position)") }
        }
        XCTAssertThrowsError(try Gzip.decompress(Foundation.Data(Self.fixed.dropLast(8) + [0, 0, 0, 0, 24, 0, 0, 0]))) {
            XCTAssertTrue("\($0)".contains("CRC-32 mismatch"), "\($0)")
        }
        // Bytes after the last member that are neither zero padding nor another member: `gzip -d`
        // warns of "trailing garbage"; a corpus with them is refused, saying where they are.
        XCTAssertThrowsError(try Gzip.decompress(Foundation.Data(Self.fixed + [0, 0] + Array("tail\n".utf8)))) {
            XCTAssertEqual("\($0)", "the last 7 bytes follow the end of the gzip data and are not gzip data: "
                + "the file was damaged or something was appended to it")
        }
    }

    /// A corrupt .gz named as a corpus file is an unreadable file (exit 66) naming it and the reason.
    func testReadTextNamesTheCorruptFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("corrupt-\(UUID().uuidString).gz")
        defer { try? FileManager.default.removeItem(at: url) }
        try Foundation.Data(Self.fixed.dropLast(3)).write(to: url)
        XCTAssertThrowsError(try DataLocator.readText(at: url)) {
            guard case DataError.unreadable(let file, let reason)? = $0 as? DataError else { return XCTFail("\($0)") }
            XCTAssertEqual(file, url.path)
            XCTAssertTrue(reason.hasPrefix("gzip: "), reason)
            XCTAssertEqual(($0 as? DataError)?.exitCode, 66)
        }
    }
}
