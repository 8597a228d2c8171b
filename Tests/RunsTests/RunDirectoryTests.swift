import Core
import Foundation
@testable import Runs
import XCTest

final class RunDirectoryTests: TemporaryDirectoryTestCase {
    /// 2026-11-22 10:15:00 UTC.
    private let date = Date(timeIntervalSince1970: 1_795_342_500)
    private let utc = TimeZone(identifier: "UTC")!

    private var runs: URL { root.appendingPathComponent("runs") }

    func testNameCarriesTheStartTimeAndCollisionsGetASuffix() throws {
        let first = try RunDirectory.create(runsDirectory: runs, name: "gru_charlm", date: date, timeZone: utc)
        let second = try RunDirectory.create(runsDirectory: runs, name: "gru_charlm", date: date, timeZone: utc)
        let third = try RunDirectory.create(runsDirectory: runs, name: "gru_charlm", date: date, timeZone: utc)
        XCTAssertEqual(first.url.lastPathComponent, "gru_charlm-20261122-101500")
        XCTAssertEqual(second.url.lastPathComponent, "gru_charlm-20261122-101500-2")
        XCTAssertEqual(third.url.lastPathComponent, "gru_charlm-20261122-101500-3")
        XCTAssertEqual(try contents(of: first.url), ["checkpoints"])
    }

    func testTimeZoneDecidesTheClockInTheName() throws {
        let run = try RunDirectory.create(runsDirectory: runs, name: "x", date: date,
                                          timeZone: TimeZone(secondsFromGMT: 9 * 3600)!)
        XCTAssertEqual(run.url.lastPathComponent, "x-20261122-191500")
    }

    func testFilesHaveTheNamesOfTheDesign() throws {
        let run = try RunDirectory.create(runsDirectory: runs, name: "x", date: date, timeZone: utc)
        let names = [run.specURL, run.planURL, run.tokenizerURL, run.metricsURL, run.logURL, run.checkpointsURL,
                     run.summaryURL, run.samplesURL].map(\.lastPathComponent)
        XCTAssertEqual(names, ["spec.yaml", "plan.txt", "tokenizer.json", "metrics.jsonl", "log.txt", "checkpoints",
                               "summary.json", "samples.txt"])
        XCTAssertEqual(run.checkpoints.directory, run.checkpointsURL)
    }

    func testBadRunNamesAreRefused() {
        let problems = ["": "must not be empty", "a/b": "'a/b' must not contain '/'", "..": "must not be '..'",
                        "a\u{1B}b": "'a\\u{1B}b' must not contain control characters"]
        for (name, problem) in problems {
            XCTAssertThrowsError(try RunDirectory.create(runsDirectory: runs, name: name, date: date)) { error in
                XCTAssertEqual(error as? RunError, .invalidRunName(name, problem: problem))
                XCTAssertEqual((error as? RunError)?.exitCode, 64)
            }
        }
    }

    func testOpenRequiresASpec() throws {
        let run = try RunDirectory.create(runsDirectory: runs, name: "x", date: date, timeZone: utc)
        XCTAssertThrowsError(try RunDirectory.open(run.url)) { error in
            XCTAssertEqual(error as? RunError, .notARun(path: run.url.path))
            XCTAssertEqual((error as? RunError)?.exitCode, 64)
            XCTAssertTrue("\(error)".contains("no spec.yaml"))
        }
        try run.writeSpec("model: gru\n")
        XCTAssertEqual(try RunDirectory.open(run.url), run)
        XCTAssertEqual(try String(contentsOf: run.specURL, encoding: .utf8), "model: gru\n")
    }

    func testOpeningAMissingDirectoryOrAFileIsRefused() throws {
        let missing = runs.appendingPathComponent("nope")
        XCTAssertThrowsError(try RunDirectory.open(missing)) { error in
            XCTAssertEqual(error as? RunError, .missingRun(path: missing.path))
            XCTAssertEqual((error as? RunError)?.exitCode, 66)
        }
        let file = root.appendingPathComponent("file.txt")
        try Data("x".utf8).write(to: file)
        XCTAssertThrowsError(try RunDirectory.open(file)) { error in
            XCTAssertEqual(error as? RunError, .badFile(path: file.path, reason: "is a file, not a run directory; give the "
                + "directory that holds it"))
        }
    }

