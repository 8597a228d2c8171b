import Core
import Foundation
@testable import Runs
import XCTest

final class FileWritingTests: TemporaryDirectoryTestCase {
    func testAtomicWriteCreatesThenReplacesAndLeavesNoTemporaries() throws {
        let url = root.appendingPathComponent("summary.json")
        try atomicWrite(Data("first version, longer than the second".utf8), to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "first version, longer than the second")
        try atomicWrite(Data("second".utf8), to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "second")
        XCTAssertEqual(try contents(of: root), ["summary.json"])
    }

    func testAtomicWriteIntoAMissingDirectoryNamesTheFileAndTheDirectory() {
        let url = root.appendingPathComponent("absent/summary.json")
        XCTAssertThrowsError(try atomicWrite(Data("x".utf8), to: url)) { error in
            XCTAssertEqual(error as? RunError, .missingDirectory(path: url.path, directory: url.deletingLastPathComponent().path))
            XCTAssertEqual((error as? RunError)?.exitCode, 66)
        }
    }

    func testMetricsLinesAreSortedJSONThatParsesBack() throws {
        let url = root.appendingPathComponent("metrics.jsonl")
        let writer = try MetricsWriter(url: url)
        try writer.append(["step": 1, "split": "train", "loss": 4.25, "lr": 0.001, "clipped": true])
        try writer.append(["step": 2, "split": "valid", "loss": 3.5, "ppl": .double(.nan)], sync: true)
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(text, """
            {"clipped":true,"loss":4.25,"lr":0.001,"split":"train","step":1}
            {"loss":3.5,"ppl":null,"split":"valid","step":2}

            """)
        // An independent parser must agree that each line is one JSON object.
        for line in text.split(separator: "\n") {
            XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        let events = try MetricsWriter.read(url)
        XCTAssertEqual(events.count, 2)
        XCTAssertEqual(events[0], ["step": 1, "split": "train", "loss": 4.25, "lr": 0.001, "clipped": true])
        XCTAssertEqual(events[1]["ppl"], .null)
    }

    func testMetricsWriterAppendsToAnExistingFile() throws {
        let url = root.appendingPathComponent("metrics.jsonl")
        try MetricsWriter(url: url).append(["step": 1])
        try MetricsWriter(url: url).append(["step": 2])
        XCTAssertEqual(try MetricsWriter.read(url).map { $0["step"] }, [1, 2])
    }

    func testTruncatingMetricsDropsLaterStepsTheTestScoreAndAPartialLastLine() throws {
        let url = root.appendingPathComponent("metrics.jsonl")
        let writer = try MetricsWriter(url: url)
        try writer.append(["event": "start"])
        for step in 1...4 { try writer.append(["step": .int(step), "loss": .double(Double(step))]) }
        // The test score of a run killed after its last checkpoint, at that checkpoint's step.
        try writer.append(["step": .int(2), "split": "test", "loss": .double(2.5)])
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"step\":5,\"lo".utf8))
        try handle.close()
        try MetricsWriter.truncate(url, afterStep: 2)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), """
            {"event":"start"}
            {"loss":1.0,"step":1}
            {"loss":2.0,"step":2}

            """)
    }

    /// A line cut short at the end (a kill mid-write, no newline after it) is passed over; the same
    /// text anywhere else is an error with its line number.
    func testMalformedMetricsLineIsReportedWithItsLineNumber() throws {
        let url = root.appendingPathComponent("metrics.jsonl")
        try Data("{\"step\":1}\n{\"step\":2,\"lo".utf8).write(to: url)
        XCTAssertEqual(try MetricsWriter.read(url).count, 1)
        try Data("{\"step\":1}\nnot json\n".utf8).write(to: url)
        XCTAssertThrowsError(try MetricsWriter.read(url)) { error in
            XCTAssertEqual(error as? RunError, .badFile(path: url.path + ":2", reason: "not a JSON object"))
        }
    }

    func testLogWriterAppendsLines() throws {
        let url = root.appendingPathComponent("log.txt")
        let log = try LogWriter(url: url, echo: false)
        try log.line("step 1 loss 4.2")
        try log.line("step 2 loss 3.9", sync: true)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "step 1 loss 4.2\nstep 2 loss 3.9\n")
    }
}
