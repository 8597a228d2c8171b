import Foundation
import Runs
import Spec
@testable import Studies
import XCTest

/// The job-array script of `runner sweep --scheduler slurm`, run by bash as Slurm would run each task,
/// with a stand-in `runner` that records its arguments: each task gets exactly its trial's command,
/// values that need quoting arrive intact, and a trial with a checkpoint is resumed.
final class SlurmScriptTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("slurm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `script` as array task `task`; returns bash's status and the arguments the stand-in got.
    private func runTask(_ script: URL, task: Int) throws -> (Int32, [String]) {
        let record = directory.appendingPathComponent("arguments")
        try? FileManager.default.removeItem(at: record)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path]
        process.environment = ["SLURM_ARRAY_TASK_ID": String(task), "PATH": "/usr/bin:/bin", "RECORD": record.path]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = (try? String(contentsOf: record, encoding: .utf8)) ?? ""
        return (process.terminationStatus, text.split(separator: "\u{0}", omittingEmptySubsequences: false).dropLast().map(String.init))
    }

    func testEachTaskRunsItsTrialAndResumesOneWithACheckpoint() throws {
        let base = directory.appendingPathComponent("base.yaml")
        try Data("data: {corpus: timemachine}\nmodel: {kind: rnn_lm}\n".utf8).write(to: base)
        let sweepFile = directory.appendingPathComponent("sweep.yaml")
        try Data("""
            base: base.yaml
            method: grid
            parameters:
              sample.prompt: ["it's", "a \\"b\\" $HOME `x`", "plain", "four"]
            metric: valid.loss
            """.utf8).write(to: sweepFile)
        let sweep = try Sweep.start(try SweepSpec.load(path: sweepFile.path), runsDirectory: directory, anchoring: { $0 },
                                    report: { _ in })
        let runner = directory.appendingPathComponent("fake runner")
        try Data("#!/bin/bash\nprintf '%s\\0' \"$@\" > \"$RECORD\"\n".utf8).write(to: runner)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: runner.path)

        let text = sweep.slurmScript(indices: [0, 1, 3], options: SlurmOptions(partition: "gpu", maxConcurrent: 2, time: "01:30:00"),
                                     executable: runner, dataDirectory: "/data dir", threads: 2)
        let directives = text.split(separator: "\n").filter { $0.hasPrefix("#SBATCH") }
        XCTAssertEqual(directives, ["#SBATCH --job-name=\"\(sweep.directory.url.lastPathComponent)\"", "#SBATCH --array=0-1,3%2",
                                    "#SBATCH --output=\"\(sweep.directory.url.path)/trial-%3a.out\"", "#SBATCH --open-mode=append",
                                    "#SBATCH --cpus-per-task=2",
                                    "#SBATCH --partition=\"gpu\"", "#SBATCH --time=01:30:00",
                                    "#SBATCH --chdir=\"\(FileManager.default.currentDirectoryPath)\""], "the last: where the sweep started")
        let script = sweep.directory.url.appendingPathComponent("sweep.sbatch")
        try Data(text.utf8).write(to: script)

        for index in [0, 1, 3] {
            let run = sweep.directory.runURL(trial: index).path
            let (status, arguments) = try runTask(script, task: index)
            XCTAssertEqual(status, 0)
            XCTAssertEqual(arguments, [sweep.directory.baseURL.path, "--set", "train.threads=2"]
                + sweep.trials[index].overrides.flatMap { ["--set", $0] } + ["--run-dir", run, "--data-dir", "/data dir"])
        }
        XCTAssertEqual(sweep.trials[1].overrides, [#"sample.prompt="a \"b\" $HOME `x`""#], "quotes, $ and backquotes for the shell")
        // A trial that checkpointed goes on from there.
        let checkpoints = sweep.directory.runURL(trial: 1).appendingPathComponent("checkpoints")
        try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        try Data().write(to: checkpoints.appendingPathComponent("step-000010.ckpt"))
        XCTAssertEqual(try runTask(script, task: 1).1, ["resume", sweep.directory.runURL(trial: 1).path, "--data-dir", "/data dir"])
        // A task the script does not hold (trial 2 was left out) fails, naming itself.
        XCTAssertEqual(try runTask(script, task: 2).0, 64)
        // A trial another process trains (its lock held) is neither deleted nor started twice.
        let held = sweep.directory.runURL(trial: 0)
        try FileManager.default.createDirectory(at: held, withIntermediateDirectories: true)
        let lock = try DirectoryLock(held)
        XCTAssertEqual(try runTask(script, task: 0).0, 75)
        XCTAssertTrue(FileManager.default.fileExists(atPath: held.path), "the running trial's directory kept")
        withExtendedLifetime(lock) {}
    }
}
