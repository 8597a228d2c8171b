import Foundation
import XCTest

/// `runner table` and `runner plot` through the binary, on a hand-written sweep directory: what they
/// print and write, and the paths, flags and runs they refuse, with the usual exit codes.
extension RunnerTests {
    /// A finished run of `gru` at `lr` whose valid loss fell to `validLoss`, or a run that has
    /// logged nothing when `validLoss` is nil.
    private func writeRun(_ url: URL, lr: String, validLoss: Double?) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Data("name: gru\ndata: {corpus: timemachine}\ntrain: {optimizer: {lr: \(lr)}}\n".utf8)
            .write(to: url.appendingPathComponent("spec.yaml"))
        guard let validLoss else { return }
        try Data(#"{"final": {"valid.loss": \#(validLoss)}, "parameters": 1000, "wall_s": 5.0}"#.utf8)
            .write(to: url.appendingPathComponent("summary.json"))
        let events = [#"{"loss":\#(validLoss + 1),"lr":\#(lr),"ppl":9.0,"split":"train","step":10}"#,
                      #"{"loss":\#(validLoss),"lr":\#(lr),"ppl":5.0,"split":"train","step":20}"#,
                      #"{"loss":\#(validLoss),"ppl":5.0,"split":"valid","step":20}"#]
        try Data(events.map { $0 + "\n" }.joined().utf8).write(to: url.appendingPathComponent("metrics.jsonl"))
    }

    /// A temporary directory holding `sweep/` with two finished trials and its sweep.jsonl.
    private func makeSweep() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("compare-\(UUID().uuidString)")
        let sweep = root.appendingPathComponent("sweep")
        try writeRun(sweep.appendingPathComponent("trial-000"), lr: "0.5", validLoss: 1.5)
        try writeRun(sweep.appendingPathComponent("trial-001"), lr: "2.0", validLoss: 1.25)
        try Data("{}\n".utf8).write(to: sweep.appendingPathComponent("sweep.jsonl"))
        return root
    }

    func testTableAndPlotOfASweepDirectory() throws {
        let root = try makeSweep()
        defer { try? FileManager.default.removeItem(at: root) }
        let sweep = root.appendingPathComponent("sweep").path
        let (code, stdout, stderr) = try run(["table", sweep, "--sort", "valid.loss"])
        XCTAssertEqual(code, 0, stderr)
        XCTAssertEqual(stdout, """
            experiment  run        train.optimizer.lr  valid.loss  best valid.loss  params  wall
            gru         trial-001  2.0                 1.2500      1.2500           1,000   5 s
            gru         trial-000  0.5                 1.5000      1.5000           1,000   5 s

            """)
        let csv = try run(["table", sweep, "--csv"])
        XCTAssertEqual(csv.1, "experiment,run,train.optimizer.lr,valid.loss,best valid.loss,params,wall_s\r\n"
                       + "gru,trial-000,0.5,1.5,1.5,1000,5.0\r\ngru,trial-001,2.0,1.25,1.25,1000,5.0\r\n", csv.2)
        let output = root.appendingPathComponent("curves.svg")
        let plotted = try run(["plot", sweep, "--metric", "ppl", "--log", "--out", output.path])
        XCTAssertEqual(plotted.0, 0, plotted.2)
        XCTAssertEqual(plotted.1, output.path + "\n")
        let svg = try String(contentsOf: output, encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""), svg)
        for text in [">lr=0.5<", ">lr=2.0<", ">ppl (log scale)<", ">learning rate<"] {
            XCTAssertTrue(svg.contains(text), "no \(text) in \(svg)")
        }
        // Written by a rename: nothing is left beside the file.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted(), ["curves.svg", "sweep"])
    }

    func testTableAndPlotRefusals() throws {
        let root = try makeSweep()
        defer { try? FileManager.default.removeItem(at: root) }
        let sweep = root.appendingPathComponent("sweep").path
        let silent = root.appendingPathComponent("silent")
        try writeRun(silent, lr: "1.0", validLoss: nil)
        let output = root.appendingPathComponent("out.svg").path
        try assertRefusals([
            (["table"], 64, "error: table needs run directories or a sweep's directory"),
            (["plot"], 64, "error: plot needs run directories or a sweep's directory"),
            (["table", "/nonexistent/runs"], 66, "error: no run directory at /nonexistent/runs"),
            (["plot", "/nonexistent/runs", "--out", output], 66, "error: no run directory at /nonexistent/runs"),
            (["table", "experiments"], 64, "experiments is neither a run directory (it has no spec.yaml) nor a directory of runs"),
            (["plot", "experiments/gru_charlm.yaml", "--out", output], 64, "is neither a run directory"),
            (["table", sweep, "--markdown", "--csv"], 64, "error: table prints --markdown or --csv, not both"),
            (["table", sweep, "--sort"], 64, "error: --sort needs a value"),
            (["table", sweep, "--sort", "valid.bleu"], 64, "error: --sort valid.bleu: no run recorded that metric; they have valid.loss"),
            (["table", sweep, "--metric", "valid.loss"], 64, "error: unknown option '--metric'"),
            (["plot", sweep, "--metrics", "loss"], 64, "error: unknown option '--metrics'"),
            (["plot", sweep, "--metric", "valid.bleu", "--out", output], 64,
             "error: --metric valid.bleu: no run recorded that metric; they have train.loss, train.lr, train.ppl, valid.loss, valid.ppl"),
            (["plot", silent.path, "--out", output], 66, "error: \(silent.path)/metrics.jsonl holds no metrics"),
            (["plot", sweep, "--out", "/nonexistent/dir/plot.svg"], 66,
             "error: cannot write /nonexistent/dir/plot.svg: the directory /nonexistent/dir does not exist"),
            (["plot", sweep, "--metric", "", "--out", output], 64, "error: --metric takes a metric such as loss or valid.ppl"),
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "a refused plot wrote \(output)")
        // Beside runs that have logged, the silent one is left out and named, not an error.
        let (plotted, _, said) = try run(["plot", sweep, silent.path, "--out", root.appendingPathComponent("some.svg").path])
        XCTAssertEqual(plotted, 0, said)
        XCTAssertEqual(said, "note: left out (no metrics logged yet): silent\n")
    }

    func testHelpDescribesTableAndPlot() throws {
        XCTAssertTrue(try run(["help", "plot"]).1.hasPrefix("runner plot RUN_OR_SWEEP_DIR... [--metric NAME] [--log] [--out FILE.svg]"))
        XCTAssertTrue(try run(["help", "table"]).1.hasPrefix("runner table RUN_OR_SWEEP_DIR..."))
    }
}
