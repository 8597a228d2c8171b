import Core
import Foundation
import Runs
import Spec
@testable import Studies
import XCTest

/// `runner report` from hand-written run and sweep directories: what the page shows of each, that
/// it escapes what runs wrote, that it fetches and runs nothing, and that its markup is balanced.
final class RunReportTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A run with train and valid curves of loss and ppl, the learning rate, and (unless nil) a summary.
    private func run(_ path: String, settings: String, validLoss: Double?, lr: Double = 1) throws -> RunDirectory {
        let events = (1...4).flatMap { step in
            let loss = 3.0 - Double(step) * 0.2
            return [#"{"loss":\#(loss),"lr":\#(lr),"ppl":\#(exp(loss)),"split":"train","step":\#(step * 10)}"#,
                    #"{"loss":\#(loss + 0.1),"ppl":\#(exp(loss + 0.1)),"split":"valid","step":\#(step * 10)}"#]
        }
        let run = try RunFixtures.run(at: directory.appendingPathComponent(path), name: "gru", settings: settings, events: events)
        if let validLoss {
            try run.writeSummary(["final": ["valid.loss": .double(validLoss), "train.loss": 2.2], "parameters": 64_284, "wall_s": 8.0])
        }
        return run
    }

    func testARunPageShowsWhatTheRunLeft() throws {
        let run = try run("gru-1", settings: """
            model: {kind: rnn_lm, hidden: 64}
            reproduces: {metric: valid.loss, value: 2.3, tolerance: 0.1, source: "a <paper>"}\n
            """, validLoss: 2.35)
        try Data("--- step 10 ---\nthe first\n\n--- step 40 ---\n<script>alert(1)</script> & the\nlast\n\n".utf8).write(to: run.samplesURL)
        try Data("parameters\n  wte.weight  (4, 2)  8\n  total  8\nflops per training step  1 GFLOP\n".utf8).write(to: run.planURL)
        let html = try RunReport(paths: [run.url.path]).html

        XCTAssertTrue(html.contains("rnn_lm · 64,284 parameters · step 40 · finished in 8 s"), html)
        XCTAssertTrue(html.contains("<tr><th>valid</th><td>2.3500</td></tr>"), "final metrics by split")
        XCTAssertTrue(html.contains("(a &lt;paper&gt;); ours: 2.3500 <span class=\"ok\">✓ within the tolerance</span>"))
        // Two curves (loss, ppl); the learning rate under the first only.
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 2)
        XCTAssertEqual(html.components(separatedBy: ">learning rate<").count - 1, 1)
        // The newest sample shown, the older behind a summary; what the run wrote is text, never markup.
        XCTAssertTrue(html.contains("<p>step 40</p><pre>&lt;script&gt;alert(1)&lt;/script&gt; &amp; the\nlast</pre>"))
        XCTAssertTrue(html.contains("<details><summary>step 10</summary><pre>the first</pre></details>"))
        XCTAssertTrue(html.contains("<pre>flops per training step  1 GFLOP</pre>"), "the plan's totals, its listing folded")
        // The keys set away from the defaults, in the table and marked in spec.yaml; a default key is not.
        XCTAssertTrue(html.contains("<tr><td class=\"text\">model.hidden</td><td class=\"text\">64</td><td class=\"text\">256</td></tr>"))
        XCTAssertTrue(html.contains("<mark>  hidden: 64</mark>"))
        XCTAssertTrue(html.contains("\n  layers: 1\n"), "an unset key, unmarked")
        XCTAssertFalse(html.contains("<td class=\"text\">model.layers</td>"))
        assertSelfContainedAndBalanced(html)
    }

    func testAnUnfinishedRunIsShownAsFarAsItGot() throws {
        let run = try run("gru-2", settings: "", validLoss: nil)
        let html = try RunReport(paths: [run.url.path]).html
        XCTAssertTrue(html.contains("step 40 · not finished (no summary.json yet)"))
        XCTAssertFalse(html.contains("<h3>Results</h3>"))
        XCTAssertTrue(html.contains("<tr><td class=\"text\">data.corpus</td><td class=\"text\">timemachine</td>"))
        XCTAssertFalse(html.contains("<td class=\"text\">model.hidden</td>"), "at its default")
        assertSelfContainedAndBalanced(html)
    }

    /// Finished trials best first by the sweep's metric, the rest with their status, one curve per
    /// trial; a trial's own page marks the keys the sweep set.
    func testASweepAndItsTrials() throws {
        let sweep = SweepDirectory(url: directory.appendingPathComponent("lr"))
        try FileManager.default.createDirectory(at: sweep.url, withIntermediateDirectories: true)
        try sweep.writeHeader(["name": "lr", "method": "grid", "metric": "valid.loss", "goal": "minimize"])
        var trials = [0.5, 2.0, 4.0].enumerated().map { SweepTrial(index: $0.offset, overrides: ["train.optimizer.lr=\($0.element)"]) }
        // Trial 1 finished under Slurm, whose tasks leave sweep.jsonl alone: only its summary.json says so.
        trials[0].status = .done
        try sweep.write(trials)
        for (index, (lr, loss)) in [(0.5, 2.5), (2.0, 2.1)].enumerated() {
            _ = try run("lr/trial-00\(index)", settings: "train: {optimizer: {lr: \(lr)}}\n", validLoss: loss, lr: lr)
        }
        let html = try RunReport(paths: [sweep.url.path]).html
        XCTAssertTrue(html.contains("grid search over 3 trials (2 done, 1 pending) · metric valid.loss, minimize"))
        let rows = html.components(separatedBy: "\n").filter { $0.hasPrefix("<tr><td class=\"text\">gru</td>") }
        XCTAssertEqual(rows.map { $0.contains("trial-001") }, [true, false], "best first")
        XCTAssertTrue(html.contains("<tr><td class=\"text\">trial-002</td><td class=\"text\">pending</td><td class=\"text\">train.optimizer.lr=4.0</td></tr>"))
        XCTAssertEqual(html.components(separatedBy: "<svg").count - 1, 1, "valid.loss: the loss, one curve per trial and split")
        assertSelfContainedAndBalanced(html)

        let trial = try RunReport(paths: [sweep.url.appendingPathComponent("trial-001").path]).html
        XCTAssertTrue(trial.contains("<mark class=\"sweep\">    lr: 2.0</mark>"), "the sweep's key, marked apart")
        // Two runs named together: a comparison first.
        let both = try RunReport(paths: [sweep.url.appendingPathComponent("trial-000").path, sweep.url.appendingPathComponent("trial-001").path]).html
        XCTAssertTrue(both.contains("<h2>The runs side by side</h2>"))
        XCTAssertEqual(both.components(separatedBy: "<section").count - 1, 3)
    }

    func testRunsWithoutMetricsOrWithADamagedSummaryAreRefused() throws {
        let bare = try RunFixtures.run(at: directory.appendingPathComponent("bare"), name: "gru")
        XCTAssertThrowsError(try RunReport(paths: [bare.url.path])) { error in
            XCTAssertEqual(error as? ComparisonError, .noMetrics(path: bare.metricsURL.path))
        }
        let damaged = try run("damaged", settings: "", validLoss: nil)
        try Data("[1, 2]".utf8).write(to: damaged.summaryURL)
        XCTAssertThrowsError(try RunReport(paths: [damaged.url.path])) { error in
            XCTAssertTrue("\(error)".contains("summary.json: not a JSON object"), "\(error)")
        }
    }

    /// Nothing fetched or run (the SVG namespace is a name, not a request), and every element closed
    /// in order, `<meta>` being void and SVG's `<…/>` closing itself.
    private func assertSelfContainedAndBalanced(_ html: String, file: StaticString = #filePath, line: UInt = #line) {
        // url(#id) is the SVG's reference to its own clip path.
        let page = html.replacingOccurrences(of: "url(#", with: "")
        for forbidden in ["<script", "<link", "<img", "<iframe", "src=", "url(", "@import"] {
            XCTAssertFalse(page.contains(forbidden), "contains \(forbidden)", file: file, line: line)
        }
        XCTAssertEqual(html.components(separatedBy: "http").count - 1, html.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count - 1,
                       "only the SVG namespace", file: file, line: line)
        guard let tags = try? NSRegularExpression(pattern: "<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>") else {
            return XCTFail("the tag pattern", file: file, line: line)
        }
        var open: [String] = []
        for match in tags.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            let part = { (index: Int) in Range(match.range(at: index), in: html).map { String(html[$0]) } ?? "" }
            let (closing, name, selfClosing) = (part(1) == "/", part(2).lowercased(), part(3) == "/")
            if selfClosing || name == "meta" { continue }
            if !closing { open.append(name); continue }
            guard open.last == name else {
                return XCTFail("</\(name)> closes <\(open.last ?? "nothing")>", file: file, line: line)
            }
            open.removeLast()
        }
        XCTAssertEqual(open, [], "unclosed", file: file, line: line)
    }
}
