import Core
import Foundation

/// A hyperparameter sweep: a base experiment and the values of some of its keys to try.
///
///     base: ../gru_charlm.yaml           # relative to the sweep file
///     method: grid                       # or random, with trials: N
///     parameters:
///       train.optimizer.lr: [0.3, 1.0, 3.0]
///       model.hidden: {values: [128, 256]}
///       train.optimizer.momentum: {distribution: uniform, min: 0.0, max: 0.9}   # random only
///     metric: valid.ppl
///     goal: minimize
///     early_stop: true                   # stop a trial worse than the median of finished ones
///
/// Every parameter path is checked against the experiment schema, and every value (each listed one,
/// both ends of a range) is applied to the base spec and decoded, so a mistake is reported at its own
/// line and column of the sweep file before any trial runs; then every trial, its values together.
public struct SweepSpec: Sendable, Equatable {
    public enum Method: String, SpecChoice {
        case grid, random
        static let label = "sweep method"
    }

    public enum Goal: String, SpecChoice {
        case minimize, maximize
        static let label = "sweep goal"
    }

    /// Where random trials draw a value from.
    public enum Distribution: String, SpecChoice {
        case uniform
        case logUniform = "log_uniform"
        case intUniform = "int_uniform"
        static let label = "distribution"
    }

    public enum Domain: Sendable, Equatable {
        /// YAML texts of the values, as `--set` takes them.
        case values([String])
        case range(Distribution, min: Double, max: Double)
    }

    public struct Parameter: Sendable, Equatable {
        /// A dotted spec key, e.g. `train.optimizer.lr`.
        public let path: String
        public let domain: Domain
    }

    /// The sweep's name (the file name by default): its directory is `runs/<name>-<time>/`.
    public var name: String
    /// The base experiment's path, resolved against the sweep file's directory.
    public var base: String
    public var method = Method.grid
    /// Random trials to draw; required for `random`, refused for `grid` (which tries every combination).
    public var trials: Int?
    public var seed = 0
    public var parameters: [Parameter] = []
    /// `<split>.<metric>` as summary.json reports it, e.g. `valid.ppl`.
    public var metric = "valid.loss"
    /// Given, or the way `metric` improves (`MetricDirection`).
    public var goal = Goal.minimize
    public var earlyStop = false

    static let keys = ["name", "base", "method", "trials", "seed", "parameters", "metric", "goal", "early_stop"]
    /// The most runs a sweep makes: `trials`, or a grid's combinations.
    static let trialLimit = 100_000
    /// The trials loading decodes with their values together (`checkTrials`).
    static let checkedTrialLimit = 10_000

    /// Whether `text`, the YAML file at `path`, is a sweep (a mapping with a `base` key) rather than an
    /// experiment; false for YAML that does not parse, which parsing it as an experiment then reports.
    public static func isSweep(text: String, path: String) -> Bool {
        guard let root = try? YAMLReader.read(text, source: SourceText(path: path, text: text)) else { return false }
        return root.entry("base") != nil
    }

    /// What `runner check SWEEP.yaml` prints: the sweep, its base, and every trial's overrides.
    public var summary: String {
        let trials = trialOverrides()
        let search = method == .grid ? "grid" : "\(trials.count) random draws (seed \(seed))"
        return (["sweep \(name): \(search) over \(parameters.map(\.path).joined(separator: ", ")) of \(base); "
            + "\(trials.count) trials; \(goal.rawValue) \(metric)" + (earlyStop ? ", early stop" : "")]
            + trials.enumerated().map { "  \(RunName.trial($0.offset))  " + $0.element.joined(separator: " ") })
            .joined(separator: "\n")
    }

    /// Reads and checks the sweep at `path`; errors are `SpecError`s with the file's line and column.
    public static func load(path: String) throws(SpecError) -> SweepSpec {
        try parse(try ExperimentSpec.readFile(path, namedAt: nil), path: path)
    }

