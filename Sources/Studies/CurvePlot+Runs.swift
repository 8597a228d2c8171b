import Core
import Foundation
import Runs
import Spec

/// `runner plot`: the curves of runs' metrics.jsonl — the chosen metric on the train and valid
/// splits, and the learning rate in a panel of its own — with each run named in the legend by what
/// sets it apart (`ConfigDifferences.labels`).
extension CurvePlot {
    /// How each split is drawn: training reports are dense and noisy, evaluations sparse.
    static let splitStyles: [(split: String, style: LineStyle)] = [("train", .solid), ("valid", .dashed), ("test", .dotted)]

    /// `metric` is a split's metric (`valid.ppl`) or a metric of both the train and the valid split
    /// (`loss`). Every run must have logged metrics, and at least one the metric asked for;
    /// `logarithmic` puts the metric on a log scale, which needs every value above zero.
    public init(learningCurvesOf runs: [RunDirectory], metric: String, logarithmic: Bool) throws {
        try self.init(learningCurvesOf: try runs.map(LoggedRun.init), metric: metric, logarithmic: logarithmic)
    }

    /// The same from runs read already, so that several plots of them read each file once.
    public init(learningCurvesOf logged: [LoggedRun], metric: String, logarithmic: Bool) throws {
        let (runs, specs, events) = (logged.map(\.run), logged.map(\.spec), logged.map(\.events))
        let (splits, name) = Self.splitsAndName(metric)
        var series: [Series] = []
        for (run, events) in events.enumerated() {
            for (split, style) in Self.splitStyles where splits.contains(split) {
                let points = Self.points(of: name, split: split, in: events)
                if !points.isEmpty { series.append(Series(run: run, style: style, points: points)) }
            }
        }
        guard !series.isEmpty else {
            let available = Set(events.joined().flatMap { event in
                Self.split(of: event).map { split in Self.numericFields(event).map { "\(split).\($0)" } } ?? []
            })
            throw ComparisonError.unknownMetric(metric, option: "--metric", available: available.sorted())
        }
        for line in series where logarithmic {
            if let point = line.points.first(where: { $0.value <= 0 }) {
                throw ComparisonError.notPositive(metric: metric, value: point.value, step: Int(point.step),
                                                  run: runs[line.run].url.path)
            }
        }
        var panels = [Panel(label: metric + (logarithmic ? " (log scale)" : ""), logarithmic: logarithmic, series: series)]
        let rates = events.enumerated().compactMap { run, events in
            let points = Self.points(of: "lr", split: "train", in: events)
            return points.isEmpty ? nil : Series(run: run, style: .solid, points: points)
        }
        if !rates.isEmpty { panels.append(Panel(label: "learning rate", series: rates)) }
        let shownSplits = Set(series.map(\.style))
        self.init(title: Self.title(specs.map(\.name), metric: metric),
                  runs: ConfigDifferences.labels(specs, runNames: runs.map(\.url.lastPathComponent)),
                  styles: Self.splitStyles.filter { shownSplits.contains($0.style) }.map { ($0.style, $0.split) },
                  panels: panels)
    }

    /// `valid.ppl` is the valid split's ppl; a name without a split is the train and valid splits'.
    static func splitsAndName(_ metric: String) -> (splits: [String], name: String) {
        for (split, _) in splitStyles where metric.hasPrefix(split + ".") {
            return ([split], String(metric.dropFirst(split.count + 1)))
        }
        return (["train", "valid"], metric)
    }

    /// The finite values of `name` in the events of `split`, by step.
    private static func points(of name: String, split: String, in events: [[String: JSONValue]]) -> [Point] {
        events.compactMap { event in
            guard Self.split(of: event) == split, let step = event["step"]?.number,
                  let value = event[name]?.number, value.isFinite else { return nil }
            return Point(step: step, value: value)
        }.sorted { $0.step < $1.step }
    }

    static func split(of event: [String: JSONValue]) -> String? {
        if case .string(let split)? = event["split"] { return split }
        return nil
    }

    /// The names of a reported event's numbers other than its position (step, epoch).
    private static func numericFields(_ event: [String: JSONValue]) -> [String] {
        event.compactMap { name, value in value.number != nil && name != "step" && name != "epoch" ? name : nil }
    }

    /// `gru_charlm: loss`, or with runs of several experiments, their names in order.
    private static func title(_ names: [String], metric: String) -> String {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }.joined(separator: ", ") + ": " + metric
    }
}

/// A run as plots read it: its spec and the events of its metrics.jsonl that report on a split at a
/// step (training reports and evaluations).
public struct LoggedRun {
    public let run: RunDirectory
    public let spec: ExperimentSpec
    public let events: [[String: JSONValue]]

    /// A run that has not reported yet (no metrics.jsonl, or nothing on a split in it) is an error.
    public init(_ run: RunDirectory) throws {
        let spec = try ExperimentSpec.load(path: run.specURL.path)
        guard FileManager.default.fileExists(atPath: run.metricsURL.path) else {
            throw ComparisonError.noMetrics(path: run.metricsURL.path)
        }
        let events = try Self.reportedEvents(run)
        guard !events.isEmpty else { throw ComparisonError.noMetrics(path: run.metricsURL.path) }
        (self.run, self.spec, self.events) = (run, spec, events)
    }

    /// The run if it has reported; nil while it has not (a trial still loading its data), or when its
    /// metrics cannot be read.
    public static func ifReported(_ run: RunDirectory) throws -> LoggedRun? {
        guard FileManager.default.fileExists(atPath: run.metricsURL.path), let events = try? reportedEvents(run),
              !events.isEmpty else { return nil }
        return LoggedRun(run: run, spec: try ExperimentSpec.load(path: run.specURL.path), events: events)
    }

    private init(run: RunDirectory, spec: ExperimentSpec, events: [[String: JSONValue]]) {
        (self.run, self.spec, self.events) = (run, spec, events)
    }

    private static func reportedEvents(_ run: RunDirectory) throws -> [[String: JSONValue]] {
        try MetricsWriter.read(run.metricsURL).filter { CurvePlot.split(of: $0) != nil && $0["step"]?.number != nil }
    }
}
