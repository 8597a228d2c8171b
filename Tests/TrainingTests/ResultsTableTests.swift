import Foundation
import Runs
import Spec
@testable import Training
import XCTest

/// `runner table` from hand-written run directories: the published number, the difference, the
/// tolerance verdict, parameters and wall time, as text and as Markdown; unfinished runs refused.
final class ResultsTableTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("table-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A finished run of `name` whose spec reproduces `published` ± `tolerance` on valid.loss.
    private func run(_ name: String, reproduces: (Double, Double)?, final: [String: JSONValue], wall: Double) throws -> String {
        let run = try RunDirectory.create(runsDirectory: directory, name: name)
        var yaml = "name: \(name)\ndata: {corpus: timemachine}\n"
        if let (value, tolerance) = reproduces {
            yaml += "reproduces: {metric: valid.loss, value: \(value), tolerance: \(tolerance), source: \"a paper\"}\n"
        }
        try run.writeSpec(try ExperimentSpec.parse(yaml, path: "x.yaml").resolvedYAML())
        try run.writeSummary(["final": .object(final), "parameters": .int(804_096), "wall_s": .double(wall)])
        return run.url.path
    }

    func testTextAndMarkdown() throws {
        let within = try run("baby", reproduces: (1.88, 0.02), final: ["valid.loss": .double(1.8820), "test.loss": .double(1.9)],
                             wall: 77)
        let outside = try run("names", reproduces: (1.92, 0.03), final: ["valid.loss": .double(1.9877)], wall: 300)
        let table = try ResultsTable(runs: [within, outside], metrics: [])
        XCTAssertEqual(table.text, """
            experiment  metric      ours    published        diff     ok  params   wall
            baby        valid.loss  1.8820  1.8800 ± 0.0200  +0.0020  ✓   804,096  77 s
            names       valid.loss  1.9877  1.9200 ± 0.0300  +0.0677  ✗   804,096  5.0 min
            """)
        XCTAssertEqual(table.markdown.split(separator: "\n")[2], "| baby | valid.loss | 1.8820 | 1.8800 ± 0.0200 | +0.0020 | ✓ | 804,096 | 77 s |")
        let chosen = try ResultsTable(runs: [within], metrics: ["test.loss", "train.loss"]).cells()
        XCTAssertEqual(chosen.map { Array($0.prefix(6)) }, [["baby", "test.loss", "1.9000", "–", "", ""],
                                                              ["baby", "train.loss", "–", "–", "", ""]])
    }

    func testAnUnfinishedRunIsNamed() throws {
        let run = try RunDirectory.create(runsDirectory: directory, name: "half")
        try run.writeSpec(try ExperimentSpec.parse("data: {corpus: timemachine}\n", path: "x.yaml").resolvedYAML())
        XCTAssertThrowsError(try ResultsTable(runs: [run.url.path], metrics: [])) {
            XCTAssertTrue("\($0)".contains("summary.json") && "\($0)".contains("has not finished"), "\($0)")
        }
    }
}
