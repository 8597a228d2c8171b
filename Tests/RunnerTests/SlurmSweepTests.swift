import Foundation
import XCTest

/// `runner sweep --scheduler slurm` against a real single-node Slurm: the one make test starts with
/// Tests/RunnerTests/slurm_localhost.sh and names in SLURM_CONF. A two-trial sweep runs through it to
/// `runner table`; a trial that did not finish is resubmitted alone; Slurm's refusals and a missing
/// sbatch are clear errors.
extension RunnerTests {
    func testASweepRunsThroughSlurm() throws {
        guard let configuration = ProcessInfo.processInfo.environment["SLURM_CONF"],
              FileManager.default.fileExists(atPath: configuration) else {
            throw XCTSkip("NO SLURM: SLURM_CONF does not name a running cluster's slurm.conf; `make test` starts one "
                + "with Tests/RunnerTests/slurm_localhost.sh (packages slurmctld slurmd slurm-client munge)")
        }
        // A space and a % in the path: sbatch's directives and its output pattern must take them.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slurm sweep 50% \(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sweepFile = directory.appendingPathComponent("sweep.yaml").path
        try Data("""
            base: \(Self.packageRoot.path)/experiments/gru_charlm.yaml
            method: grid
            parameters:
              train.optimizer.lr: [0.5, 2.0]
              train.epochs: [2]
            metric: train.ppl
            """.utf8).write(to: URL(fileURLWithPath: sweepFile))

        let (code, out, error) = try run(["sweep", sweepFile, "--runs-dir", directory.path, "--scheduler", "slurm",
                                          "--max-concurrent", "2", "--time", "00:10:00"])
        XCTAssertEqual(code, 0, error)
        XCTAssertTrue(out.hasPrefix("slurm job "), out)
        let sweep = try XCTUnwrap(error.split(separator: "\n").first { $0.hasPrefix("sweep directory: ") }
            .map { String($0.dropFirst("sweep directory: ".count).prefix { $0 != "(" }.dropLast()) })
        try waitUntilDone(sweep, trials: 2)
        let table = try run(["table", sweep])
        XCTAssertEqual(table.0, 0, table.2)
        XCTAssertEqual(table.1.split(separator: "\n").filter { $0.contains("trial-00") }.count, 2, table.1)

        // A trial that ended without finishing (its summary gone) is the only one submitted again.
        let finished = URL(fileURLWithPath: sweep + "/trial-000/summary.json")
        let firstWritten = try FileManager.default.attributesOfItem(atPath: finished.path)[.modificationDate] as? Date
        try FileManager.default.removeItem(atPath: sweep + "/trial-001/summary.json")
        XCTAssertTrue(try run(["sweep", "--status", sweep]).1.contains("trial-001  ended without finishing"))
        let resumed = try run(["sweep", "--resume", sweep])
        XCTAssertEqual(resumed.0, 0, resumed.2)
        XCTAssertTrue(try String(contentsOfFile: sweep + "/sweep.sbatch", encoding: .utf8).contains("#SBATCH --array=1%2"))
        try waitUntilDone(sweep, trials: 2)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: finished.path)[.modificationDate] as? Date, firstWritten)

        // Slurm's own refusal, and no sbatch at all: clear errors, the sweep directory kept.
        let refused = try run(["sweep", sweepFile, "--runs-dir", directory.path, "--scheduler", "slurm", "--partition", "nope"])
        XCTAssertEqual(refused.0, 64)
        XCTAssertTrue(refused.2.contains("error: sbatch refused the sweep: sbatch: error: invalid partition specified: nope"), refused.2)
        let missing = try run(["sweep", sweepFile, "--runs-dir", directory.path, "--scheduler", "slurm"],
                              environment: ["PATH": "/nonexistent"])
        XCTAssertEqual(missing.0, 66)
        XCTAssertTrue(missing.2.contains("error: sbatch is not on the PATH: install Slurm's client commands"), missing.2)
    }

    /// Polls `runner sweep --status` until `trials` trials are done (two minutes at most).
    private func waitUntilDone(_ sweep: String, trials: Int) throws {
        let deadline = Date().addingTimeInterval(120)
        var status = ""
        while Date() < deadline {
            status = try run(["sweep", "--status", sweep]).1
            if status.split(separator: "\n").filter({ $0.contains("  done  ") }).count == trials { return }
            Thread.sleep(forTimeInterval: 0.5)
        }
        XCTFail("the trials did not finish under Slurm in two minutes:\n\(status)")
    }
}
