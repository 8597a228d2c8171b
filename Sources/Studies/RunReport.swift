import Core
import Foundation
import Runs
import Spec

/// `runner report`: one self-contained page of runs and sweeps, for reading a finished (or running)
/// experiment in a browser. This file gathers what the page shows from the run directories alone;
/// `RunReport+HTML.swift` writes it.
///
/// A run shows its facts (task, model, parameters, steps, wall time), its final metrics beside the
/// published number it reproduces, its loss, metric and learning-rate curves, the samples or
/// translations of each evaluation, the plan and its spec with the keys set away from SeqLab's
/// defaults marked. A sweep shows its trials in a table sorted by its metric and one curve per
/// trial; several runs side by side get a table and shared curves first.
public struct RunReport {
    /// A spec key as the run set it, beside SeqLab's default for the model kind.
    struct Setting: Equatable {
        let key: String
        let value: String
        let defaultValue: String
        /// Set by the sweep that ran this trial, rather than by the base experiment.
        let bySweep: Bool
    }

    /// A line of spec.yaml: its dotted key (nil for a section header) and whether its value is set.
    struct SpecLine: Equatable {
        let text: String
        let isSet: Bool
        let bySweep: Bool
    }

    struct RunPage {
        let run: RunDirectory
        let spec: ExperimentSpec
        /// summary.json's members; nil while the run has not finished.
        let summary: JSONObject?
        /// The last step metrics.jsonl reports.
        let lastStep: Int
        let curves: [CurvePlot]
        let samples: [(step: Int, text: String)]
        let plan: String?
        let settings: [Setting]
        let specLines: [SpecLine]
    }

    struct SweepPage {
        let directory: SweepDirectory
        let header: [String: JSONValue]
        let trials: [SweepTrial]
        /// The finished trials, best first by the sweep's metric; nil before any finished.
        let table: ResultsTable?
        let curves: [CurvePlot]
    }

    enum Section {
        /// Several runs named together: their table (finished ones) and their loss curves.
        case comparison(table: ResultsTable?, curves: [CurvePlot])
        case run(RunPage)
        case sweep(SweepPage)
    }

    let title: String
    let sections: [Section]

    /// The runs and sweeps `paths` name: a run directory, a sweep directory, or a directory of runs
    /// (`runs/`), as `runner table` takes them. Every run must have logged metrics.
    public init(paths: [String]) throws {
        var sections: [Section] = [], runs: [LoggedRun] = []
        for path in paths {
            let url = URL(fileURLWithPath: path)
            if (try? SweepDirectory.open(url)) != nil {
                sections.append(.sweep(try Self.sweepPage(try Sweep.open(url, report: { _ in }))))
            } else {
                // A directory of runs shows those that have reported; a run named alone must have.
                let found = try RunCollection.runs(at: url)
                let logged = found.count > 1 ? try found.compactMap(LoggedRun.ifReported) : try found.map(LoggedRun.init)
                runs += logged
                sections += try logged.map { .run(try Self.runPage($0, sweepOverrides: Self.sweepOverrides(of: $0.run))) }
            }
        }
        if runs.count > 1 {
            let finished = runs.map(\.run).filter { FileManager.default.fileExists(atPath: $0.summaryURL.path) }
            let table = finished.isEmpty ? nil : try ResultsTable(runs: finished)
            sections.insert(.comparison(table: table, curves: [try CurvePlot(learningCurvesOf: runs, metric: "loss", logarithmic: false)]),
                            at: 0)
        }
        self.sections = sections
        title = "SeqLab report: " + paths.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")
    }

    /// Curves of every metric the run logged on a split, loss first; the learning rate only under
    /// the first, where it is drawn once.
    static func curves(of run: LoggedRun) throws -> [CurvePlot] {
        let skipped: Set<String> = ["step", "epoch", "split", "lr", "grad_norm", "tokens_per_s"]
        var names = Set<String>()
        for event in run.events {
            for (name, value) in event where value.number != nil && !skipped.contains(name) { names.insert(name) }
        }
        return try plots(of: [run], metrics: names.sorted { ($0 == "loss" ? 0 : 1, $0) < ($1 == "loss" ? 0 : 1, $1) })
    }

    /// One plot per metric, the learning-rate panel under the first only.
    private static func plots(of runs: [LoggedRun], metrics: [String]) throws -> [CurvePlot] {
        try metrics.enumerated().map { index, name in
            var plot = try CurvePlot(learningCurvesOf: runs, metric: name, logarithmic: false)
            if index > 0 { plot.panels = Array(plot.panels.prefix(1)) }
            return plot
        }
    }

