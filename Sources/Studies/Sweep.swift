import Core
import Foundation
import Runs
import Spec

/// Runs a sweep's trials as child `runner` processes, each a normal run directory in the sweep
/// directory, and keeps sweep.jsonl current after every change, so that a killed sweep can be
/// resumed: finished trials are never rerun, interrupted ones resume from their last checkpoint.
///
/// The loop polls its children (a tenth of a second): a failed trial is reported the moment it
/// exits; with early stopping, a running trial whose metric at step s is worse than the median of
/// the finished trials' at s is stopped.
public final class Sweep {
    public struct Options {
        /// Trials at once; each gets `cores / parallel` threads (at least one).
        public var parallel = 1
        public var failFast = false
        public var dataDirectory: String?
        /// The `runner` binary the trials run.
        public var executable: URL
        public var cores = ProcessInfo.processInfo.activeProcessorCount
        /// The signal that asked the sweep to stop (SIGINT, SIGTERM), if one has: polled between trials' checks.
        public var stopSignal: () -> Int32? = { nil }

        public init(executable: URL) { self.executable = executable }
    }

    public let directory: SweepDirectory
    public private(set) var trials: [SweepTrial]
    /// sweep.json as the sweep last read or wrote it.
    public internal(set) var header: [String: JSONValue]
    /// `<split>.<metric>` and which way is better.
    public let metric: String
    let maximize: Bool
    let earlyStop: Bool
    /// Progress lines (trial started, finished, failed), as they happen.
    let report: (String) -> Void
    /// The metric curves of finished trials, read once: early stopping compares against them.
    private var finishedCurves: [Int: [Int: Double]] = [:]
    /// When running trials' curves were last read: early stopping checks twice a second.
    private var lastCheck = Date.distantPast

    private init(directory: SweepDirectory, trials: [SweepTrial], header: [String: JSONValue], report: @escaping (String) -> Void) {
        self.directory = directory
        self.trials = trials
        self.header = header
        if case .string(let metric)? = header["metric"] { self.metric = metric } else { metric = "valid.loss" }
        maximize = header["goal"] == .string(SweepSpec.Goal.maximize.rawValue)
        earlyStop = header["early_stop"] == .bool(true)
        self.report = report
    }

    /// A new sweep in `runsDirectory/<name>-<time>/` with every trial pending. The base's file
    /// references go through `anchoring` (the data locator's, which makes relative paths absolute), and
    /// the current directory is recorded for trials to start in (`workingDirectory`), so that `--resume`
    /// from another directory trains on the same files, a parameter's relative paths included.
    public static func start(_ spec: SweepSpec, runsDirectory: URL, anchoring: (String) -> String,
                             report: @escaping (String) -> Void) throws -> Sweep {
        var base = try ExperimentSpec.load(path: spec.base).mappingFileReferences(anchoring)
        // A trial varies the experiment, so it does not reproduce the base's published number.
        base.reproduces = nil
        let directory = SweepDirectory(url: try RunDirectory.claim(in: runsDirectory, name: spec.name))
        try atomicWrite(Data(base.resolvedYAML().utf8), to: directory.baseURL)
        let header: [String: JSONValue] = [
            "name": .string(spec.name), "base": .string(spec.base), "method": .string(spec.method.rawValue),
            "metric": .string(spec.metric), "goal": .string(spec.goal.rawValue), "early_stop": .bool(spec.earlyStop),
            "directory": .string(FileManager.default.currentDirectoryPath),
        ]
        try directory.writeHeader(header)
        let trials = spec.trialOverrides().enumerated().map { SweepTrial(index: $0.offset, overrides: $0.element) }
        try directory.write(trials)
        return Sweep(directory: directory, trials: trials, header: header, report: report)
    }

    /// A sweep as it stands, to look at (`runner sweep --status`) or to hand on to Slurm, whose
    /// running trials hold their run directories meanwhile.
    public static func open(_ url: URL, report: @escaping (String) -> Void) throws -> Sweep {
        let directory = try SweepDirectory.open(url)
        return Sweep(directory: directory, trials: try directory.readTrials(), header: try directory.readHeader(), report: report)
    }

