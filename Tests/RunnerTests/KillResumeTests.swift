import Foundation
import XCTest

/// SIGKILL at random moments: a run killed again and again, each time resumed from its latest
/// checkpoint, ends with the final checkpoint and metrics.jsonl of a run never interrupted, byte for
/// byte (tokens/s aside). Kills land anywhere: mid-step, mid-report, mid-checkpoint write. `make test`
/// kills up to 8 times; `make faults` sets SEQLAB_FAULT_KILLS=20 and a longer run.
extension RunnerTests {
    func testKilledAndResumedRunsEndAsAnUninterruptedOne() throws {
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("kills-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: runs) }
        let environment = ProcessInfo.processInfo.environment
        let maximumKills = environment["SEQLAB_FAULT_KILLS"].flatMap(Int.init) ?? 8
        let steps = maximumKills > 8 ? 1_200 : 400
        let settings = ["--set", "train.epochs=null", "--set", "train.steps=\(steps)", "--set", "model.hidden=128",
                        "--set", "checkpoint.every_steps=7", "--set", "checkpoint.keep=2", "--set", "eval.every_steps=5",
                        "--set", "sample.length=20"]
        let straight = runs.appendingPathComponent("straight")
        let (code, _, error) = try run(["experiments/gru_charlm.yaml", "--run-dir", straight.path] + settings)
        XCTAssertEqual(code, 0, error)

        let killed = runs.appendingPathComponent("killed")
        var state: UInt64 = 20_261_204
        func delay() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 40) / Double(1 << 24) * 0.3
        }
        var arguments = ["experiments/gru_charlm.yaml", "--run-dir", killed.path] + settings
        var kills = 0
        while true {
            let process = Process()
            process.executableURL = runner
            process.arguments = arguments
            process.currentDirectoryURL = Self.packageRoot
            (process.standardOutput, process.standardError) = (FileHandle.nullDevice, FileHandle.nullDevice)
            try process.run()
            // A first kill only once a checkpoint exists, so that there is something to resume.
            while arguments[0] != "resume", process.isRunning,
                  ((try? FileManager.default.contentsOfDirectory(atPath: killed.path + "/checkpoints")) ?? []).isEmpty {
                Thread.sleep(forTimeInterval: 0.01)
            }
            Thread.sleep(forTimeInterval: delay())
            if process.isRunning, kills < maximumKills {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            if process.terminationReason == .exit {
                XCTAssertEqual(process.terminationStatus, 0, "\(arguments)")
                break
            }
            arguments = ["resume", killed.path]
        }
        XCTAssertGreaterThanOrEqual(kills, min(3, maximumKills), "the run should have been killed a few times")
        print("killed and resumed \(kills) times, then finished")
        let final = "checkpoints/" + (try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: straight.path + "/checkpoints")
            .filter { $0.hasSuffix(".ckpt") }.max()))
        XCTAssertEqual(try Data(contentsOf: killed.appendingPathComponent(final)), try Data(contentsOf: straight.appendingPathComponent(final)),
                       "the final checkpoint after \(kills) kills")
        let metrics = { (url: URL) throws -> [String] in
            try String(contentsOf: url.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
                .map { $0.replacingOccurrences(of: #""tokens_per_s":[0-9.e+-]+,?"#, with: "", options: .regularExpression) }
        }
        XCTAssertEqual(try metrics(killed), try metrics(straight))
    }
}
