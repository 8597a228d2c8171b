import Core
import Foundation
import XCTest

/// Files a user names are read whole, pipes too (`runner bleu --ref <(zcat refs.gz)`); what cannot be
/// read says why in a few words.
final class FileReadingTests: XCTestCase {
    func testAPipeIsReadToItsEnd() throws {
        let pipe = Pipe()
        pipe.fileHandleForWriting.write(Data("a pipe\nof two lines\n".utf8))
        try pipe.fileHandleForWriting.close()
        let path = "/dev/fd/\(pipe.fileHandleForReading.fileDescriptor)"
        XCTAssertEqual(try readFileBytes(atPath: path), Data("a pipe\nof two lines\n".utf8))
    }

    func testWhatCannotBeReadSaysWhy() {
        let missing = "/tmp/seqlab-missing-\(UUID().uuidString)"
        for (path, reason) in [(missing, "no such file"), ("/tmp", "it is a directory, not a file")] {
            XCTAssertThrowsError(try readFileBytes(atPath: path)) { XCTAssertEqual(($0 as? FileReadFailure)?.reason, reason) }
        }
    }
}
