import Core
import Foundation
@testable import Runs
import XCTest

/// Every way a checkpoint file can be wrong is refused with a `RunError` that names the file, never
/// read as garbage and never a trap.
final class CheckpointRefusalTests: TemporaryDirectoryTestCase {
    private var url: URL { root.appendingPathComponent("step-000500.ckpt") }

    private func refusal(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> RunError? {
        do {
            try Data(bytes).write(to: url)
            _ = try Checkpoint.read(from: url)
            XCTFail("accepted a bad checkpoint", file: file, line: line)
        } catch let error as RunError {
            XCTAssertTrue(error.description.contains(url.path), "message does not name the file: \(error)",
                          file: file, line: line)
            return error
        } catch {
            XCTFail("not a RunError: \(error)", file: file, line: line)
        }
        return nil
    }

    func testTruncationAnywhereIsRefusedWithBothSizes() {
        let bytes = sampleCheckpoint().encoded()
        for length in [20, 21, 40, 100, bytes.count / 2, bytes.count - 5, bytes.count - 1] {
            let error = refusal(Array(bytes.prefix(length)))
            XCTAssertEqual(error, .truncated(path: url.path, expected: bytes.count, actual: length), "cut at \(length)")
            XCTAssertEqual(error?.exitCode, 64)
            XCTAssertTrue(error?.description.contains("the file has \(length) bytes but its header says \(bytes.count)") ?? false)
        }
    }

    func testTruncationInsideTheHeaderIsRefused() {
        let bytes = sampleCheckpoint().encoded()
        for length in [0, 3, 8, 11, 12, 19] {
            XCTAssertEqual(refusal(Array(bytes.prefix(length))), .truncated(path: url.path, expected: nil, actual: length),
                           "cut at \(length)")
        }
    }

    func testFlippedByteAnywhereAfterTheHeaderFailsTheChecksum() {
        let bytes = sampleCheckpoint().encoded()
        for index in [20, 30, 60, bytes.count / 2, bytes.count - 10, bytes.count - 1] {
            var damaged = bytes
            damaged[index] ^= 0x10
            guard case .checksumMismatch(let path, _, _)? = refusal(damaged) else {
                return XCTFail("byte \(index) flipped was not a checksum mismatch")
            }
            XCTAssertEqual(path, url.path)
        }
    }

    func testForeignFilesAreNotCheckpoints() {
        for bytes in [Array("PK\u{03}\u{04} a zip file, not ours".utf8), Array("SEQLABCX".utf8) + [1, 0, 0, 0]] {
            let error = refusal(bytes)
            XCTAssertEqual(error, .notACheckpoint(path: url.path))
            XCTAssertEqual(error?.exitCode, 64)
            XCTAssertTrue(error?.description.contains("not a SeqLab checkpoint") ?? false)
        }
    }

    func testOtherFormatVersionsAreRefusedWithAHint() {
        var newer = sampleCheckpoint().encoded()
        newer[8] = 2
        let error = refusal(newer)
        XCTAssertEqual(error, .unsupportedVersion(path: url.path, found: 2, supported: 1))
        XCTAssertTrue(error?.description.contains("newer SeqLab; update SeqLab") ?? false)
        var older = sampleCheckpoint().encoded()
        older[8] = 0
        XCTAssertTrue(refusal(older)?.description.contains("older SeqLab") ?? false)
    }

    func testTrailingBytesAreRefused() {
        guard case .malformed(_, let reason)? = refusal(sampleCheckpoint().encoded() + [0, 0]) else {
            return XCTFail("trailing bytes accepted")
        }
        XCTAssertEqual(reason, "2 bytes follow its end")
    }

    func testAConsistentChecksumOverAnInconsistentBodyIsMalformedNotATrap() {
        // Claim a 3-word generator state and re-seal the file, as a buggy or hostile writer might.
        var bytes = sampleCheckpoint().encoded()
        let generatorWords = 20 + 8 + 8 + 8 + 4 + 4 + "data".utf8.count
        XCTAssertEqual(bytes[generatorWords], 4)
        bytes[generatorWords] = 3
        reseal(&bytes)
        XCTAssertEqual(refusal(bytes), .malformed(path: url.path, reason: "generator 'data' has 3 state words, not 4"))
    }

    func testMissingFileIsMissingInput() {
        XCTAssertThrowsError(try Checkpoint.read(from: url)) { error in
            XCTAssertEqual(error as? RunError, .missingCheckpoint(path: url.path))
            XCTAssertEqual((error as? RunError)?.exitCode, 66)
        }
    }

    private func reseal(_ bytes: inout [UInt8]) {
        let crc = crc32(bytes.dropLast(4))
        for offset in 0..<4 { bytes[bytes.count - 4 + offset] = UInt8(truncatingIfNeeded: crc >> (8 * offset)) }
    }
}
