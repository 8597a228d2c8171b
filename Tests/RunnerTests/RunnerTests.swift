import Foundation
import XCTest

/// The built `runner` binary, run as a user runs it: output snapshots and exit codes.
final class RunnerTests: XCTestCase {
    /// The executable sits in the build directory beside the test bundle (Bundle.main is that directory).
    private var runner: URL {
        Bundle.main.bundleURL.appendingPathComponent("runner")
    }

    /// Runs `runner arguments` from the package root; returns (exit code, stdout, stderr).
    private func run(_ arguments: [String]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = runner
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let (out, err) = (Pipe(), Pipe())
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
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
    }

    func testExitCodesAndMessages() throws {
        let cases: [([String], Int32, String)] = [
            (["check"], 64, "error: check needs a spec file"),
            (["help", "trian"], 64, "error: no command 'trian'"),
            (["experiments/gru_charlm.yaml", "--bogus", "1"], 64, "error: unknown option '--bogus'"),
            (["experiments/gru_charlm.yaml", "--set", "lr"], 64, "error: --set takes key=value"),
            (["check", "experiments/gru_charlm.yaml", "--set", "model.hiden=3"], 64,
             "--set:1:7: error: unknown key 'hiden' in 'model' (did you mean 'hidden'?)"),
            (["check", "experiments/nothing.yaml"], 66, "experiments/nothing.yaml: error: cannot read spec file"),
            (["check", "experiments/gru_charlm.yaml", "--set", "data.corpus=/nonexistent/corpus.txt"], 66, "/nonexistent/corpus.txt"),
            (["sample", "/nonexistent/run"], 66, "error: no run directory at /nonexistent/run"),
            (["sample", "experiments", "--length", "x"], 64, "error: --length got 'x'"),
            (["eval", "experiments", "--split", "dev"], 64, "error: --split takes train, valid or test"),
            (["resume", "experiments"], 64, "is not a SeqLab run directory"),
            (["check", "experiments/gru_charlm.yaml", "--set", "train.batch_size=100000"], 64, "lower train.batch_size"),
            (["check", "experiments/gru_charlm.yaml", "--set", "model.kind=gpt"], 64, "model kind 'gpt' is not supported yet"),
        ]
        for (arguments, expected, message) in cases {
            let (code, _, stderr) = try run(arguments)
            XCTAssertEqual(code, expected, "runner \(arguments.joined(separator: " ")): \(stderr)")
            XCTAssertTrue(stderr.contains(message), "runner \(arguments.joined(separator: " ")) said: \(stderr)")
            XCTAssertFalse(stderr.contains("Fatal error") || stderr.contains("Stack dump"), stderr)
        }
    }
}