    /// `load(path:)` for text already in memory; `path` names it in errors and anchors `base:`.
    public static func parse(_ text: String, path: String) throws(SpecError) -> SweepSpec {
        let root = try YAMLReader.read(text, source: SourceText(path: path, text: text))
        guard let entries = root.entries else {
            throw root.mark.error("expected a mapping at the top of the sweep, found \(root.summary)")
        }
        for entry in entries where !keys.contains(entry.key) {
            throw unknownKey(entry.key, at: entry.keyMark, section: "", valid: keys)
        }
        guard let baseEntry = root.entry("base") else {
            throw root.mark.error("missing 'base': the experiment the sweep varies", hint: "base: ../gru_charlm.yaml")
        }
        let baseName = try Scalar.string(baseEntry.value, "base")
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        let basePath = baseName.hasPrefix("/") ? baseName : directory.appendingPathComponent(baseName).path
        let baseTree = try ExperimentSpec.tree(path: basePath, namedAt: baseEntry.value.mark)

        var sweep = SweepSpec(name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, base: basePath)
        if let node = root.entry("name")?.value {
            sweep.name = try Scalar.string(node, "name")
            if let problem = RunName.problem(sweep.name) {
                throw node.mark.error("'name' \(problem)", hint: "it names the sweep's directory under the runs directory")
            }
        }
        if let node = root.entry("method")?.value { sweep.method = try Scalar.choice(node, "method", as: Method.self) }
        if let node = root.entry("trials")?.value { sweep.trials = try Scalar.int(node, "trials", .atLeastOneAtMost(trialLimit)) }
        if let node = root.entry("seed")?.value { sweep.seed = try Scalar.int(node, "seed", .nonNegative) }
        if let node = root.entry("goal")?.value { sweep.goal = try Scalar.choice(node, "goal", as: Goal.self) }
        if let node = root.entry("early_stop")?.value { sweep.earlyStop = try Scalar.bool(node, "early_stop") }
        let metricNode = root.entry("metric")?.value
        if let metricNode { sweep.metric = try Scalar.string(metricNode, "metric") }
        // Without a goal, the way the metric improves: a sweep on valid.accuracy wants the highest.
        if root.entry("goal") == nil { sweep.goal = MetricDirection.lowerIsBetter(sweep.metric) ? .minimize : .maximize }
        switch (sweep.method, sweep.trials) {
        case (.random, nil):
            throw (root.entry("method")?.value.mark ?? root.mark).error("a random sweep needs 'trials'", hint: "trials: 8")
        case (.grid, .some):
            throw (root.entry("trials")?.keyMark ?? root.mark).error("'trials' applies to method random; a grid tries "
                + "every combination", hint: "remove it, or set method: random")
        default: break
        }
        guard let parameters = root.entry("parameters"), let list = parameters.value.entries, !list.isEmpty else {
            throw (root.entry("parameters")?.value.mark ?? root.mark).error(
                "a sweep needs 'parameters': a mapping of spec keys to the values to try",
                hint: "parameters: {train.optimizer.lr: [0.3, 1.0]}")
        }
        sweep.parameters = try list.map { entry throws(SpecError) in
            try parameter(entry, method: sweep.method, base: baseTree)
        }
        // Refused as soon as the product passes the limit, so that it never grows past limit × one list's length.
        var combinations = 1
        for parameter in sweep.parameters where sweep.method == .grid {
            guard case .values(let values) = parameter.domain else { continue }
            combinations *= values.count
            guard combinations <= trialLimit else {
                throw parameters.value.mark.error("the grid has more than \(trialLimit) combinations, each one a run",
                                                  hint: "list fewer values, or sample some with method: random and trials")
            }
        }
        try checkTrials(sweep, base: baseTree, at: parameters.keyMark)
        // Where the metric was written, or for the default valid.loss the top of the sweep.
        let metricMark = metricNode?.mark ?? root.mark
        let parts = sweep.metric.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, ["train", "valid", "test"].contains(parts[0]), !parts[1].isEmpty else {
            throw metricMark.error("'metric' is <split>.<metric> as summary.json reports it, found '\(sweep.metric)'",
                                   hint: "e.g. valid.ppl or valid.loss")
        }
        // A metric the trials never log (the default valid.loss too) would leave every trial without a
        // value and the sweep without a best.
        let base = try baseTree.decoded()
        if parts[0] == "valid", !base.hasValidationSplit {
            throw metricMark.error("'metric' is '\(sweep.metric)', and the runs of \(baseName) have no validation split",
                                   hint: "give the base a validation split, or set metric: train.loss")
        }
        let scored = base.scoredMetricNames
        if parts[0] != "train", !scored.contains(String(parts[1])) {
            throw metricMark.error("'metric' is '\(sweep.metric)', which the runs of \(baseName) do not log",
                                   hint: "use one of " + scored.map { parts[0] + "." + $0 }.joined(separator: ", "))
        }
        return sweep
    }

    /// Each value was checked alone; a trial sets them together, and keys can rule each other out (a
    /// cnn encoder beside a biLSTM's `hidden`, `heads` that do not divide a `width`). Every trial is
    /// decoded as it will run, so that none is found wrong only at its start: the first
    /// `checkedTrialLimit` of them (a decode takes 0.1 to 0.25 ms; a later one is refused at its start).
    private static func checkTrials(_ sweep: SweepSpec, base: ExperimentSpec.Tree, at mark: Mark) throws(SpecError) {
        for (index, overrides) in sweep.trialOverrides().prefix(checkedTrialLimit).enumerated() {
            do {
                _ = try ExperimentSpec.Tree(root: try Overrides.apply(overrides, to: base.root), path: base.path).decoded()
            } catch {
                throw mark.error("\(RunName.trial(index)) (\(overrides.joined(separator: " "))) is not a valid "
                    + "experiment: \(error.message)",
                    hint: "its values are each valid alone; sweep keys that rule each other out in separate sweeps")
            }
        }
    }

