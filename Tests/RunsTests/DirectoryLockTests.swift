import Foundation
@testable import Runs
import XCTest

/// Two holders of one run directory: the second refuses naming the first's pid; a lock released
/// (or left by a process that died) is free again, and a dead holder's pid is reported.
final class DirectoryLockTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testASecondHolderRefusesWithTheFirstsPid() throws {
        var first: DirectoryLock? = try DirectoryLock(directory)
        XCTAssertNil(first?.takenOverFrom)
        XCTAssertThrowsError(try DirectoryLock(directory)) { error in
            XCTAssertEqual(error as? RunError, .locked(directory: directory.path, pid: getpid()))
            XCTAssertTrue("\(error)".contains("is in use by process \(getpid()) (it holds run.lock)"), "\(error)")
            XCTAssertEqual((error as? RunError)?.exitCode, 1)
        }
        first = nil
        let again = try DirectoryLock(directory)
        XCTAssertNil(again.takenOverFrom, "a holder that ended normally leaves nothing to take over")
    }

    /// A killed process's flock is gone with it; the pid it wrote stays and is reported.
    func testTheLockOfADeadProcessIsTakenOver() throws {
        try Data("2147483000\n".utf8).write(to: directory.appendingPathComponent(DirectoryLock.fileName))
        let lock = try DirectoryLock(directory)
        XCTAssertEqual(lock.takenOverFrom, 2_147_483_000)
        let written = try String(contentsOf: directory.appendingPathComponent(DirectoryLock.fileName), encoding: .utf8)
        XCTAssertEqual(written, "\(getpid())\n")
    }
}