    /// A sweep as a kill left it, for `runner sweep --resume`.
    public static func resume(_ url: URL, report: @escaping (String) -> Void) throws -> Sweep {
        let sweep = try open(url, report: report)
        // A trial still trained by a child of the killed sweep is refused here, before it is resumed
        // twice or, killed before its first checkpoint, deleted under the process writing it.
        for trial in sweep.trials where !trial.isFinished { try DirectoryLock.checkFree(sweep.directory.runURL(trial: trial.index)) }
        if case .string(let started)? = sweep.header["directory"], sweep.workingDirectory == nil {
            report("note: \(started), where the sweep started, is gone; its trials start here, and read a parameter's "
                + "relative paths from here")
        }
        return sweep
    }

    /// The directory the sweep was started in (sweep.json's `directory`), where every trial starts so
    /// that a parameter's relative path (`data.corpus: [a.txt, b.txt]`) means the same file at
    /// `--resume`; nil for a sweep recorded before it was kept, or when it is gone.
    public var workingDirectory: URL? {
        guard case .string(let path)? = header["directory"] else { return nil }
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            ? URL(fileURLWithPath: path) : nil
    }

    /// Whether the sweep's trials were handed to Slurm (sweep.json's `scheduler`).
    public var isOnSlurm: Bool { header["scheduler"] == "slurm" }

    private struct Child {
        let process: Process
        let started: Date
        var stopping = false
    }

    /// Runs every unfinished trial; returns when all have finished, or at the first failure with
    /// `failFast` (the others are then interrupted, to be resumed). Returns the signal it stopped for:
    /// the running trials get it too, stop after their step with a checkpoint, as a run does, and are
    /// marked interrupted for `--resume`.
    @discardableResult
    public func run(_ options: Options) throws -> Int32? {
        let parallel = max(1, min(options.parallel, options.cores))
        let threads = max(1, options.cores / parallel)
        var queue = trials.filter { !$0.isFinished }.map(\.index)
        var children: [Int: Child] = [:]
        var failed = false
        while !queue.isEmpty || !children.isEmpty {
            while !failed, children.count < parallel, !queue.isEmpty {
                let index = queue.removeFirst()
                children[index] = try launch(index, threads: threads, options)
            }
            Thread.sleep(forTimeInterval: 0.1)
            if let signal = options.stopSignal() {
                // A trial runs in its own process group, so a terminal's Ctrl-C reaches this process alone.
                for (index, child) in children {
                    kill(child.process.processIdentifier, signal)
                    child.process.waitUntilExit()
                    if child.process.terminationReason == .exit, child.process.terminationStatus == 0 {
                        try finish(index, child)
                    } else {
                        trials[index].status = .interrupted
                    }
                }
                try directory.write(trials)
                return signal
            }
            for (index, child) in children where !child.process.isRunning {
                children[index] = nil
                try finish(index, child)
                failed = failed || trials[index].status == .failed
            }
            if failed, options.failFast {
                for (index, child) in children {
                    child.process.terminate()
                    child.process.waitUntilExit()
                    trials[index].status = .interrupted
                }
                try directory.write(trials)
                return nil
            }
            if earlyStop { try stopLaggards(&children) }
        }
        return nil
    }

    private func launch(_ index: Int, threads: Int, _ options: Options) throws -> Child {
        let run = directory.runURL(trial: index)
        var arguments: [String]
        if trials[index].status != .pending, (try? RunDirectory.open(run).checkpoints.latest()) != nil {
            arguments = ["resume", run.path]
        } else {
            // Never started, or killed before its first checkpoint: from the beginning.
            try? FileManager.default.removeItem(at: run)
            arguments = [directory.baseURL.path, "--set", "train.threads=\(threads)"]
                + trials[index].overrides.flatMap { ["--set", $0] } + ["--run-dir", run.path]
        }
        if let data = options.dataDirectory { arguments += ["--data-dir", data] }
        let output = directory.outputURL(trial: index)
        if !FileManager.default.fileExists(atPath: output.path) {
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: output)
        handle.seekToEndOfFile()
        let process = Process()
        process.executableURL = options.executable
        process.arguments = arguments
        process.currentDirectoryURL = workingDirectory
        (process.standardOutput, process.standardError) = (handle, handle)
        try process.run()
        try handle.close()
        trials[index].status = .running
        try directory.write(trials)
        report("\(SweepTrial.directoryName(index)) started: " + trials[index].overrides.joined(separator: " "))
        return Child(process: process, started: Date())
    }