    /// One `parameters` entry: its path checked against the schema, its values against the base spec.
    private static func parameter(_ entry: Node.Entry, method: Method, base: ExperimentSpec.Tree) throws(SpecError)
        -> Parameter {
        let path = try ExperimentSpec.keyPath(entry.key, at: entry.keyMark)
        let name = "parameters.\(entry.key)"
        var listed: Node? = nil
        if case .sequence = entry.value.value { listed = entry.value }
        if let values = entry.value.entry("values") {
            if let extra = entry.value.entries?.first(where: { $0.key != "values" }) {
                throw unknownKey(extra.key, at: extra.keyMark, section: name, valid: ["values"])
            }
            listed = values.value
        }
        if let listed {
            let items = try Scalar.list(listed, name)
            guard !items.isEmpty else { throw listed.mark.error("'\(name)' lists no values to try") }
            for item in items { _ = try base.decode(setting: path, to: item) }
            return Parameter(path: entry.key, domain: .values(items.map { YAMLWriter.flow($0.yamlValue) }))
        }
        guard entry.value.entries != nil else {
            throw entry.value.mark.error("'\(name)' takes a list of values, {values: […]} or {distribution, min, max}, "
                + "found \(entry.value.summary)")
        }
        let rangeKeys = ["distribution", "min", "max"]
        if let extra = entry.value.entries?.first(where: { !rangeKeys.contains($0.key) }) {
            throw unknownKey(extra.key, at: extra.keyMark, section: name, valid: ["values"] + rangeKeys)
        }
        guard let distribution = entry.value.entry("distribution"), let low = entry.value.entry("min"),
              let high = entry.value.entry("max") else {
            throw entry.value.mark.error("'\(name)' needs 'distribution', 'min' and 'max'",
                                         hint: "{distribution: log_uniform, min: 0.0001, max: 0.1}")
        }
        guard method == .random else {
            throw distribution.keyMark.error("a distribution needs method random; a grid takes lists of values")
        }
        let kind = try Scalar.choice(distribution.value, "\(name).distribution", as: Distribution.self)
        let (lower, upper) = (try Scalar.double(low.value, "\(name).min", .any),
                              try Scalar.double(high.value, "\(name).max", .any))
        guard lower < upper else { throw high.value.mark.error("'\(name).max' (\(upper)) must be greater than 'min' (\(lower))") }
        if kind == .logUniform, lower <= 0 {
            throw low.value.mark.error("'\(name).min' must be > 0 for log_uniform, found \(lower)")
        }
        if kind == .intUniform, lower.rounded() != lower || upper.rounded() != upper {
            throw low.value.mark.error("'\(name)' int_uniform takes whole numbers for 'min' and 'max'")
        }
        // Whole numbers a Double holds exactly, so that a draw converts back to an Int.
        if kind == .intUniform, max(abs(lower), abs(upper)) > 0x1p53 {
            throw (abs(lower) > 0x1p53 ? low : high).value.mark.error("'\(name)' int_uniform takes 'min' and 'max' within ±2^53")
        }
        // Both ends must be values the spec accepts (an lr of 0, a dropout of 1 are refused there), and
        // with uniform and log_uniform a fraction between them too: an integer key takes int_uniform.
        for end in [low.value, high.value] { _ = try base.decode(setting: path, to: end) }
        let fraction = Node(value: .scalar(String(lower + (upper - lower) * 0.37), plain: true), mark: distribution.value.mark)
        if kind != .intUniform, (try? base.decode(setting: path, to: fraction)) == nil {
            throw distribution.value.mark.error("'\(name)' takes whole numbers, and \(kind.rawValue) draws fractions",
                                                hint: "use distribution: int_uniform")
        }
        return Parameter(path: entry.key, domain: .range(kind, min: lower, max: upper))
    }

    /// Every trial's overrides (`KEY=VALUE`, as `--set` takes them) in order: the grid's combinations
    /// with the last parameter varying fastest, or `trials` random draws from `seed`.
    public func trialOverrides() -> [[String]] {
        switch method {
        case .grid:
            return parameters.reduce([[]]) { combinations, parameter in
                guard case .values(let values) = parameter.domain else { return combinations }
                return combinations.flatMap { prefix in values.map { prefix + ["\(parameter.path)=\($0)"] } }
            }
        case .random:
            var generator = SeededGenerator(seed: UInt64(seed))
            return (0..<(trials ?? 0)).map { _ in
                parameters.map { "\($0.path)=\(Self.draw($0.domain, using: &generator))" }
            }
        }
    }

    private static func draw(_ domain: Domain, using generator: inout SeededGenerator) -> String {
        let unit = Double(generator.next() >> 11) * 0x1p-53
        switch domain {
        case .values(let values): return values[min(values.count - 1, Int(unit * Double(values.count)))]
        case .range(.uniform, let low, let high): return String(low + unit * (high - low))
        case .range(.logUniform, let low, let high): return String(exp(log(low) + unit * (log(high) - log(low))))
        case .range(.intUniform, let low, let high):
            return String(Int(low) + min(Int(high - low), Int(unit * (high - low + 1))))
        }
    }
}

extension Node {
    /// The value as the YAML writer takes it, so a value read from a sweep file goes to `--set` as text.
    var yamlValue: YAMLValue {
        switch value {
        case .scalar(let text, let plain): plain ? .raw(text) : .string(text)
        case .sequence(let items): .list(items.map(\.yamlValue))
        case .mapping(let entries): .mapping(entries.map { ($0.key, $0.value.yamlValue) })
        }
    }
}
