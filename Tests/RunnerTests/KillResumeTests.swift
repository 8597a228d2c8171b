import Foundation
import XCTest

/// SIGKILL at random moments: a run killed again and again, each time resumed from its latest
/// checkpoint, ends with the final checkpoint and metrics.jsonl of a run never interrupted, byte for
/// byte (speeds aside). Kills land anywhere: mid-step, mid-report, mid-checkpoint write. The same for
/// a translation run, and for a sweep whose parent and trials are killed together. `make test` kills
/// up to 8 times; `make faults` sets SEQLAB_FAULT_KILLS=20 and longer runs.
extension RunnerTests {
    private var maximumKills: Int { ProcessInfo.processInfo.environment["SEQLAB_FAULT_KILLS"].flatMap(Int.init) ?? 8 }

    func testKilledAndResumedRunsEndAsAnUninterruptedOne() throws {
        let runs = try temporaryRuns("kills")
        defer { try? FileManager.default.removeItem(at: runs) }
        let steps = maximumKills > 8 ? 1_200 : 400
        let settings = ["--set", "train.epochs=null", "--set", "train.steps=\(steps)", "--set", "model.hidden=128",
                        "--set", "checkpoint.every_steps=7", "--set", "checkpoint.keep=2", "--set", "eval.every_steps=5",
                        "--set", "sample.length=20"]
        let (straight, killed) = (runs.appendingPathComponent("straight"), runs.appendingPathComponent("killed"))
        let (code, _, error) = try run(["experiments/gru_charlm.yaml", "--run-dir", straight.path] + settings)
        XCTAssertEqual(code, 0, error)
        let kills = try killAndResume(["experiments/gru_charlm.yaml", "--run-dir", killed.path] + settings,
                                      resume: ["resume", killed.path], checkpoints: killed.appendingPathComponent("checkpoints"))
        try assertSameEnd(killed, straight, after: kills)
    }

    func testKilledAndResumedTranslationEndsAsAnUninterruptedOne() throws {
        let runs = try temporaryRuns("translation-kills")
        defer { try? FileManager.default.removeItem(at: runs) }
        // Long enough that the seeded kills (each within 0.3 s of a start) land at least three times: with
        // 40 epochs a clean-clone run once finished after two.
        let spec = try reversalSpec(in: runs, epochs: maximumKills > 8 ? 240 : 80)
        let (straight, killed) = (runs.appendingPathComponent("straight"), runs.appendingPathComponent("killed"))
        let (code, _, error) = try run([spec, "--run-dir", straight.path])
        XCTAssertEqual(code, 0, error)
        let kills = try killAndResume([spec, "--run-dir", killed.path], resume: ["resume", killed.path],
                                      checkpoints: killed.appendingPathComponent("checkpoints"))
        try assertSameEnd(killed, straight, after: kills)
    }

    func testKilledAndResumedSweepEndsAsAnUninterruptedOne() throws {
        let runs = try temporaryRuns("sweep-kills")
        defer { try? FileManager.default.removeItem(at: runs) }
        let steps = maximumKills > 8 ? 600 : 200
        try """
            extends: \(Self.packageRoot.path)/experiments/gru_charlm.yaml
            name: small
            model: {hidden: 32}
            train: {epochs: null, steps: \(steps)}
            eval: {every_steps: 10}
            sample: {length: 10}
            checkpoint: {every_steps: 9, keep: 2}
            """.write(to: runs.appendingPathComponent("base.yaml"), atomically: true, encoding: .utf8)
        let sweep = runs.appendingPathComponent("sweep.yaml").path
        try "base: base.yaml\nmetric: train.ppl\nparameters:\n  train.optimizer.lr: [0.5, 2.0]\n".write(toFile: sweep, atomically: true,
                                                                                                   encoding: .utf8)
        let (straightRuns, killedRuns) = (runs.appendingPathComponent("straight"), runs.appendingPathComponent("killed"))
        let (code, _, error) = try run(["sweep", sweep, "--runs-dir", straightRuns.path])
        XCTAssertEqual(code, 0, error)
        let directory = { (runs: URL) -> URL? in
            (try? FileManager.default.contentsOfDirectory(atPath: runs.path))?.first { !$0.hasPrefix(".") }
                .map { runs.appendingPathComponent($0) }
        }
        var killed: URL?
        let kills = try killAndResume(["sweep", sweep, "--runs-dir", killedRuns.path], resume: {
            killed = killed ?? directory(killedRuns)
            return ["sweep", "--resume", killed?.path ?? killedRuns.path]
        }, checkpoints: killedRuns, depth: 3)
        let straight = try XCTUnwrap(directory(straightRuns))
        for trial in ["trial-000", "trial-001"] {
            try assertSameEnd(try XCTUnwrap(killed).appendingPathComponent(trial), straight.appendingPathComponent(trial), after: kills)
        }
    }

    private func temporaryRuns(_ name: String) throws -> URL {
        let runs = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        return runs
    }

    /// Runs `arguments` to its end, killing it — with the processes it started — by SIGKILL at up to
    /// `maximumKills` seeded moments once a checkpoint exists below `checkpoints` (`depth` levels down),
    /// and continuing each time with `resume`. Returns how many kills there were.
    private func killAndResume(_ arguments: [String], resume: @autoclosure () -> [String], checkpoints: URL,
                               depth: Int = 0) throws -> Int {
        try killAndResume(arguments, resume: { resume() }, checkpoints: checkpoints, depth: depth)
    }