    func testSummaryIsRewrittenWholeAndSamplesAreAppended() throws {
        let run = try RunDirectory.create(runsDirectory: runs, name: "x", date: date, timeZone: utc)
        try run.writeSummary(["final": ["loss": 1.5], "wall_seconds": 12])
        try run.writeSummary(["final": ["loss": 1.25], "wall_seconds": 20, "git": "abc123"])
        let summary = try JSONValue(parsing: String(contentsOf: run.summaryURL, encoding: .utf8))
        XCTAssertEqual(summary, ["final": ["loss": 1.25], "wall_seconds": 20, "git": "abc123"])
        try run.appendSample(step: 500, text: "the time traveller")
        try run.appendSample(step: 1000, text: "the time machine")
        XCTAssertEqual(try String(contentsOf: run.samplesURL, encoding: .utf8),
                       "--- step 500 ---\nthe time traveller\n\n--- step 1000 ---\nthe time machine\n\n")
        try run.metricsWriter(tensorboard: false).append(["step": 1])
        try run.logWriter(echo: false).line("hello")
        try run.writePlan("plan\n")
        XCTAssertEqual(try contents(of: run.url),
                       ["checkpoints", "log.txt", "metrics.jsonl", "plan.txt", "samples.txt", "summary.json"])
    }

    /// A run resumed from step 500 generates the later samples again: they go first, the rest stays.
    func testTruncatingSamplesKeepsThoseUpToTheStep() throws {
        let run = try RunDirectory.create(runsDirectory: runs, name: "x", date: date, timeZone: utc)
        try run.truncateSamples(afterStep: 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.samplesURL.path))
        for step in [500, 1000, 1500] { try run.appendSample(step: step, text: "at \(step)\n--- not a header") }
        XCTAssertEqual(run.samples().map(\.step), [500, 1000, 1500])
        XCTAssertEqual(run.samples().first?.text, "at 500\n--- not a header")
        try run.truncateSamples(afterStep: 500)
        XCTAssertEqual(try String(contentsOf: run.samplesURL, encoding: .utf8), "--- step 500 ---\nat 500\n--- not a header\n\n")
        try run.truncateSamples(afterStep: 500)
        XCTAssertEqual(try String(contentsOf: run.samplesURL, encoding: .utf8), "--- step 500 ---\nat 500\n--- not a header\n\n")
    }

    /// A command's output may go beside a run's files, never over them.
    func testOutputsMayNotReplaceARunsFiles() throws {
        let run = try RunDirectory.create(runsDirectory: runs, name: "x", date: date, timeZone: utc)
        try run.writeSpec("name: x\n")
        try run.writePlan("plan\n")
        XCTAssertEqual(try RunDirectory.checkOutput(run.url.appendingPathComponent("curves.svg").path, flag: "--out").lastPathComponent,
                       "curves.svg")
        for (path, part) in [(run.specURL.path, "the spec.yaml"), (run.planURL.path, "the plan.txt"),
                             (run.metricsURL.path, "the metrics.jsonl"), (run.tokenizerURL(side: "source").path, "the tokenizer.source.json"),
                             (run.checkpointsURL.appendingPathComponent("step-000010.ckpt").path, "in the checkpoints/")] {
            XCTAssertThrowsError(try RunDirectory.checkOutput(path, flag: "--out")) { error in
                XCTAssertEqual(error as? RunError, .badFile(path: path, reason: "is \(part) of the run \(run.url.path), which --out "
                    + "would replace; write to another path"))
            }
        }
        // An export's directory holds a spec.yaml too, but no checkpoints/: writing it again is fine.
        let export = run.url.appendingPathComponent("export")
        try FileManager.default.createDirectory(at: export, withIntermediateDirectories: true)
        try Data("name: x\n".utf8).write(to: export.appendingPathComponent("spec.yaml"))
        XCTAssertNoThrow(try RunDirectory.checkOutput(export.appendingPathComponent("spec.yaml").path, flag: "--out"))
    }
}
