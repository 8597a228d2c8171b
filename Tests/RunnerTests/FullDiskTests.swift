import Foundation
import XCTest

/// A disk that fills while a run trains: the run stops with a message naming the file, exit 1; no
/// partial file sits under a checkpoint's name; the checkpoints are whole, and `runner resume` with
/// room again finishes the run from the newest of them. Two ways: a real small tmpfs as the run's
/// disk (ENOSPC; mounted in a private mount namespace, which needs root), and everywhere a file-size
/// limit (`ulimit -f`; a write past it fails with EFBIG as one on a full disk does).
extension RunnerTests {
    private static let fillingRun = ["experiments/gru_charlm.yaml", "--set", "train.epochs=null", "--set", "train.steps=400",
                                     "--set", "checkpoint.every_steps=10", "--set", "eval.every_steps=1", "--set", "model.hidden=16"]

    func testARunThatFillsTheDiskStopsCleanlyAndResumes() throws {
        let runs = try fullDiskRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        let run = runs.appendingPathComponent("run")
        // 32 blocks a file: 16 KiB in POSIX sh's (dash's) 512-byte blocks, 32 KiB in bash's; the 14 KB
        // checkpoints fit either way, and metrics.jsonl outgrows it within the 400 steps.
        let (status, stderr) = try shell("ulimit -f 32; exec \"$0\" \"$@\"", [runner.path, "--run-dir", run.path] + Self.fillingRun)
        try assertStoppedCleanly(run, status: status, stderr: stderr, reason: "File too large")
    }

    func testARunOnAFullTmpfsStopsCleanlyAndResumes() throws {
        guard try shell("unshare --mount true", []).status == 0 else {
            throw XCTSkip("mounting a tmpfs needs a private mount namespace (root); the ulimit test covers the rest")
        }
        let runs = try fullDiskRuns()
        defer { try? FileManager.default.removeItem(at: runs) }
        let (disk, kept) = (runs.appendingPathComponent("disk"), runs.appendingPathComponent("run"))
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        // In the namespace: a 192 KiB tmpfs over `disk`, the run on it, and what is left copied out
        // before the namespace (and the tmpfs) goes away.
        let script = """
            mount -t tmpfs -o size=192k tmpfs "$1" || exit 99
            run="$1/run"; out="$2"; runner="$3"; shift 3
            "$runner" --run-dir "$run" "$@"; status=$?
            cp -a "$run" "$out"; exit $status
            """
        let (status, stderr) = try shell("unshare --mount --propagation private sh -c '\(script)' sh \"$0\" \"$@\"",
                                         [disk.path, kept.path, runner.path] + Self.fillingRun)
        XCTAssertNotEqual(status, 99, "the tmpfs could not be mounted: \(stderr)")
        try assertStoppedCleanly(kept, status: status, stderr: stderr.replacingOccurrences(of: disk.path + "/run", with: kept.path),
                                 reason: "No space left on device")
    }

    private func fullDiskRuns() throws -> URL {
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("full-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        return runs
    }

    /// Runs `/bin/sh -c command arguments…` from the package root; (exit status, stderr).
    private func shell(_ command: String, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command] + arguments
        process.currentDirectoryURL = Self.packageRoot
        let err = Pipe()
        (process.standardOutput, process.standardError) = (FileHandle.nullDevice, err)
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, "not killed by a signal (SIGXFSZ): \(stderr)")
        return (process.terminationStatus, stderr)
    }

    private func assertStoppedCleanly(_ run: URL, status: Int32, stderr: String, reason: String) throws {
        XCTAssertEqual(status, 1, stderr)
        XCTAssertTrue(stderr.contains("error: cannot write \(run.path)/") && stderr.contains(reason), stderr)
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: run.path + "/checkpoints")
        XCTAssertFalse(checkpoints.isEmpty)
        XCTAssertTrue(checkpoints.allSatisfy { $0.hasPrefix("step-") && $0.hasSuffix(".ckpt") }, "\(checkpoints)")
        let (resumed, _, resumeError) = try self.run(["resume", run.path])
        XCTAssertEqual(resumed, 0, resumeError)
        XCTAssertFalse(resumeError.contains("warning: skipped"), "the newest checkpoint was whole: \(resumeError)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.path + "/checkpoints/step-000400.ckpt"))
    }
}
