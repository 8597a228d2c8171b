import Foundation
import XCTest

/// The built `runner` binary, run as a user runs it: output snapshots and exit codes.
final class RunnerTests: XCTestCase {
    /// The executable sits in the build directory beside the test bundle (Bundle.main is that directory).
    var runner: URL {
        Bundle.main.bundleURL.appendingPathComponent("runner")
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `runner arguments` from `directory` (the package root unless given) with `input` on standard
    /// input; returns (exit code, stdout, stderr).
    func run(_ arguments: [String], input: String = "", environment: [String: String] = [:],
             directory: URL = packageRoot) throws -> (Int32, String, String) {
        try run(arguments, inputBytes: Data(input.utf8), environment: environment, directory: directory)
    }

    /// `run` with standard input of any bytes (a String holds only valid UTF-8).
    func run(_ arguments: [String], inputBytes data: Data, environment: [String: String] = [:],
             directory: URL = packageRoot) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = runner
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.currentDirectoryURL = directory
        let (out, err, inPipe) = (Pipe(), Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inPipe
        try process.run()
        // Written from another thread: a large input must not block while the runner's output fills its pipe.
        let writer = inPipe.fileHandleForWriting
        DispatchQueue.global().async {
            writer.write(data)
            try? writer.close()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // A process ended by a signal (a trap is SIGILL or SIGTRAP) reports 128 + the signal, as a shell does.
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return (status, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// Each command exits with its code and says its message on stderr (with `onFirstLine`, in its
    /// first line: the error itself, not a later hint), never with a Swift trap.
    func assertRefusals(_ cases: [([String], Int32, String)], onFirstLine: Bool = false, file: StaticString = #filePath,
                        line: UInt = #line) throws {
        for (arguments, expected, message) in cases {
            let (code, _, stderr) = try run(arguments)
            let command = "runner " + arguments.joined(separator: " ")
            let said = onFirstLine ? String(stderr.split(separator: "\n").first ?? "") : stderr
            XCTAssertEqual(code, expected, "\(command): \(stderr)", file: file, line: line)
            XCTAssertTrue(said.contains(message), "\(command) said: \(stderr)", file: file, line: line)
            XCTAssertFalse(stderr.contains("Fatal error") || stderr.contains("Stack dump"), stderr, file: file, line: line)
        }
    }

    private func snapshot(_ name: String) throws -> String {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "txt", subdirectory: "Snapshots"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    func testHelpMatchesItsSnapshot() throws {
        let (code, stdout, _) = try run(["--help"])
        XCTAssertEqual(code, 0)
        XCTAssertEqual(stdout, try snapshot("help"), "update Tests/RunnerTests/Snapshots/help.txt if the change is meant")
        XCTAssertEqual(try run(["help"]).2, "")
        XCTAssertTrue(try run(["help", "resume"]).1.hasPrefix("runner resume RUN_DIR"))
    }

    func testCheckOfTheDefaultExperimentMatchesItsSnapshot() throws {
        let (code, stdout, stderr) = try run(["check", "experiments/gru_charlm.yaml"])
        XCTAssertEqual(code, 0, stderr)
        XCTAssertEqual(stdout, try snapshot("check_gru_charlm"),
                       "update Tests/RunnerTests/Snapshots/check_gru_charlm.txt if the change is meant")
        // A spec given through a pipe is read once: a second read would find it empty.
        let piped = try run(["check", "/dev/stdin"],
                            input: try String(contentsOf: Self.packageRoot.appendingPathComponent("experiments/gru_charlm.yaml"),
                                              encoding: .utf8))
        XCTAssertEqual(piped.0, 0, piped.2)
        XCTAssertEqual(piped.1, stdout)
        // `--flag=value` is `--flag value`, the value keeping its own '='.
        let attached = try run(["check", "experiments/gru_charlm.yaml", "--set=model.hidden=17"])
        let apart = try run(["check", "experiments/gru_charlm.yaml", "--set", "model.hidden=17"])
        XCTAssertEqual(attached.0, 0, attached.2)
        XCTAssertEqual(attached.1, apart.1)
        XCTAssertNotEqual(attached.1, stdout)
    }

    /// `runner check SWEEP.yaml` checks the sweep (and its base) and lists its trials.
    func testCheckOfASweepListsItsTrials() throws {
        let (code, stdout, stderr) = try run(["check", "experiments/sweeps/gru_lr.yaml"])
        XCTAssertEqual(code, 0, stderr)
        let lines = stdout.split(separator: "\n")
        XCTAssertTrue(lines.first?.hasPrefix("sweep gru_lr: grid over train.optimizer.lr, model.hidden") ?? false, stdout)
        XCTAssertEqual(lines.count, 7, stdout)
        XCTAssertEqual(lines[1], "  trial-000  train.optimizer.lr=0.5 model.hidden=128 train.epochs=100 eval.every_steps=50")
    }

    private var runs: URL { FileManager.default.temporaryDirectory.appendingPathComponent("runner-tests-runs") }

    /// `runner bleu` prints sacreBLEU's line for any two files, and refuses what it cannot pair.
    func testBLEUOfTwoFiles() throws {
        let bleu = "../shared/fixtures/bleu/"
        let (code, stdout, stderr) = try run(["bleu", "--ref", bleu + "ref.tok.en", "--hyp", bleu + "h3.en", "--tokenize", "none"])
        XCTAssertEqual(code, 0, stderr)
        // sacreBLEU 2.6's line for h3 (expected.json).
        XCTAssertEqual(stdout, "BLEU = 41.73 100.0/73.4/54.2/40.8 (BP = 0.658 ratio = 0.705 hyp_len = 9137 ref_len = 12968)\n")
        let (sentences, lines, _) = try run(["bleu", "--ref", bleu + "ref.tok.en", "--hyp", bleu + "h1.en", "--sentence"])
        XCTAssertEqual(sentences, 0)
        XCTAssertEqual(lines.split(separator: "\n").count, 1000)
        let short = FileManager.default.temporaryDirectory.appendingPathComponent("bleu-\(UUID().uuidString).en")
        try "a man .\na dog .\n".write(to: short, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: short) }
        try assertRefusals([
            (["bleu", "--ref", bleu + "ref.tok.en"], 64, "error: bleu needs --ref REFERENCE and --hyp HYPOTHESES"),
            (["bleu", "--ref", bleu + "ref.tok.en", "--hyp", bleu + "h1.en", "--tokenize", "intl"], 64,
             "error: --tokenize takes none or 13a (got 'intl')"),
            (["bleu", "--ref", bleu + "ref.tok.en", "--hyp", short.path], 64,
             "\(short.path) has 2 lines but ../shared/fixtures/bleu/ref.tok.en has 1000"),
            (["bleu", "--ref", "/nonexistent/ref.en", "--hyp", bleu + "h1.en"], 66, "cannot read /nonexistent/ref.en"),
            (["bleu", "extra", "--ref", "a", "--hyp", "b"], 64, "bleu takes no argument 'extra'"),
        ])
    }

    /// A tiny run trained through the binary, then sampled and evaluated the ways a user can get wrong.
    func testSampleAndEvalOfARun() throws {
        let runs = runs.appendingPathComponent(UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: runs) }
        let (trained, _, trainError) = try run(["experiments/gru_charlm.yaml", "--runs-dir", runs.path, "--name", "tiny",
                                                "--set", "model.hidden=8", "--set", "data.max_chars=2000",
                                                "--set", "train.batch_size=4", "--set", "train.seq_len=10",
                                                "--set", "train.epochs=1", "--set", "checkpoint.every_steps=10"])
        XCTAssertEqual(trained, 0, trainError)
        let directory = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: runs.path).first)
        let path = runs.appendingPathComponent(directory).path
        let cases: [([String], Int32, String)] = [
            // normalize: letters leaves nothing of these prompts to condition on.
            (["sample", path, "--prompt", ""], 64, "--prompt"),
            (["sample", path, "--prompt", "123 !?"], 64, "has no tokens"),
            (["sample", path, "--prompt", "time", "--top-k", "1000", "--length", "0"], 0, "0 tokens"),
            (["eval", path, "--split", "valid"], 64, "the valid split has too little data for one batch"),
            // An output path over one of the run's own files.
            (["plot", path, "--out", path + "/metrics.jsonl"], 64, "is the metrics.jsonl of the run"),
            (["report", path, "--out", path + "/spec.yaml"], 64, "which --out would replace"),
            (["export", path, "--format", "safetensors", "--out", path], 64, "is the spec.yaml of the run"),
            (["sample", path, "--stop", ""], 64, "--stop needs a non-empty string"),
            (["eval", path, "--task", ""], 64, "--task needs a .jsonl file's path"),
        ]
        try assertRefusals(cases)
        // A run still training (no summary yet) beside it is left out of a table of the directory, and said.
        let unfinished = runs.appendingPathComponent("unfinished")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: path), to: unfinished)
        try FileManager.default.removeItem(at: unfinished.appendingPathComponent("summary.json"))
        let (listed, table, tableError) = try run(["table", runs.path])
        XCTAssertEqual(listed, 0, tableError)
        XCTAssertTrue(tableError.contains("note: left out (no summary.json: still training, stopped or failed): unfinished") && table.contains("gru_charlm"), table + tableError)
        // A damaged newest checkpoint: sample and eval fall back to the one before, and say so.
        let checkpoints = URL(fileURLWithPath: path).appendingPathComponent("checkpoints")
        let newest = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: checkpoints.path).sorted().last)
        try Data("SEQLABCK".utf8).write(to: checkpoints.appendingPathComponent(newest))
        for arguments in [["sample", path, "--prompt", "time", "--length", "5"], ["eval", path, "--split", "train"]] {
            let (code, _, stderr) = try run(arguments)
            XCTAssertEqual(code, 0, stderr)
            XCTAssertTrue(stderr.contains("warning: skipped") && stderr.contains(newest),
                          "runner \(arguments.joined(separator: " ")) said: \(stderr)")
        }
    }

    /// A corpus given by a relative path is recorded in spec.yaml as an absolute one, so the run is
    /// evaluated and resumed from any directory, not only the one it was trained from.
    func testARunFindsItsRelativeCorpusFromAnotherDirectory() throws {
        let work = runs.appendingPathComponent(UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.createDirectory(at: work.appendingPathComponent("text"), withIntermediateDirectories: true)
        let words = ["the", "time", "traveller", "spoke", "of", "a", "machine", "that", "moves", "through", "ages"]
        let corpus = (0..<400).map { words[($0 * 7) % words.count] }.joined(separator: " ")
        try corpus.write(to: work.appendingPathComponent("text/corpus.txt"), atomically: true, encoding: .utf8)
        let spec = Self.packageRoot.appendingPathComponent("experiments/gru_charlm.yaml").path
        let (trained, _, trainError) = try run([spec, "--run-dir", "run", "--set", "data.corpus=./text/../text/corpus.txt",
                                                "--set", "model.hidden=8", "--set", "train.batch_size=4",
                                                "--set", "train.seq_len=10", "--set", "train.epochs=1"], directory: work)
        XCTAssertEqual(trained, 0, trainError)
        let trainedRun = work.appendingPathComponent("run")
        let recorded = try String(contentsOf: trainedRun.appendingPathComponent("spec.yaml"), encoding: .utf8)
        XCTAssertTrue(recorded.contains("corpus: \"\(work.appendingPathComponent("text/corpus.txt").path)\""), recorded)
        let (code, stdout, stderr) = try run(["eval", trainedRun.path, "--split", "train"])
        XCTAssertEqual(code, 0, stderr)
        XCTAssertTrue(stdout.hasPrefix("train loss"), stdout)
    }
}
