import Foundation
import XCTest

/// SIGINT and SIGTERM during training: the step under way finishes, a checkpoint is written, the
/// message says how to resume, the exit status is the shell's (130, 143), and a second process on the
/// run refuses while the first holds it.
extension RunnerTests {
    func testASignalCheckpointsTheStepAndASecondProcessIsRefused() throws {
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("interrupt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: runs) }
        for (signal, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            let process = Process()
            process.executableURL = runner
            process.arguments = ["experiments/gru_charlm.yaml", "--runs-dir", runs.path, "--name", "signal\(signal)",
                                 "--set", "eval.every_steps=1", "--set", "checkpoint.every_steps=1000"]
            process.currentDirectoryURL = Self.packageRoot
            let err = Pipe()
            (process.standardOutput, process.standardError) = (FileHandle.nullDevice, err)
            try process.run()
            // Until the run has logged a few steps.
            let deadline = Date().addingTimeInterval(60)
            var log = ""
            repeat {
                Thread.sleep(forTimeInterval: 0.2)
                let directory = (try? FileManager.default.contentsOfDirectory(atPath: runs.path))?
                    .first { $0.hasPrefix("signal\(signal)-") }
                log = directory.flatMap { try? String(contentsOfFile: runs.appendingPathComponent($0).appendingPathComponent("log.txt").path,
                                                      encoding: .utf8) } ?? ""
            } while log.components(separatedBy: "\nstep ").count < 3 && Date() < deadline
            let path = runs.appendingPathComponent(try XCTUnwrap((try FileManager.default.contentsOfDirectory(atPath: runs.path))
                .first { $0.hasPrefix("signal\(signal)-") })).path
            // A second process on the same run refuses while the first holds it.
            let (busy, _, busyError) = try run(["resume", path])
            XCTAssertEqual(busy, 1, busyError)
            XCTAssertTrue(busyError.contains("is in use by process \(process.processIdentifier)"), busyError)
            kill(process.processIdentifier, signal)
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, status, stderr)
            XCTAssertTrue(stderr.contains("checkpointed; continue with: runner resume \(path)"), stderr)
            let checkpoints = try FileManager.default.contentsOfDirectory(atPath: path + "/checkpoints")
            XCTAssertEqual(checkpoints.count, 1, "\(checkpoints)")
        }
    }
}
