import Core
import Foundation

/// A sweep directory, `runs/<sweep>-<time>/`: `sweep.json` (what the sweep optimises, written once),
/// `base.yaml` (the base experiment resolved, so trials started later use the spec the sweep began
/// with), `sweep.jsonl` (one line per trial: its state now) and one run directory per trial,
/// `trial-000/`, …, with the trial's console output beside it in `trial-000.out`.
public struct SweepDirectory: Sendable {
    public let url: URL

    public var headerURL: URL { url.appendingPathComponent("sweep.json") }
    public var baseURL: URL { url.appendingPathComponent("base.yaml") }
    public var trialsURL: URL { url.appendingPathComponent("sweep.jsonl") }
    public func runURL(trial: Int) -> URL { url.appendingPathComponent(SweepTrial.directoryName(trial)) }
    /// A trial's run directory (which may not exist yet).
    public func run(trial: Int) -> RunDirectory { RunDirectory(url: runURL(trial: trial)) }
    public func outputURL(trial: Int) -> URL { url.appendingPathComponent(SweepTrial.directoryName(trial) + ".out") }

    public init(url: URL) { self.url = url }

    /// An existing sweep directory; anything else is named in the error.
    public static func open(_ url: URL) throws -> SweepDirectory {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw RunError.missingRun(path: url.path)
        }
        let sweep = SweepDirectory(url: url)
        guard isDirectory.boolValue, FileManager.default.fileExists(atPath: sweep.trialsURL.path),
              FileManager.default.fileExists(atPath: sweep.headerURL.path) else {
            throw RunError.badFile(path: url.path, reason: "not a sweep directory (no sweep.json and sweep.jsonl); "
                + "runner sweep --resume takes the directory a sweep printed when it started")
        }
        return sweep
    }

    public func writeHeader(_ header: [String: JSONValue]) throws {
        try atomicWrite(Data((JSONValue.object(JSONObject(header)).pretty + "\n").utf8), to: headerURL)
    }

    public func readHeader() throws -> [String: JSONValue] {
        guard case .object(let header) = try JSONValue(parsing: try readText(headerURL)) else {
            throw RunError.badFile(path: headerURL.path, reason: "expected a JSON object")
        }
        return header.dictionary
    }

    /// Rewrites sweep.jsonl with every trial's state, atomically: a kill leaves the previous version.
    public func write(_ trials: [SweepTrial]) throws {
        try atomicWrite(Data(trials.map { $0.json.compact + "\n" }.joined().utf8), to: trialsURL)
    }

    /// Every trial of sweep.jsonl, in order. A line that is not a valid trial is reported with its
    /// number, so that a damaged file stops a resume instead of rerunning finished trials.
    public func readTrials() throws -> [SweepTrial] {
        let lines = try readText(trialsURL).split(separator: "\n", omittingEmptySubsequences: false)
        var trials: [SweepTrial] = []
        for (index, line) in lines.enumerated() where !line.isEmpty {
            let place = "\(trialsURL.path):\(index + 1)"
            guard let value = try? JSONValue(parsing: String(line)), let trial = SweepTrial(value) else {
                throw RunError.badFile(path: place, reason: "not a trial record (trial, parameters, status); "
                    + "fix or remove the line before resuming")
            }
            guard trial.index == trials.count else {
                throw RunError.badFile(path: place, reason: "trial \(trial.index) where trial \(trials.count) belongs")
            }
            trials.append(trial)
        }
        return trials
    }
}

/// One trial of a sweep and where it stands.
public struct SweepTrial: Equatable, Sendable {
    public enum Status: String, Sendable {
        case pending, running, done, failed
        /// Stopped early: worse than the median of finished trials at the same step.
        case stopped
        /// Killed by `--fail-fast`; resumed like a running trial.
        case interrupted
    }

    public let index: Int
    /// `KEY=VALUE` overrides of the base experiment, as `--set` takes them.
    public let overrides: [String]
    public var status = Status.pending
    public var metric: Double?
    public var wallSeconds: Double?
    public var exitCode: Int?
    public var lastLine: String?
    /// The step of the metric that stopped it early.
    public var stoppedAt: Int?

    public init(index: Int, overrides: [String]) {
        self.index = index
        self.overrides = overrides
    }

    public static func directoryName(_ index: Int) -> String { RunName.trial(index) }

    /// Finished one way or another: a resume leaves it alone.
    public var isFinished: Bool { [.done, .failed, .stopped].contains(status) }

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "trial": .int(index), "run": .string(Self.directoryName(index)), "status": .string(status.rawValue),
            "parameters": .object(JSONObject(Dictionary(overrides.map { override in
                let parts = override.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return (String(parts[0]), JSONValue.string(parts.count > 1 ? String(parts[1]) : ""))
            }, uniquingKeysWith: { $1 }))),
            "overrides": .array(overrides.map { .string($0) }),
        ]
        if let metric { object["metric"] = .double(metric) }
        if let wallSeconds { object["wall_s"] = .double(wallSeconds) }
        if let exitCode { object["exit_code"] = .int(exitCode) }
        if let lastLine { object["last_line"] = .string(lastLine) }
        if let stoppedAt { object["stopped_at_step"] = .int(stoppedAt) }
        return .object(JSONObject(object))
    }

    init?(_ value: JSONValue) {
        guard case .object(let object) = value, case .int(let index)? = object["trial"], index >= 0,
              case .array(let overrides)? = object["overrides"], case .string(let status)? = object["status"],
              let parsed = Status(rawValue: status) else { return nil }
        var strings: [String] = []
        for override in overrides {
            guard case .string(let text) = override, text.contains("=") else { return nil }
            strings.append(text)
        }
        self.init(index: index, overrides: strings)
        self.status = parsed
        if case .double(let metric)? = object["metric"] { self.metric = metric }
        if case .int(let metric)? = object["metric"] { self.metric = Double(metric) }
        if case .double(let wall)? = object["wall_s"] { wallSeconds = wall }
        if case .int(let code)? = object["exit_code"] { exitCode = code }
        if case .string(let line)? = object["last_line"] { lastLine = line }
        if case .int(let step)? = object["stopped_at_step"] { stoppedAt = step }
    }
}
