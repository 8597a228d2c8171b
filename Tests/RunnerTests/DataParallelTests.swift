import Foundation
import XCTest

/// Data-parallel training under Open MPI on localhost (`mpirun -np 2 --oversubscribe`): two ranks
/// follow one process with the same global batch, a killed job resumes bit for bit, a dead or hung
/// rank ends the job with a message naming it and its step, and the inputs MPI adds are refused.
extension RunnerTests {
    /// Small settings, logged every 10 steps: 50 steps of the GRU LM (its state carried across
    /// batches) and of the baby GPT (nanoGPT's random windows), both without dropout.
    private static let gru = ["experiments/gru_charlm.yaml", "--set", "train.epochs=null", "--set", "train.steps=50",
                              "--set", "model.hidden=64", "--set", "data.max_chars=20000", "--set",
                              "data.split={train: 0.8, valid: 0.2}", "--set", "eval.every_steps=10", "--set", "sample.length=10"]
    private static let gpt = ["experiments/reproduce/gpt_baby_shakespeare.yaml", "--set", "train.steps=50", "--set",
                              "model.layers=2", "--set", "eval.every_steps=10", "--set", "eval.batches=4",
                              "--set", "sample.length=10"]

    private func requireMPI() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/mpirun") else {
            throw XCTSkip("NO MPI: /usr/bin/mpirun is missing; `make test` installs openmpi-bin (Debian)")
        }
    }

    func testTwoRanksFollowOneProcess() throws {
        try requireMPI()
        for (name, spec) in [("gru", Self.gru), ("gpt", Self.gpt)] {
            let runs = try temporaryDirectory(name)
            defer { try? FileManager.default.removeItem(at: runs) }
            let (one, two) = (runs.appendingPathComponent("one"), runs.appendingPathComponent("two"))
            let (code, _, error) = try run(spec + ["--run-dir", one.path, "--set", "train.threads=1"])
            XCTAssertEqual(code, 0, error)
            let (mpiCode, output, mpiError) = try mpirun(spec + ["--run-dir", two.path, "--set", "train.threads=1"])
            XCTAssertEqual(mpiCode, 0, mpiError)
            XCTAssertEqual(output.components(separatedBy: "run directory:").count, 2, "rank 0 alone prints: \(output)")
            let (alone, ranks) = (try losses(one), try losses(two))
            XCTAssertEqual(ranks.map(\.key), alone.map(\.key), name)
            XCTAssertEqual(ranks.count, 10, "train and valid at steps 10…50")
            for (a, b) in zip(alone, ranks) {
                XCTAssertEqual(b.loss, a.loss, accuracy: 1e-5 * abs(a.loss), "\(name) \(a.key)")
            }
            let summary = try String(contentsOf: two.appendingPathComponent("summary.json"), encoding: .utf8)
            XCTAssertTrue(summary.contains("\"ranks\": 2"), summary)
            let log = try String(contentsOf: two.appendingPathComponent("log.txt"), encoding: .utf8)
            XCTAssertEqual(log.components(separatedBy: "step 50/50").count, 2, "one rank writes the log: \(log)")
        }
    }

    func testAKilledJobResumesBitForBitWithItsRankCount() throws {
        try requireMPI()
        let runs = try temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(at: runs) }
        // With dropout: each rank's generator goes through the checkpoint.
        let spec = Self.gru + ["--set", "train.steps=200", "--set", "checkpoint.every_steps=7", "--set", "model.dropout=0.2"]
        let (straight, killed) = (runs.appendingPathComponent("straight"), runs.appendingPathComponent("killed"))
        XCTAssertEqual(try mpirun(spec + ["--run-dir", straight.path]).0, 0)
        let job = try startMPI(spec + ["--run-dir", killed.path], log: runs.appendingPathComponent("killed.out"))
        try waitForCheckpoint(in: killed, while: job)
        killJob(job)
        let (code, _, error) = try mpirun(["resume", killed.path])
        XCTAssertEqual(code, 0, error)
        try assertSameEnd(killed, straight, after: 1)
        // A finished run is left as it is: rank 0 says so for every rank.
        let before = try contents(of: straight)
        let (finishedCode, finishedOutput, finishedError) = try mpirun(["resume", straight.path])
        XCTAssertEqual(finishedCode, 0, finishedError)
        XCTAssertEqual(finishedOutput.components(separatedBy: "nothing to resume").count, 2, finishedOutput)
        XCTAssertEqual(try contents(of: straight), before)
        // Another rank count would split the batches and the carried state otherwise. (A finished run
        // is left as it is whatever the count, so each run gets steps to train again first.)
        try removeNewestCheckpoint(of: killed)
        let (plainCode, _, plainError) = try run(["resume", killed.path])
        XCTAssertEqual(plainCode, 64)
        XCTAssertTrue(plainError.contains("trained by 2 MPI ranks and this is one process")
            && plainError.contains("mpirun -np 2 runner resume \(killed.path)"), plainError)
        let alone = runs.appendingPathComponent("alone")
        XCTAssertEqual(try run(Self.gru + ["--run-dir", alone.path, "--set", "train.steps=10", "--set", "checkpoint.every_steps=5"]).0, 0)
        try removeNewestCheckpoint(of: alone)
        let (otherCode, _, otherError) = try mpirun(["resume", alone.path])
        XCTAssertEqual(otherCode, 64)
        XCTAssertTrue(otherError.contains("trained by one process and this is 2 MPI ranks"), otherError)
    }

    /// SIGTERM to the ranks (as Slurm ends a job's tasks): they agree on the step to stop after, rank 0
    /// checkpoints it, and all end with 143 and the command that continues the run.
    func testSignalledRanksStopTogetherAfterACheckpointedStep() throws {
        try requireMPI()
        let runs = try temporaryDirectory("signal")
        defer { try? FileManager.default.removeItem(at: runs) }
        let (job, run, log) = try jobPastItsFirstCheckpoint(in: runs, ["--set", "train.steps=100000", "--set",
                                                                      "checkpoint.every_steps=50"])
        for pid in children(of: job.processIdentifier) { kill(pid, SIGTERM) }
        let output = try finish(job, log: log, within: 60)
        XCTAssertEqual(job.terminationStatus, 143, output)
        let stopped = try XCTUnwrap(output.firstMatch(
            of: /stopped by signal 15 after step (\d+), checkpointed; continue with: mpirun -np 2 runner resume (\S+)/), output)
        XCTAssertEqual(String(stopped.2), run.path)
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("checkpoints").path)
        XCTAssertTrue(checkpoints.contains(String(format: "step-%06d.ckpt", Int(stopped.1) ?? -1)), "\(checkpoints)")
    }

    func testADeadRankEndsTheJobAndItsLastCheckpointResumes() throws {
        try requireMPI()
        let runs = try temporaryDirectory("dead")
        defer { try? FileManager.default.removeItem(at: runs) }
        let (job, run, log) = try jobPastItsFirstCheckpoint(in: runs, ["--set", "train.steps=400", "--set",
                                                                      "checkpoint.every_steps=7"])
        let killedAt = Date()
        kill(try rank(1, of: job), SIGKILL)
        let output = try finish(job, log: log, within: 60)
        XCTAssertLessThan(Date().timeIntervalSince(killedAt), 30, "the job should end soon after a rank dies")
        XCTAssertNotEqual(job.terminationStatus, 0)
        // mpirun names the rank that died; rank 0, signalled in its wait, the step.
        XCTAssertTrue(output.contains("process rank 1") && output.contains("exited on signal 9"), output)
        XCTAssertNotNil(output.firstMatch(of: /rank 0: signal 15 while waiting for the other ranks in the [a-z' ]+ of step \d+/),
                        output)
        let (code, _, error) = try mpirun(["resume", run.path])
        XCTAssertEqual(code, 0, "the last checkpoint is whole: \(error)")
    }

    func testAHungRankEndsTheJobAfterTheCollectiveTimeout() throws {
        try requireMPI()
        let runs = try temporaryDirectory("hung")
        defer { try? FileManager.default.removeItem(at: runs) }
        let (job, _, log) = try jobPastItsFirstCheckpoint(in: runs, ["--set", "train.steps=100000", "--set",
                                                                    "checkpoint.every_steps=7", "--collective-timeout", "2"])
        let hung = try rank(1, of: job)
        kill(hung, SIGSTOP)
        defer { kill(hung, SIGKILL) }
        let output = try finish(job, log: log, within: 60)
        XCTAssertNotEqual(job.terminationStatus, 0)
        // Which collective rank 0 waits in depends on where rank 1 stopped.
        XCTAssertNotNil(output.firstMatch(of: /rank 0: the other ranks did not join the [a-z' ]+ of step \d+ within 2 s/), output)
    }

    func testMPIInputsThatCannotWorkAreRefused() throws {
        try requireMPI()
        let (code, _, error) = try mpirun(Self.gru + ["--set", "train.batch_size=33"])
        XCTAssertEqual(code, 64)
        XCTAssertTrue(error.contains("--set:8:18: error: 'train.batch_size' (33) does not split evenly over 2 MPI ranks")
            && error.contains("use a multiple of 2: 32 or 34"), error)
        XCTAssertEqual(error.components(separatedBy: "does not split").count, 2, "rank 0 alone says it: \(error)")
        let (translationCode, _, translationError) = try mpirun(["experiments/reproduce/bahdanau_multi30k.yaml"])
        XCTAssertEqual(translationCode, 64)
        XCTAssertTrue(translationError.contains("task translation under mpirun"), translationError)
        let (checkCode, plan, checkError) = try mpirun(["check"] + Self.gru + ["--set", "train.threads=1"])
        XCTAssertEqual(checkCode, 0, checkError)
        XCTAssertEqual(plan.components(separatedBy: "batch (T, B) = (35, 16) on each of 2 MPI ranks").count, 2, plan)
        XCTAssertTrue(plan.contains("data parallel: 2 MPI ranks, 1 thread each; per step one MPI_Allreduce sums 19868 "
            + "gradient floats (0.08 MB)"), plan)
    }

    // MARK: - mpirun

    /// `mpirun -np 2 --oversubscribe runner ARGUMENTS` from the package root: (exit code, stdout, stderr).
    private func mpirun(_ arguments: [String]) throws -> (Int32, String, String) {
        let (out, err) = (Pipe(), Pipe())
        let job = try startMPI(arguments, output: out, errors: err)
        // stderr is small; stdout is read to its end first so that the job never blocks on a full pipe.
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        job.waitUntilExit()
        return (job.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// A job in the background, its stdout and stderr both into the file `log`.
    private func startMPI(_ arguments: [String], log: URL) throws -> Process {
        try Data().write(to: log)
        let handle = try FileHandle(forWritingTo: log)
        return try startMPI(arguments, output: handle, errors: handle)
    }

    private func startMPI(_ arguments: [String], output: Any, errors: Any) throws -> Process {
        let job = Process()
        job.executableURL = URL(fileURLWithPath: "/usr/bin/mpirun")
        job.arguments = ["-np", "2", "--oversubscribe", runner.path] + arguments
        // Open MPI refuses to run as root (CI containers) unless told that it is meant.
        job.environment = ProcessInfo.processInfo.environment.merging(
            ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"]) { $1 }
        job.currentDirectoryURL = Self.packageRoot
        (job.standardOutput, job.standardError) = (output, errors)
        try job.run()
        return job
    }

    /// The job's output (its `log`) once it has ended, failing the test if it runs past `seconds`.
    private func finish(_ job: Process, log: URL, within seconds: Double) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while job.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if job.isRunning {
            killJob(job)
            XCTFail("the job ran on for \(seconds) s")
        }
        job.waitUntilExit()
        return try String(contentsOf: log, encoding: .utf8)
    }

    /// A 2-rank job training the small GRU with `settings` into RUNS/run, its output into RUNS/job.out,
    /// once it has written its first checkpoint.
    private func jobPastItsFirstCheckpoint(in runs: URL, _ settings: [String]) throws -> (job: Process, run: URL, log: URL) {
        let (run, log) = (runs.appendingPathComponent("run"), runs.appendingPathComponent("job.out"))
        let job = try startMPI(Self.gru + ["--run-dir", run.path] + settings, log: log)
        try waitForCheckpoint(in: run, while: job)
        return (job, run, log)
    }

    private func waitForCheckpoint(in run: URL, while job: Process) throws {
        let checkpoints = run.appendingPathComponent("checkpoints")
        while job.isRunning, !((try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path)) ?? []).contains(where: {
            $0.hasPrefix("step-")
        }) {
            Thread.sleep(forTimeInterval: 0.02)
        }
        XCTAssertTrue(job.isRunning, "the job ended before its first checkpoint")
    }

    /// The pid of rank `rank`: the child of mpirun whose environment says so.
    private func rank(_ rank: Int, of job: Process) throws -> Int32 {
        for pid in children(of: job.processIdentifier) {
            let environment = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))) ?? Data()
            if environment.split(separator: 0).contains(Data("OMPI_COMM_WORLD_RANK=\(rank)".utf8)) { return pid }
        }
        throw XCTSkip("no rank \(rank) among mpirun's children")
    }

    /// SIGKILL for mpirun and its ranks, as a machine that goes down ends them.
    private func killJob(_ job: Process) {
        killWithChildren(job.processIdentifier)
        job.waitUntilExit()
    }

    // MARK: - Runs

    private func removeNewestCheckpoint(of run: URL) throws {
        let checkpoints = run.appendingPathComponent("checkpoints")
        let newest = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: checkpoints.path)
            .filter { $0.hasPrefix("step-") }.max())
        try FileManager.default.removeItem(at: checkpoints.appendingPathComponent(newest))
    }

    private func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mpi-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Each logged loss of a run, keyed `split@step`, in the order of metrics.jsonl.
    private func losses(_ run: URL) throws -> [(key: String, loss: Double)] {
        try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n").map { line in
            let event = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return ("\(event["split"] ?? "")@\(event["step"] ?? "")", try XCTUnwrap(event["loss"] as? Double))
        }
    }

}
