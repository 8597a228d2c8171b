import Foundation
import XCTest

/// `runner sweep` through the binary: trials as child processes, sweep.jsonl kept current, a failure
/// reported at once (and `--fail-fast` stopping there), early stopping, and a killed sweep resumed
/// without rerunning what finished.
extension RunnerTests {
    /// A scratch directory with a small, fast base experiment (a GRU of 16 on The Time Machine).
    private func sweepFixture() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try """
            extends: \(Self.packageRoot.path)/experiments/gru_charlm.yaml
            name: small
            model: {hidden: 16}
            train: {epochs: 40}
            eval: {every_steps: 40}
            checkpoint: {every_steps: 40, keep: 2}
            """.write(to: directory.appendingPathComponent("base.yaml"), atomically: true, encoding: .utf8)
        return directory
    }

    private func writeSweep(_ directory: URL, _ body: String) throws -> String {
        let path = directory.appendingPathComponent("sweep.yaml").path
        try ("base: base.yaml\nmetric: train.ppl\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func trials(in sweep: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: sweep.appendingPathComponent("sweep.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    /// Starts `runner sweep SWEEP --runs-dir RUNS` and waits until `trial` has a step checkpoint.
    /// Returns the sweep's process, its directory (nil when no checkpoint came within two minutes) and
    /// the pids of the trials it runs.
    private func startSweep(_ sweep: String, runs: URL, until trial: String, stderr: Any) throws
        -> (process: Process, directory: URL?, children: [Int32]) {
        let process = Process()
        process.executableURL = runner
        process.arguments = ["sweep", sweep, "--runs-dir", runs.path]
        process.currentDirectoryURL = Self.packageRoot
        (process.standardOutput, process.standardError) = (FileHandle.nullDevice, stderr)
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        var found: URL?
        while Date() < deadline, found == nil {
            Thread.sleep(forTimeInterval: 0.05)
            guard let directory = try? sweepDirectory(in: runs),
                  let checkpoints = try? FileManager.default.contentsOfDirectory(
                    atPath: directory.appendingPathComponent("\(trial)/checkpoints").path),
                  checkpoints.contains(where: { $0.hasPrefix("step-") }) else { continue }
            found = directory
        }
        let lister = Process(), children = Pipe()
        lister.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
        (lister.arguments, lister.standardOutput) = (["-P", String(process.processIdentifier)], children)
        try lister.run()
        lister.waitUntilExit()
        let pids = String(decoding: children.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").compactMap { Int32($0) }
        return (process, found, pids)
    }

    private func sweepDirectory(in runs: URL) throws -> URL {
        let names = try FileManager.default.contentsOfDirectory(atPath: runs.path).filter { !$0.hasPrefix(".") }
        return runs.appendingPathComponent(try XCTUnwrap(names.first))
    }

    func testASweepRunsEveryTrialAndRecordsIt() throws {
        let directory = try sweepFixture()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sweep = try writeSweep(directory, "parameters:\n  train.optimizer.lr: [0.5, 2.0]\n  train.epochs: [4]\n")
        let runs = directory.appendingPathComponent("runs")
        let (code, stdout, stderr) = try run(["sweep", sweep, "--parallel", "2", "--runs-dir", runs.path])
        XCTAssertEqual(code, 0, stderr)
        XCTAssertTrue(stdout.contains("best: trial-00"), stdout)
        let records = try trials(in: try sweepDirectory(in: runs))
        XCTAssertEqual(records.map { $0["status"] as? String }, ["done", "done"])
        XCTAssertEqual(records.map { ($0["parameters"] as? [String: String])?["train.optimizer.lr"] }, ["0.5", "2.0"])
        XCTAssertTrue(records.allSatisfy { ($0["metric"] as? Double).map { $0 > 1 } ?? false }, "\(records)")
        // Each trial is a normal run directory whose spec carries its values and the divided threads.
        let spec = try String(contentsOf: try sweepDirectory(in: runs).appendingPathComponent("trial-001/spec.yaml"), encoding: .utf8)
        XCTAssertTrue(spec.contains("lr: 2.0") && spec.contains("threads: 1"), spec)
    }

    /// A base's relative corpus path is recorded absolute in the sweep's base.yaml, and a parameter's
    /// is read where the sweep started, so trials started by `--resume` from another directory read
    /// the same files.
    func testASweepRecordsItsBaseWithAbsolutePaths() throws {
        let directory = try sweepFixture()
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = try String(contentsOf: Self.packageRoot.appendingPathComponent("../shared/data/timemachine/timemachine.txt"),
                              encoding: .utf8)
        try String(text.prefix(4000)).write(to: directory.appendingPathComponent("corpus.txt"), atomically: true, encoding: .utf8)
        let base = directory.appendingPathComponent("base.yaml")
        try (try String(contentsOf: base, encoding: .utf8) + "\ndata: {corpus: corpus.txt}\n").write(to: base, atomically: true,
                                                                                                   encoding: .utf8)
        try String(text.prefix(3000)).write(to: directory.appendingPathComponent("other.txt"), atomically: true, encoding: .utf8)
        let sweep = try writeSweep(directory, "parameters:\n  train.epochs: [1]\n  data.corpus: [corpus.txt, other.txt]\n")
        let (code, _, stderr) = try run(["sweep", sweep, "--runs-dir", "runs"], directory: directory)
        XCTAssertEqual(code, 0, stderr)
        let recorded = try sweepDirectory(in: directory.appendingPathComponent("runs"))
        let corpus = "corpus: \"\(directory.appendingPathComponent("corpus.txt").path)\""
        for file in ["base.yaml", "trial-000/spec.yaml"] {
            let text = try String(contentsOf: recorded.appendingPathComponent(file), encoding: .utf8)
            XCTAssertTrue(text.contains(corpus), "\(file):\n\(text)")
        }
        // trial-001 as a kill before its start leaves it, resumed from a directory without other.txt.
        let records = try String(contentsOf: recorded.appendingPathComponent("sweep.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let pending = records[1].replacingOccurrences(of: #""status":"done""#, with: #""status":"pending""#)
        XCTAssertNotEqual(pending, records[1], records[1])
        try ([records[0], pending].joined(separator: "\n") + "\n").write(to: recorded.appendingPathComponent("sweep.jsonl"),
                                                                       atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: recorded.appendingPathComponent("trial-001"))
        let elsewhere = directory.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let (resumed, _, resumeError) = try run(["sweep", "--resume", recorded.path], directory: elsewhere)
        XCTAssertEqual(resumed, 0, resumeError)
        let spec = try String(contentsOf: recorded.appendingPathComponent("trial-001/spec.yaml"), encoding: .utf8)
        XCTAssertTrue(spec.contains("corpus: \"\(directory.appendingPathComponent("other.txt").path)\""), spec)
    }

    /// A trial that fails is reported with its exit code and last line when it fails; with
    /// --fail-fast the trials after it never start.
    func testAFailedTrialIsReportedAtOnceAndFailFastStops() throws {
        let directory = try sweepFixture()
        defer { try? FileManager.default.removeItem(at: directory) }
        // 400 tokens cannot fill one batch of 32 × 35: the second trial fails at start with exit 64.
        let sweep = try writeSweep(directory, "parameters:\n  data.max_chars: [10000, 400, 10000]\n  train.epochs: [2]\n")
        let runs = directory.appendingPathComponent("runs")
        let (code, _, stderr) = try run(["sweep", sweep, "--runs-dir", runs.path, "--fail-fast"])
        XCTAssertEqual(code, 1, stderr)
        XCTAssertTrue(stderr.contains("trial-001 failed (exit 64): "), stderr)
        XCTAssertTrue(stderr.contains("runner sweep --resume"), stderr)
        let records = try trials(in: try sweepDirectory(in: runs))
        XCTAssertEqual(records.map { $0["status"] as? String }, ["done", "failed", "pending"])
        XCTAssertEqual(records[1]["exit_code"] as? Int, 64)
        XCTAssertNotNil(records[1]["last_line"] as? String)
        // A trial refused with a spec error is reported by the error's headline, not its caret line.
        let unrolled = try writeSweep(directory, "parameters:\n  train.seq_len: [200000]\n")
        let (refused, _, refusal) = try run(["sweep", unrolled, "--runs-dir", runs.path])
        XCTAssertEqual(refused, 1, refusal)
        XCTAssertTrue(refusal.contains("trial-000 failed (exit 64): --set:"), refusal)
        XCTAssertTrue(refusal.contains("error: train.seq_len 200000 × model.layers 1 unrolls more than"), refusal)
    }

    /// The second trial learns so slowly that its perplexity at the first report is above the
    /// finished trial's: it is stopped there, not run to the end.
    func testEarlyStoppingStopsATrialBehindTheMedian() throws {
        let directory = try sweepFixture()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sweep = try writeSweep(directory, "early_stop: true\nparameters:\n  train.optimizer.lr: [2.0, 0.0001]\n"
            + "  train.epochs: [300]\n")
        let runs = directory.appendingPathComponent("runs")
        let (code, _, stderr) = try run(["sweep", sweep, "--runs-dir", runs.path])
        XCTAssertEqual(code, 0, stderr)
        let records = try trials(in: try sweepDirectory(in: runs))
        XCTAssertEqual(records.map { $0["status"] as? String }, ["done", "stopped"], stderr)
        XCTAssertLessThan(try XCTUnwrap(records[1]["stopped_at_step"] as? Int), 2_400, "300 epochs are 2,400 steps")
    }

    /// Killed (parent and child) while the second of three trials runs, then resumed: the first is
    /// not rerun, the second continues from its checkpoint, the third runs.
    func testAKilledSweepResumesWithoutRerunningFinishedTrials() throws {
        let directory = try sweepFixture()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sweep = try writeSweep(directory, "parameters:\n  train.optimizer.lr: [1.0, 1.5, 2.0]\n  train.epochs: [4, 100]\n")
        // Once trial 1 (lr 1.0, 100 epochs) has a checkpoint, the parent is killed first, so that it cannot
        // record its child's death; then the child it left running.
        let (process, sweepURL, pids) = try startSweep(sweep, runs: directory.appendingPathComponent("runs"),
                                                       until: "trial-001", stderr: FileHandle.nullDevice)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let killed = try XCTUnwrap(sweepURL, "trial-001 never checkpointed")
        // While the killed sweep's trial still runs, resuming the sweep refuses, naming it and its pid.
        let (refused, _, refusal) = try run(["sweep", "--resume", killed.path])
        XCTAssertEqual(refused, 1, refusal)
        XCTAssertTrue(refusal.contains("error: \(killed.path)/trial-001 is in use by process \(pids.first ?? 0)"), refusal)
        for pid in pids { kill(pid, SIGKILL) }
        XCTAssertEqual(try trials(in: killed).map { $0["status"] as? String }, ["done", "running", "pending",
                                                                               "pending", "pending", "pending"])
        let firstMetrics = try Data(contentsOf: killed.appendingPathComponent("trial-000/metrics.jsonl"))

        let (code, _, stderr) = try run(["sweep", "--resume", killed.path, "--parallel", "2"])
        XCTAssertEqual(code, 0, stderr)
        XCTAssertTrue(stderr.contains("resuming \(killed.path): 5 of 6 trials to run"), stderr)
        XCTAssertFalse(stderr.contains("trial-000 started"), stderr)
        XCTAssertEqual(try trials(in: killed).map { $0["status"] as? String }, Array(repeating: "done", count: 6))
        XCTAssertEqual(try Data(contentsOf: killed.appendingPathComponent("trial-000/metrics.jsonl")), firstMetrics)
        let log = try String(contentsOf: killed.appendingPathComponent("trial-001/log.txt"), encoding: .utf8)
        XCTAssertTrue(log.contains("resumed from"), log)
    }

    /// SIGTERM (or a terminal's Ctrl-C) to a sweep reaches its trials, which run in process groups of
    /// their own: each stops after its step with a checkpoint, the sweep records them interrupted,
    /// says how to continue and exits 128 + the signal, and --resume at once finishes them.
    func testASignalledSweepStopsItsTrialsForResume() throws {
        let directory = try sweepFixture()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sweep = try writeSweep(directory, "parameters:\n  train.epochs: [200]\n")
        let said = Pipe()
        let (process, sweepURL, pids) = try startSweep(sweep, runs: directory.appendingPathComponent("runs"),
                                                       until: "trial-000", stderr: said)
        kill(process.processIdentifier, SIGTERM)
        let stderr = String(decoding: said.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let stopped = try XCTUnwrap(sweepURL, "trial-000 never checkpointed")
        XCTAssertEqual(process.terminationStatus, 128 + SIGTERM, stderr)
        XCTAssertTrue(stderr.contains("continue with: runner sweep --resume \(stopped.path)"), stderr)
        XCTAssertFalse(pids.isEmpty)
        XCTAssertTrue(pids.allSatisfy { kill($0, 0) != 0 }, "a trial outlived its sweep: \(pids)")
        XCTAssertEqual(try trials(in: stopped).map { $0["status"] as? String }, ["interrupted"])
        let (code, _, resumed) = try run(["sweep", "--resume", stopped.path])
        XCTAssertEqual(code, 0, resumed)
        XCTAssertEqual(try trials(in: stopped).map { $0["status"] as? String }, ["done"])
        let log = try String(contentsOf: stopped.appendingPathComponent("trial-000/log.txt"), encoding: .utf8)
        XCTAssertTrue(log.contains("resumed from"), log)
    }

    func testSweepRefusals() throws {
        let directory = try sweepFixture()
        defer { try? FileManager.default.removeItem(at: directory) }
        let damaged = directory.appendingPathComponent("damaged")
        try FileManager.default.createDirectory(at: damaged, withIntermediateDirectories: true)
        try "{}\n".write(to: damaged.appendingPathComponent("sweep.json"), atomically: true, encoding: .utf8)
        try "{\"trial\":0,\"overrides\":[\"model.hidden=8\"],\"status\":\"done\"}\n{\"trial\": 1, oops\n"
            .write(to: damaged.appendingPathComponent("sweep.jsonl"), atomically: true, encoding: .utf8)
        try assertRefusals([
            (["sweep"], 64, "sweep needs a sweep file"),
            (["sweep", directory.appendingPathComponent("none.yaml").path], 66, "no such file"),
            (["sweep", "--resume", directory.path], 64, "not a sweep directory"),
            (["sweep", "--resume", directory.appendingPathComponent("gone").path], 66, "gone"),
            (["sweep", "--resume", damaged.path], 64, "sweep.jsonl:2: "),
            (["sweep", "x.yaml", "--parallel", "0"], 64, "--parallel"),
            (["sweep", "--resume", damaged.path, "--runs-dir", "x"], 64, "takes no --runs-dir"),
            (["experiments/gru_charlm.yaml", "--run-dir", "x", "--name", "y"], 64, "--run-dir names the run directory"),
        ])
    }
}
