import Core
import Foundation
import Runs
import Spec
@testable import Studies
import XCTest

/// `runner table` from hand-written run directories: the published number, the difference, the
/// tolerance verdict, parameters and wall time; the keys that tell runs of one experiment apart,
/// final and best metrics, sorting; as text, Markdown and CSV; unfinished runs and unknown sort
/// metrics refused.
final class ResultsTableTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("table-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A finished run in `directory/<path>` of the experiment `name`, with `settings` (YAML lines)
    /// in its spec, `final` and `best` metrics in its summary and `events` in its metrics.jsonl.
    private func run(_ path: String, name: String, settings: String = "", reproduces: (Double, Double)? = nil,
                     final: [String: JSONValue], best: [String: JSONValue]? = nil, events: [String] = [],
                     wall: Double = 77) throws -> RunDirectory {
        var settings = settings
        if let (value, tolerance) = reproduces {
            settings += "reproduces: {metric: valid.loss, value: \(value), tolerance: \(tolerance), source: \"a paper\"}\n"
        }
        let run = try RunFixtures.run(at: directory.appendingPathComponent(path), name: name, settings: settings, events: events)
        var summary: [String: JSONValue] = ["final": .object(JSONObject(final)), "parameters": .int(804_096), "wall_s": .double(wall)]
        if let best { summary["best"] = .object(JSONObject(best)) }
        try run.writeSummary(summary)
        return run
    }

    func testTextAndMarkdown() throws {
        let within = try run("baby-1", name: "baby", reproduces: (1.88, 0.02),
                             final: ["valid.loss": .double(1.8820), "test.loss": .double(1.9)], wall: 77)
        let outside = try run("names-1", name: "names", reproduces: (1.92, 0.03), final: ["valid.loss": .double(1.9877)], wall: 300)
        let table = try ResultsTable(runs: [within, outside])
        XCTAssertEqual(table.text, """
            experiment  metric      ours    published        diff     ok  params   wall
            baby        valid.loss  1.8820  1.8800 ± 0.0200  +0.0020  ✓   804,096  77 s
            names       valid.loss  1.9877  1.9200 ± 0.0300  +0.0677  ✗   804,096  5.0 min
            """)
        XCTAssertEqual(table.markdown.split(separator: "\n")[2],
                       "| baby | valid.loss | 1.8820 | 1.8800 ± 0.0200 | +0.0020 | ✓ | 804,096 | 77 s |")
        // Chosen metrics come before the reproduction: final and best, "–" where the run has none.
        let chosen = try ResultsTable(runs: [within, outside], metrics: ["test.loss"])
        XCTAssertEqual(chosen.columns.map(\.header), ["experiment", "test.loss", "best test.loss", "metric", "ours", "published",
                                                      "diff", "ok", "params", "wall"])
        XCTAssertEqual(chosen.cells().map { $0.prefix(5).map(\.text) }, [["baby", "1.9000", "–", "valid.loss", "1.8820"],
                                                                          ["names", "–", "–", "valid.loss", "1.9877"]])
        // A metric no run recorded is a typo, not a column of dashes.
        XCTAssertThrowsError(try ResultsTable(runs: [within, outside], metrics: ["valid.los"])) { error in
            XCTAssertEqual(error as? ComparisonError, .unknownMetric("valid.los", option: "--metrics",
                                                                     available: ["test.loss", "valid.loss"]))
        }
    }

    /// A sweep's directory stands for its runs in name order; the key that differs becomes a column,
    /// best comes from summary.json or else metrics.jsonl, and --sort puts runs without the metric last.
    func testASweepSortedWithItsDifferingKey() throws {
        _ = try run("sweep/trial-000", name: "gru", settings: "train: {optimizer: {lr: 0.5}}\n",
                    final: ["valid.loss": .double(1.5)], best: ["valid.loss": .double(1.45)])
        _ = try run("sweep/trial-001", name: "gru", settings: "train: {optimizer: {lr: 2.0}}\n",
                    final: ["valid.loss": .double(1.2)],
                    events: [#"{"loss":1.1,"split":"valid","step":10}"#, #"{"loss":1.2,"split":"valid","step":20}"#])
        _ = try run("sweep/trial-002", name: "gru", final: ["train.loss": .double(1.0)])
        try Data("{}\n".utf8).write(to: directory.appendingPathComponent("sweep/sweep.jsonl"))
        let runs = try RunCollection.runs(in: [directory.appendingPathComponent("sweep").path])
        XCTAssertEqual(runs.map(\.url.lastPathComponent), ["trial-000", "trial-001", "trial-002"])
        let table = try ResultsTable(runs: runs, sortedBy: "valid.loss")
        XCTAssertEqual(table.text, """
            experiment  run        train.optimizer.lr  valid.loss  best valid.loss  params   wall
            gru         trial-001  2.0                 1.2000      1.1000           804,096  77 s
            gru         trial-000  0.5                 1.5000      1.4500           804,096  77 s
            gru         trial-002  0.1                 –           –                804,096  77 s
            """)
        XCTAssertThrowsError(try ResultsTable(runs: runs, sortedBy: "valid.bleu")) { error in
            XCTAssertEqual(error as? ComparisonError,
                           .unknownMetric("valid.bleu", option: "--sort", available: ["train.loss", "valid.loss"]))
            XCTAssertEqual((error as? ComparisonError)?.exitCode, 64)
        }
    }

    /// BLEU and correlations improve upward: their best is the highest value, and --sort puts the highest first.
    func testBestAndSortFollowTheMetricsDirection() throws {
        _ = try run("mt/trial-000", name: "mt", settings: "seed: 1\n", final: ["valid.bleu": .double(30)],
                    events: [#"{"bleu":31.5,"loss":2.0,"split":"valid","step":10}"#, #"{"bleu":30,"loss":1.9,"split":"valid","step":20}"#])
        _ = try run("mt/trial-001", name: "mt", settings: "seed: 2\n", final: ["valid.bleu": .double(33)],
                    events: [#"{"bleu":33,"loss":1.8,"split":"valid","step":10}"#])
        let table = try ResultsTable(runs: try RunCollection.runs(in: [directory.appendingPathComponent("mt").path]),
                                     metrics: ["valid.bleu", "valid.loss"], sortedBy: "valid.bleu")
        XCTAssertEqual(table.cells().map { $0.prefix(7).map(\.text) }, [
            ["mt", "trial-001", "2", "33.0000", "33.0000", "–", "1.8000"],
            ["mt", "trial-000", "1", "30.0000", "31.5000", "–", "1.9000"],
        ])
        XCTAssertTrue(MetricDirection.lowerIsBetter("valid.free_ppl"))
        XCTAssertTrue(MetricDirection.lowerIsBetter("valid.wordsim353.oov"))
        XCTAssertTrue(MetricDirection.lowerIsBetter("valid.mlm_loss"))
        XCTAssertTrue(MetricDirection.lowerIsBetter("valid.mlm_ppl"))
        XCTAssertFalse(MetricDirection.lowerIsBetter("valid.mlm_accuracy"))
        XCTAssertFalse(MetricDirection.lowerIsBetter("valid.macro_f1"))
        XCTAssertFalse(MetricDirection.lowerIsBetter("valid.analogy.section.family"))
        XCTAssertFalse(MetricDirection.lowerIsBetter("accuracy"))
    }

    /// RFC 4180: CRLF, quoted fields where a comma or a quote occurs, quotes doubled; numbers unrounded.
    func testCSV() throws {
        let first = try run("a", name: "csv", settings: "sample: {prompt: 'say \"hi\"'}\n", final: ["valid.loss": .double(1.23456)],
                            wall: 300)
        let second = try run("b", name: "csv", settings: "eval: {metrics: [loss]}\n", final: [:])
        XCTAssertEqual(try ResultsTable(runs: [first, second]).csv, [
            "experiment,run,eval.metrics,sample.prompt,valid.loss,best valid.loss,params,wall_s",
            #"csv,a,"[loss, perplexity]","""say \""hi\""""",1.23456,,804096,300.0"#,
            #"csv,b,[loss],"""""",,,804096,77.0"#,
        ].joined(separator: "\r\n") + "\r\n")
    }

    func testAnUnfinishedRunIsNamed() throws {
        let run = try RunDirectory.create(runsDirectory: directory, name: "half")
        try run.writeSpec(try ExperimentSpec.parse("data: {corpus: timemachine}\n", path: "x.yaml").resolvedYAML())
        XCTAssertThrowsError(try ResultsTable(runs: [run])) {
            XCTAssertTrue("\($0)".contains("summary.json") && "\($0)".contains("has not finished"), "\($0)")
        }
    }
}