    private func killAndResume(_ first: [String], resume: () -> [String], checkpoints: URL, depth: Int) throws -> Int {
        var state: UInt64 = 20_261_204
        func delay() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 40) / Double(1 << 24) * 0.3
        }
        var (arguments, kills) = (first, 0)
        while true {
            let process = Process()
            process.executableURL = runner
            process.arguments = arguments
            process.currentDirectoryURL = Self.packageRoot
            (process.standardOutput, process.standardError) = (FileHandle.nullDevice, FileHandle.nullDevice)
            try process.run()
            // A first kill only once a checkpoint exists, so that there is something to resume.
            while kills == 0, process.isRunning, !containsCheckpoint(checkpoints, depth: depth) {
                Thread.sleep(forTimeInterval: 0.01)
            }
            Thread.sleep(forTimeInterval: delay())
            if process.isRunning, kills < maximumKills {
                killWithChildren(process.processIdentifier)
                kills += 1
            }
            process.waitUntilExit()
            if process.terminationReason == .exit {
                XCTAssertEqual(process.terminationStatus, 0, "\(arguments)")
                break
            }
            arguments = resume()
        }
        XCTAssertGreaterThanOrEqual(kills, min(3, maximumKills), "the run should have been killed a few times")
        print("\(first.first ?? ""): killed and resumed \(kills) times, then finished")
        return kills
    }

    private func containsCheckpoint(_ directory: URL, depth: Int) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        guard depth > 0 else { return names.contains { $0.hasSuffix(".ckpt") } }
        return names.contains { containsCheckpoint(directory.appendingPathComponent($0), depth: depth - 1) }
    }

    /// SIGKILL for `pid` and the processes it started (a sweep's trials), as a crash of the machine
    /// would end them: stopped first, so that it cannot start another while its children are listed.
    func killWithChildren(_ pid: Int32) {
        kill(pid, SIGSTOP)
        for child in children(of: pid) { kill(child, SIGKILL) }
        kill(pid, SIGKILL)
    }

    /// The processes `pid` started.
    func children(of pid: Int32) -> [Int32] {
        let lister = Process()
        lister.executableURL = URL(fileURLWithPath: "/usr/bin/pgrep")
        lister.arguments = ["-P", String(pid)]
        let pipe = Pipe()
        lister.standardOutput = pipe
        try? lister.run()
        lister.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
            .compactMap { Int32($0) }
    }

    /// The newest checkpoint and metrics.jsonl (speeds aside) of `killed` equal `straight`'s.
    func assertSameEnd(_ killed: URL, _ straight: URL, after kills: Int) throws {
        let final = "checkpoints/" + (try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: straight.path + "/checkpoints")
            .filter { $0.hasPrefix("step-") }.max()))
        XCTAssertEqual(try Data(contentsOf: killed.appendingPathComponent(final)), try Data(contentsOf: straight.appendingPathComponent(final)),
                       "\(killed.lastPathComponent): the final checkpoint after \(kills) kills")
        let metrics = { (url: URL) throws -> [String] in
            try String(contentsOf: url.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
                .map { $0.replacingOccurrences(of: #""[a-z_]*per_s":[0-9.e+-]+,?"#, with: "", options: .regularExpression) }
        }
        XCTAssertEqual(try metrics(killed), try metrics(straight), killed.lastPathComponent)
    }

    /// A small encoder–decoder that learns to reverse sentences of a few made-up words.
    private func reversalSpec(in directory: URL, epochs: Int) throws -> String {
        let words = ["sun", "moon", "star", "tree", "river", "stone", "bird", "wind"]
        var state: UInt64 = 7
        for (split, count) in [("train", 240), ("valid", 20), ("test", 20)] {
            let sentences = (0..<count).map { _ in
                (0..<4).map { _ in
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    return words[Int(state >> 33) % words.count]
                }
            }
            try (sentences.map { $0.joined(separator: " ") }.joined(separator: "\n") + "\n")
                .write(to: directory.appendingPathComponent("\(split).src"), atomically: true, encoding: .utf8)
            try (sentences.map { $0.reversed().joined(separator: " ") }.joined(separator: "\n") + "\n")
                .write(to: directory.appendingPathComponent("\(split).rev"), atomically: true, encoding: .utf8)
        }
        let spec = directory.appendingPathComponent("reverse.yaml")
        let files = directory.path
        try """
            name: reverse
            data: {corpus: reverse, source: src, target: rev, buckets: 2,
                   files: {train: "\(files)/train.{lang}", valid: "\(files)/valid.{lang}", test: "\(files)/test.{lang}"}}
            tokenizer: {kind: word}
            model: {kind: seq2seq, embedding: 16, hidden: 32, attention: additive}
            train: {batch_size: 16, epochs: \(epochs), optimizer: {kind: adam, lr: 0.01}, clip_grad_norm: 1.0}
            eval: {every_steps: 10, metrics: [loss, perplexity, bleu]}
            checkpoint: {every_steps: 7, keep: 2}
            """.write(to: spec, atomically: true, encoding: .utf8)
        return spec.path
    }
}
