import Core
import Foundation
import XCTest

/// A child's exit status and both of its streams come back apart, and nothing is left in the
/// temporary directory afterwards.
final class SubprocessTests: XCTestCase {
    func testStatusAndBothOutputsComeBackAndNoScratchFileRemains() throws {
        let before = try scratchFiles()
        let result = try XCTUnwrap(runProcess(["sh", "-c", "echo out; echo err >&2; echo more >&2; exit 3"]))
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.output, "out\n")
        XCTAssertEqual(result.error, "err\nmore\n")
        XCTAssertEqual(try scratchFiles(), before)
    }

    /// The file that collects standard error has no name while the child runs, so a runner killed
    /// then (SIGKILL runs no cleanup) leaves nothing behind.
    func testTheErrorFileIsNamelessWhileTheChildRuns() throws {
        let before = try scratchFiles()
        let directory = FileManager.default.temporaryDirectory.path
        let result = try XCTUnwrap(runProcess(["sh", "-c", "ls \"$0\" | grep -c '^seqlab-stderr-'; exit 0", directory]))
        XCTAssertEqual(result.output, "\(before.count)\n")
    }

    func testAFailingChildGivesNoStandardOutput() {
        XCTAssertNil(standardOutput(of: ["seqlab-no-such-program-\(UUID().uuidString)"]))
        XCTAssertEqual(standardOutput(of: ["sh", "-c", "echo hello"]), "hello\n")
    }

    private func scratchFiles() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
            .filter { $0.hasPrefix("seqlab-stderr-") })
    }
}
