import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Runs
@testable import Studies
import XCTest

/// `runner plot`'s SVG: round ticks, escaped text, curves from hand-written metrics.jsonl files
/// pinned by a snapshot, and the runs it refuses to draw.
final class CurvePlotTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("plot-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testRoundStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        let cases: [(span: Double, step: Double)] = [(1, 0.2), (160, 50), (7, 1), (3, 0.5), (0.0003, 0.00005), (100, 20),
                                                     (40, 10), (1.43, 0.2)]
        for (span, step) in cases {
            XCTAssertEqual(Axis.roundStep(span, intervals: 5), step, accuracy: step * 1e-12, "span \(span)")
        }
    }

    func testLinearTicksAndLabels() {
        let steps = Axis.linear(0, 160, margin: 0)
        XCTAssertEqual(steps.ticks, [0, 50, 100, 150])
        XCTAssertEqual(steps.ticks.map(steps.label), ["0", "50", "100", "150"])
        // Bounds that are multiples keep their ticks; labels share the step's decimals; no "-0.0".
        let fractions = Axis.linear(0.1, 0.3, margin: 0)
        XCTAssertEqual(fractions.ticks.map(fractions.label), ["0.10", "0.15", "0.20", "0.25", "0.30"])
        let symmetric = Axis.linear(-1, 1, margin: 0)
        XCTAssertEqual(symmetric.ticks.map(symmetric.label), ["-1.0", "-0.5", "0.0", "0.5", "1.0"])
        // A constant (a learning rate without a schedule) gets room around it.
        let constant = Axis.linear(1, 1, margin: 0.05)
        XCTAssertEqual(constant.ticks.map(constant.label), ["0.90", "0.95", "1.00", "1.05", "1.10"])
        let zero = Axis.linear(0, 0, margin: 0.05)
        XCTAssertEqual(zero.ticks.map(zero.label), ["-1.0", "-0.5", "0.0", "0.5", "1.0"])
        let margin = Axis.linear(1.2, 3.9, margin: 0.05)
        XCTAssertEqual(margin.lower, 1.065, accuracy: 1e-12)
        XCTAssertEqual(margin.ticks.map(margin.label), ["1.5", "2.0", "2.5", "3.0", "3.5", "4.0"])
        XCTAssertEqual(margin.fraction(margin.lower), 0)
        XCTAssertEqual(margin.fraction(margin.upper), 1)
        // A diverged loss, and values too small to write out: every label with an exponent and the
        // digits the spacing needs; a fine spacing around 1 is written out.
        let diverged = Axis.linear(2, 3.3e25, margin: 0)
        XCTAssertEqual(diverged.ticks.map(diverged.label), ["0", "5.0e+24", "1.0e+25", "1.5e+25", "2.0e+25", "2.5e+25", "3.0e+25"])
        let tiny = Axis.linear(2e-7, 9e-7, margin: 0)
        XCTAssertEqual(tiny.ticks.map(tiny.label), ["2e-07", "3e-07", "4e-07", "5e-07", "6e-07", "7e-07", "8e-07", "9e-07"])
        let fine = Axis.linear(1, 1.000001, margin: 0)
        XCTAssertEqual(fine.ticks.map(fine.label).prefix(2), ["1.0000000", "1.0000002"])
        let huge = Axis.logarithmic(1e3, 1e30)
        XCTAssertTrue(huge.ticks.map(huge.label).allSatisfy { $0.contains("e+") && $0.count <= 5 }, "\(huge.ticks.map(huge.label))")
    }

    /// The step axis starts at 0, and reaches step 1 when every point is at step 0 (a counted model's
    /// scores) rather than spreading to −1…1.
    func testTheStepAxisNeverGoesBelowZero() throws {
        func axis(_ steps: [Double]) throws -> Axis {
            let series = CurvePlot.Series(run: 0, style: .solid, points: steps.map { CurvePlot.Point(step: $0, value: 1) })
            return try XCTUnwrap(CurvePlot(title: "t", runs: ["r"], styles: [], panels: [.init(label: "loss", series: [series])]).stepAxis)
        }
        XCTAssertEqual(try axis([0]).ticks.map(try axis([0]).label), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        XCTAssertEqual(try axis([50, 160]).ticks, [0, 50, 100, 150])
        let long = try axis([2_000_000])
        XCTAssertEqual(long.ticks.map(long.label), ["0", "500000", "1000000", "1500000", "2000000"], "steps written out")
    }

    func testLogarithmicTicks() {
        let wide = Axis.logarithmic(0.5, 20)
        XCTAssertEqual(wide.ticks.map(wide.label), ["0.5", "1", "2", "5", "10", "20"])
        let decades = Axis.logarithmic(0.001, 10)
        XCTAssertEqual(decades.ticks.map(decades.label), ["0.001", "0.01", "0.1", "1", "10"])
        // Within one decade 1-2-5 leaves too few ticks: round linear steps, placed logarithmically.
        let narrow = Axis.logarithmic(1.4, 3.5)
        XCTAssertEqual(narrow.ticks.map(narrow.label), ["1.5", "2.0", "2.5", "3.0", "3.5"])
        XCTAssertEqual(narrow.fraction((narrow.lower * narrow.upper).squareRoot()), 0.5, accuracy: 1e-12)
        let single = Axis.logarithmic(2, 2)
        XCTAssertTrue(single.lower < 2 && single.upper > 2 && !single.ticks.isEmpty, "\(single)")
    }

    func testTextIsEscaped() {
        XCTAssertEqual(CurvePlot.escaped("a<b & \"c\" 'd'\u{1}\n"), "a&lt;b &amp; &quot;c&quot; &apos;d&apos;\u{FFFD} ")
    }

    /// Two runs of one experiment at two learning rates, four training reports and three evaluations
    /// each, and a line without a split that the plot passes over.
    private func twoRuns() throws -> [RunDirectory] {
        let curves: [(lr: Double, train: [Double], valid: [Double])] = [
            (0.5, [3.2, 2.6, 2.2, 2.0], [3.3, 2.7, 2.3]),
            (2.0, [2.9, 2.4, 2.3, 2.35], [3.3, 2.5, 2.45]),
        ]
        return try curves.enumerated().map { index, curve in
            var events = [#"{"event":"start"}"#]
            for (i, loss) in curve.train.enumerated() {
                let lr = curve.lr * (1 - Double(i) * 0.25)
                events.append(#"{"loss":\#(loss),"lr":\#(lr),"ppl":\#(exp(loss)),"split":"train","step":\#((i + 1) * 10)}"#)
            }
            for (i, loss) in curve.valid.enumerated() {
                events.append(#"{"loss":\#(loss),"ppl":\#(exp(loss)),"split":"valid","step":\#(i * 20)}"#)
            }
            return try RunFixtures.run(at: directory.appendingPathComponent("trial-00\(index)"), name: "gru",
                                       settings: "train: {optimizer: {lr: \(curve.lr)}}\n", events: events)
        }
    }

    func testTwoRunsMatchTheSnapshot() throws {
        let plot = try CurvePlot(learningCurvesOf: try twoRuns(), metric: "loss", logarithmic: false)
        XCTAssertEqual(plot.runs, ["lr=0.5", "lr=2.0"])
        XCTAssertEqual(plot.panels.map(\.label), ["loss", "learning rate"])
        XCTAssertEqual(plot.styles.map(\.meaning), ["train", "valid"])
        XCTAssertEqual(plot.panels[0].series.map(\.points.count), [4, 3, 4, 3])
        let svg = plot.svg
        #if canImport(FoundationXML)
        XCTAssertTrue(XMLParser(data: Data(svg.utf8)).parse(), "the SVG is not well-formed XML")
        #endif
        let url = try XCTUnwrap(Bundle.module.url(forResource: "two_runs", withExtension: "svg", subdirectory: "Snapshots"))
        if svg != (try String(contentsOf: url, encoding: .utf8)) {
            let actual = FileManager.default.temporaryDirectory.appendingPathComponent("two_runs.svg")
            try Data(svg.utf8).write(to: actual)
            XCTFail("the SVG differs from Tests/TrainingTests/Snapshots/two_runs.svg; the new one is \(actual.path): "
                    + "copy it there if the change is meant")
        }
    }

    func testOneSplitOnALogScale() throws {
        let plot = try CurvePlot(learningCurvesOf: try twoRuns(), metric: "valid.ppl", logarithmic: true)
        XCTAssertEqual(plot.panels.map(\.label), ["valid.ppl (log scale)", "learning rate"])
        XCTAssertEqual(plot.styles.map(\.meaning), ["valid"])
        XCTAssertEqual(plot.panels[0].series.map(\.style), [.dashed, .dashed])
        XCTAssertTrue(plot.panels[0].logarithmic)
    }

    func testRunsThatCannotBeDrawnAreRefused() throws {
        let runs = try twoRuns()
        XCTAssertThrowsError(try CurvePlot(learningCurvesOf: runs, metric: "valid.bleu", logarithmic: false)) { error in
            XCTAssertEqual(error as? ComparisonError, .unknownMetric("valid.bleu", option: "--metric", available: [
                "train.loss", "train.lr", "train.ppl", "valid.loss", "valid.ppl",
            ]))
        }
        let silent = try RunFixtures.run(at: directory.appendingPathComponent("silent"), name: "gru")
        XCTAssertThrowsError(try CurvePlot(learningCurvesOf: runs + [silent], metric: "loss", logarithmic: false)) { error in
            XCTAssertEqual(error as? ComparisonError, .noMetrics(path: silent.metricsURL.path))
            XCTAssertEqual((error as? ComparisonError)?.exitCode, 66)
        }
        try Data(#"{"event":"start"}"#.utf8).write(to: silent.metricsURL)
        XCTAssertThrowsError(try CurvePlot(learningCurvesOf: [silent], metric: "loss", logarithmic: false)) { error in
            XCTAssertEqual(error as? ComparisonError, .noMetrics(path: silent.metricsURL.path))
        }
        let zero = try RunFixtures.run(at: directory.appendingPathComponent("zero"), name: "gru",
                                       events: [#"{"loss":0.0,"split":"train","step":5}"#])
        XCTAssertThrowsError(try CurvePlot(learningCurvesOf: [zero], metric: "loss", logarithmic: true)) { error in
            XCTAssertEqual(error as? ComparisonError, .notPositive(metric: "loss", value: 0, step: 5, run: zero.url.path))
        }
    }
}
