import Foundation
import XCTest

/// A disk that fills while a run trains, simulated portably by a file-size limit (`ulimit -f`; a
/// write past it fails as on a full disk, EFBIG instead of ENOSPC): the run stops with a message
/// naming the file, exit 1; no partial file sits under a checkpoint's name; the checkpoints are
/// whole, and `runner resume` with room again finishes the run.
extension RunnerTests {
    func testARunThatFillsTheDiskStopsCleanlyAndResumes() throws {
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("full-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: runs) }
        let run = runs.appendingPathComponent("run")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // 32 blocks a file: 16 KiB in POSIX sh's (dash's) 512-byte blocks, 32 KiB in bash's; the 14 KB
        // checkpoints fit either way, and metrics.jsonl outgrows it within the 400 steps.
        process.arguments = ["-c", "ulimit -f 32; exec \"$0\" \"$@\"", runner.path, "experiments/gru_charlm.yaml",
                             "--run-dir", run.path, "--set", "train.epochs=null", "--set", "train.steps=400",
                             "--set", "checkpoint.every_steps=10", "--set", "eval.every_steps=1", "--set", "model.hidden=16"]
        process.currentDirectoryURL = Self.packageRoot
        let err = Pipe()
        (process.standardOutput, process.standardError) = (FileHandle.nullDevice, err)
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, "not killed by SIGXFSZ")
        XCTAssertEqual(process.terminationStatus, 1, stderr)
        XCTAssertTrue(stderr.contains("error: cannot write \(run.path)/") && stderr.contains("File too large"), stderr)
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: run.path + "/checkpoints")
        XCTAssertFalse(checkpoints.isEmpty)
        XCTAssertTrue(checkpoints.allSatisfy { $0.hasPrefix("step-") && $0.hasSuffix(".ckpt") }, "\(checkpoints)")
        let (resumed, _, resumeError) = try self.run(["resume", run.path])
        XCTAssertEqual(resumed, 0, resumeError)
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.path + "/checkpoints/step-000400.ckpt"))
    }
}