    private func finish(_ index: Int, _ child: Child) throws {
        let name = SweepTrial.directoryName(index)
        var trial = trials[index]
        trial.wallSeconds = (trial.wallSeconds ?? 0) + Date().timeIntervalSince(child.started)
        if child.stopping {
            trial.status = .stopped
            report("\(name) stopped early at step \(trial.stoppedAt ?? 0): \(metric) \(Self.format(trial.metric))")
        } else if child.process.terminationReason == .exit, child.process.terminationStatus == 0 {
            trial.status = .done
            trial.metric = finalMetric(of: index)
            report("\(name) done: \(metric) \(Self.format(trial.metric))")
        } else {
            trial.status = .failed
            trial.exitCode = Int(child.process.terminationStatus)
            trial.lastLine = lastLine(of: directory.outputURL(trial: index))
            report("\(name) failed (exit \(trial.exitCode ?? 0)): \(trial.lastLine ?? "no output")")
        }
        trials[index] = trial
        try directory.write(trials)
    }

    /// Stops every running trial whose latest value of the metric is worse than the median of the
    /// finished trials' values at the same step.
    private func stopLaggards(_ children: inout [Int: Child]) throws {
        guard Date().timeIntervalSince(lastCheck) >= 0.5 else { return }
        lastCheck = Date()
        for trial in trials where trial.status == .done && finishedCurves[trial.index] == nil {
            finishedCurves[trial.index] = curve(of: trial.index)
        }
        let finished = Array(finishedCurves.values)
        guard !finished.isEmpty else { return }
        for (index, child) in children where !child.stopping {
            guard let (step, value) = curve(of: index).max(by: { $0.key < $1.key }) else { continue }
            let peers = finished.compactMap { $0[step] }.sorted()
            guard !peers.isEmpty else { continue }
            let median = peers.count % 2 == 1 ? peers[peers.count / 2] : (peers[peers.count / 2 - 1] + peers[peers.count / 2]) / 2
            guard maximize ? value < median : value > median else { continue }
            child.process.terminate()
            children[index]?.stopping = true
            (trials[index].metric, trials[index].stoppedAt) = (value, step)
        }
    }

    /// The metric's value at every step a trial has reported it (metrics.jsonl).
    private func curve(of index: Int) -> [Int: Double] {
        let parts = metric.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2,
              let events = try? MetricsWriter.read(directory.run(trial: index).metricsURL) else { return [:] }
        var values: [Int: Double] = [:]
        for event in events where event["split"] == .string(parts[0]) {
            guard case .int(let step)? = event["step"] else { continue }
            switch event[parts[1]] {
            case .double(let value)?: values[step] = value
            case .int(let value)?: values[step] = Double(value)
            default: continue
            }
        }
        return values
    }

    /// The metric as the trial's summary.json reports it at the end.
    func finalMetric(of index: Int) -> Double? {
        guard case .object(let final)? = directory.run(trial: index).summary?["final"] else { return nil }
        switch final[metric] {
        case .double(let value)?: return value
        case .int(let value)?: return Double(value)
        default: return nil
        }
    }

    func lastLine(of url: URL) -> String? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        // A spec error ends with its source line and a caret under it: its headline says what is wrong.
        return (lines.last { $0.contains("error: ") } ?? lines.last).map(String.init)
    }

    static func format(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "–" }

    /// The best finished trial by the metric, if any reported it.
    public var best: SweepTrial? {
        let scored = trials.filter { $0.status == .done && $0.metric != nil }
        let value = { (trial: SweepTrial) in trial.metric ?? .nan }
        return maximize ? scored.max { value($0) < value($1) } : scored.min { value($0) < value($1) }
    }
}