    /// A sweep trial's `--set` overrides, read from the sweep directory holding it; none for a run
    /// that is not a trial.
    private static func sweepOverrides(of run: RunDirectory) -> [String] {
        guard let sweep = try? SweepDirectory.open(run.url.deletingLastPathComponent()),
              let trials = try? sweep.readTrials() else { return [] }
        return trials.first { SweepTrial.directoryName($0.index) == run.url.lastPathComponent }?.overrides ?? []
    }

    private static func runPage(_ logged: LoggedRun, sweepOverrides: [String]) throws -> RunPage {
        let (run, spec) = (logged.run, logged.spec)
        let summary: JSONObject?
        if let data = FileManager.default.contents(atPath: run.summaryURL.path) {
            guard case .object(let members)? = try? JSONValue(parsing: [UInt8](data)) else {
                throw RunError.badFile(path: run.summaryURL.path, reason: "not a JSON object; the run's summary is damaged")
            }
            summary = members
        } else {
            summary = nil
        }
        let sweepKeys = Set(sweepOverrides.map { String($0.prefix { $0 != "=" }) })
        let settings = Self.settings(spec, sweepKeys: sweepKeys)
        let setKeys = Set(settings.map(\.key))
        let specText = (try? String(contentsOf: run.specURL, encoding: .utf8)) ?? spec.resolvedYAML()
        return RunPage(run: run, spec: spec, summary: summary,
                       lastStep: logged.events.compactMap { $0["step"]?.number.flatMap { Int(exactly: $0) } }.max() ?? 0,
                       curves: try curves(of: logged), samples: run.samples(),
                       plan: try? String(contentsOf: run.planURL, encoding: .utf8), settings: settings,
                       specLines: specLines(specText, setKeys: setKeys, sweepKeys: sweepKeys))
    }

    private static func sweepPage(_ sweep: Sweep) throws -> SweepPage {
        let (directory, metric) = (sweep.directory, sweep.metric)
        // The tasks of a Slurm sweep never write sweep.jsonl: a trial's summary.json says it finished.
        var trials = sweep.trials
        for index in trials.indices where FileManager.default.fileExists(atPath: directory.run(trial: index).summaryURL.path) {
            trials[index].status = .done
        }
        let runs = try trials.compactMap { try LoggedRun.ifReported(directory.run(trial: $0.index)) }
        let finished = runs.map(\.run).filter { FileManager.default.fileExists(atPath: $0.summaryURL.path) }
        let table = finished.isEmpty ? nil : try ResultsTable(runs: finished, metrics: [metric], sortedBy: metric)
        guard !runs.isEmpty else { throw ComparisonError.noMetrics(path: directory.url.path) }
        // The metric on its split, then the loss on both; a loss metric is drawn once, on both splits.
        let curves = try plots(of: runs, metrics: metric.hasSuffix(".loss") ? ["loss"] : [metric, "loss"])
        return SweepPage(directory: directory, header: sweep.header, trials: trials, table: table, curves: curves)
    }

    /// The keys whose values differ from a spec of the same task and model kind that sets nothing
    /// else: what the experiment file, its `extends:` chain, `--set` or a sweep chose.
    static func settings(_ spec: ExperimentSpec, sweepKeys: Set<String>) -> [Setting] {
        var defaults = ExperimentSpec()
        (defaults.task, defaults.model.kind) = (spec.task, spec.model.kind)
        let standard = Dictionary(defaults.flattened(), uniquingKeysWith: { first, _ in first })
        return spec.flattened().compactMap { key, value in
            guard key != "name", standard[key] != value || sweepKeys.contains(key) else { return nil }
            return Setting(key: key, value: value, defaultValue: standard[key] ?? "–", bySweep: sweepKeys.contains(key))
        }
    }

    /// spec.yaml's lines, each leaf `key: value` matched to its dotted key by indentation.
    static func specLines(_ text: String, setKeys: Set<String>, sweepKeys: Set<String>) -> [SpecLine] {
        var path: [(indent: Int, key: String)] = []
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let indent = line.prefix { $0 == " " }.count
            let body = line.dropFirst(indent)
            guard !body.hasPrefix("#"), let colon = body.firstIndex(of: ":") else {
                return SpecLine(text: String(line), isSet: false, bySweep: false)
            }
            path.removeAll { $0.indent >= indent }
            path.append((indent, String(body[..<colon])))
            let key = path.map(\.key).joined(separator: ".")
            return SpecLine(text: String(line), isSet: setKeys.contains(key), bySweep: sweepKeys.contains(key))
        }
    }
}
