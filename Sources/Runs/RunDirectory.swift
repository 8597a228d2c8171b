import Core
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One run's directory, laid out as DESIGN.md's "Run directory" says:
/// `runs/<name>-YYYYMMDD-HHMMSS/` with spec.yaml, plan.txt, tokenizer.json, metrics.jsonl, log.txt,
/// checkpoints/, summary.json and samples.txt. Whole files are written atomically; the logs are
/// appended.
public struct RunDirectory: Hashable, Sendable {
    public let url: URL

    /// The file whose presence marks a directory as a run: the runner writes it first.
    public static let specFileName = "spec.yaml"

    public var specURL: URL { url.appendingPathComponent(Self.specFileName) }
    public var planURL: URL { url.appendingPathComponent("plan.txt") }
    public var tokenizerURL: URL { url.appendingPathComponent("tokenizer.json") }
    /// A translation run's tokenizer of one side: `tokenizer.source.json`, `tokenizer.target.json`.
    public func tokenizerURL(side: String) -> URL { url.appendingPathComponent("tokenizer.\(side).json") }
    /// A classification run's classes, one name a line, in the order of their ids.
    public var labelsURL: URL { url.appendingPathComponent("labels.txt") }
    /// A word-vector run's vocabulary: `word<TAB>count` lines, most frequent first.
    public var vocabularyURL: URL { url.appendingPathComponent("vocabulary.tsv") }
    public var metricsURL: URL { url.appendingPathComponent("metrics.jsonl") }
    public var logURL: URL { url.appendingPathComponent("log.txt") }
    public var checkpointsURL: URL { url.appendingPathComponent("checkpoints", isDirectory: true) }
    public var summaryURL: URL { url.appendingPathComponent("summary.json") }
    public var samplesURL: URL { url.appendingPathComponent("samples.txt") }
    public var checkpoints: CheckpointStore { CheckpointStore(directory: checkpointsURL) }

    /// The run at `url` as it is, unchecked: one that another process made (rank 0 of an MPI job).
    public init(url: URL) {
        self.url = url
    }

    /// Creates `runsDirectory/<name>-YYYYMMDD-HHMMSS/` (and `checkpoints/` in it), with `-2`, `-3`, …
    /// appended when two runs start in the same second. The time is wall-clock time in `timeZone`,
    /// as a person reading `ls runs/` expects.
    public static func create(runsDirectory: URL, name: String, date: Date = Date(),
                              timeZone: TimeZone = .current) throws -> RunDirectory {
        try create(exactly: claim(in: runsDirectory, name: name, date: date, timeZone: timeZone), claimed: true)
    }

    /// Creates the run at exactly `url` (a sweep's `trial-007/`, `--run-dir`), and the directories
    /// above it; refuses a path that exists.
    public static func create(exactly url: URL, claimed: Bool = false) throws -> RunDirectory {
        if !claimed {
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard mkdir(url.path, 0o755) == 0 else {
                guard errno == EEXIST else { throw RunError.posix(url.path, "create directory") }
                throw RunError.badFile(path: url.path, reason: "it exists already; a run is trained into a new directory "
                    + "(continue one that stopped with `runner resume \(url.path)`)")
            }
        }
        let run = RunDirectory(url: url)
        guard mkdir(run.checkpointsURL.path, 0o755) == 0 else { throw RunError.posix(run.checkpointsURL.path, "create directory") }
        return run
    }

    /// Removes the run again when nothing was written into it (a run refused before it started: bad
    /// data, a plan that cannot be built), so a mistake leaves no empty run behind. A run holding any
    /// file but its lock is kept as it is.
    public func removeIfUnused() {
        let manager = FileManager.default
        let lock = url.appendingPathComponent(DirectoryLock.fileName).path
        guard (try? manager.contentsOfDirectory(atPath: checkpointsURL.path))?.isEmpty == true,
              let names = try? manager.contentsOfDirectory(atPath: url.path),
              Set(names).subtracting([DirectoryLock.fileName]) == [checkpointsURL.lastPathComponent] else { return }
        unlink(lock)
        rmdir(checkpointsURL.path)
        rmdir(url.path)
    }

    /// Makes and returns a new `directory/<name>-YYYYMMDD-HHMMSS[-N]/`. Each candidate is claimed with
    /// `mkdir`, which fails if the name exists, so two runners starting together never share one.
    public static func claim(in directory: URL, name: String, date: Date = Date(), timeZone: TimeZone = .current)
        throws -> URL {
        if let problem = RunName.problem(name) { throw RunError.invalidRunName(name, problem: problem) }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw RunError.io(path: directory.path, operation: "create directory", reason: error.localizedDescription)
        }
        let base = "\(name)-\(timestamp(date, timeZone: timeZone))"
        var suffix = 1
        while true {
            let candidate = directory.appendingPathComponent(suffix == 1 ? base : "\(base)-\(suffix)", isDirectory: true)
            if mkdir(candidate.path, 0o755) == 0 { return candidate }
            guard errno == EEXIST else { throw RunError.posix(candidate.path, "create directory") }
            suffix += 1
        }
    }

    /// Opens an existing run, for `runner resume`, `sample` and `eval`.
    public static func open(_ url: URL) throws -> RunDirectory {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw RunError.missingRun(path: url.path)
        }
        let run = RunDirectory(url: url)
        guard isDirectory.boolValue else {
            throw RunError.badFile(path: url.path, reason: "is a file, not a run directory; give the directory that holds it")
        }
        guard FileManager.default.fileExists(atPath: run.specURL.path) else {
            throw RunError.notARun(path: url.path)
        }
        return run
    }

    /// `YYYYMMDD-HHMMSS`.
    static func timestamp(_ date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int) -> String {
            let digits = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(parts.year, 4) + pad(parts.month, 2) + pad(parts.day, 2) + "-"
            + pad(parts.hour, 2) + pad(parts.minute, 2) + pad(parts.second, 2)
    }

    /// The names of the files a run keeps at its top level, which no command's output may replace.
    var recordNames: Set<String> {
        Set([specURL, planURL, tokenizerURL, tokenizerURL(side: "source"), tokenizerURL(side: "target"), labelsURL,
             vocabularyURL, metricsURL, logURL, summaryURL, samplesURL, url.appendingPathComponent(DirectoryLock.fileName)]
            .map(\.lastPathComponent))
    }

    /// Refuses `path` as a command's output (`--out`, `--attention`) where writing it would replace a
    /// file of a run: one of its records (spec.yaml, metrics.jsonl, a tokenizer…) or anything under its
    /// checkpoints/ or tb/. A run is a directory with spec.yaml and checkpoints/; a plot, report or
    /// export written beside them is fine. Returns the file `atomicWrite` would replace.
    public static func checkOutput(_ path: String, flag: String) throws -> URL {
        guard !path.isEmpty else { throw RunError.badFile(path: flag, reason: "names no file (an empty path); give one") }
        let file = try outputFile(path)
        let parent = file.deletingLastPathComponent()
        let isRun = { (directory: URL) in
            let run = RunDirectory(url: directory)
            return FileManager.default.fileExists(atPath: run.specURL.path)
                && FileManager.default.fileExists(atPath: run.checkpointsURL.path)
        }
        let name = file.lastPathComponent
        let owned: String? = if isRun(parent), RunDirectory(url: parent).recordNames.contains(name) {
            "the \(name) of the run \(parent.path)"
        } else if ["checkpoints", "tb"].contains(parent.lastPathComponent), isRun(parent.deletingLastPathComponent()) {
            "in the \(parent.lastPathComponent)/ of the run \(parent.deletingLastPathComponent().path)"
        } else {
            nil
        }
        guard let owned else { return file }
        throw RunError.badFile(path: path, reason: "is \(owned), which \(flag) would replace; write to another path")
    }

    /// Writes the fully resolved spec; this is what makes the directory a run.
    public func writeSpec(_ text: String) throws { try atomicWrite(Data(text.utf8), to: specURL) }

    public func writePlan(_ text: String) throws { try atomicWrite(Data(text.utf8), to: planURL) }

    /// Writes summary.json (final and best metrics, wall time, machine, git revision) in full, so a
    /// run killed while writing it keeps the previous summary.
    public func writeSummary(_ summary: [String: JSONValue]) throws {
        try atomicWrite(Data((JSONValue.object(JSONObject(summary)).pretty + "\n").utf8), to: summaryURL)
    }

    /// summary.json as the run's end wrote it; nil when there is none or it does not parse.
    public var summary: JSONObject? {
        guard let text = try? String(contentsOf: summaryURL, encoding: .utf8),
              case .object(let summary)? = try? JSONValue(parsing: text) else { return nil }
        return summary
    }

    /// The step a finished run ended at: summary.json's `steps`, when the newest checkpoint is of that
    /// step, reads back whole and was saved under the spec.yaml there now. nil while steps remain (a
    /// run killed after its last checkpoint but before its summary, one whose later checkpoints were
    /// deleted to train them again, one whose last checkpoint is damaged) and for an edited spec, so
    /// that resuming says what is wrong.
    public func finishedStep() throws -> Int? {
        guard case .int(let steps)? = summary?["steps"],
              try checkpoints.list().last?.step == steps,
              let latest = try? checkpoints.latest(), latest.checkpoint.step == steps,
              latest.checkpoint.specHash == (try? specTextHash()) else { return nil }
        return steps
    }

    /// The hash checkpoints carry for this run: of spec.yaml's text.
    public func specTextHash() throws -> UInt64 {
        Checkpoint.specHash(of: try String(contentsOf: specURL, encoding: .utf8))
    }

    /// Removes summary.json: a run resumed before its end is unfinished until it writes a new one, so
    /// a resume killed on the way is not taken for finished by the summary of the run's first end.
    public func removeSummary() throws {
        guard FileManager.default.fileExists(atPath: summaryURL.path) else { return }
        do {
            try FileManager.default.removeItem(at: summaryURL)
        } catch {
            throw RunError.io(path: summaryURL.path, operation: "remove", reason: error.localizedDescription)
        }
    }

    /// Appends the text generated at an eval, under a header naming the step.
    public func appendSample(step: Int, text: String) throws {
        try AppendFile(url: samplesURL).append("--- step \(step) ---\n\(text)\n\n", sync: true)
    }

    /// samples.txt as `appendSample` writes it: each eval's step and text, in order; none without the file.
    public func samples() -> [(step: Int, text: String)] {
        guard let text = try? readText(samplesURL) else { return [] }
        var samples: [(step: Int, lines: [Substring])] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let step = Self.sampleStep(line) {
                samples.append((step, []))
            } else if !samples.isEmpty {
                samples[samples.count - 1].lines.append(line)
            }
        }
        return samples.map { ($0.step, $0.lines.joined(separator: "\n").trimmingCharacters(in: .newlines)) }
    }

    /// Drops the samples generated after `step`, as metrics.jsonl drops its events: a run resumed from
    /// the checkpoint at `step` generates them again.
    public func truncateSamples(afterStep step: Int) throws {
        guard FileManager.default.fileExists(atPath: samplesURL.path) else { return }
        let lines = try readText(samplesURL).split(separator: "\n", omittingEmptySubsequences: false)
        guard let later = lines.firstIndex(where: { Self.sampleStep($0).map { $0 > step } ?? false }) else { return }
        try atomicWrite(Data(lines[..<later].map { $0 + "\n" }.joined().utf8), to: samplesURL)
    }

    /// The step of a header line of samples.txt, `--- step N ---`; nil for any other line.
    private static func sampleStep(_ line: Substring) -> Int? {
        guard line.hasPrefix("--- step "), line.hasSuffix(" ---") else { return nil }
        return Int(line.dropFirst(9).dropLast(4))
    }

    /// TensorBoard's event files (`tensorboard --logdir runs` finds them).
    public var tensorboardURL: URL { url.appendingPathComponent("tb") }

    /// The writer of metrics.jsonl (and of TensorBoard's events when `tensorboard`); `resumedAfter` is
    /// the step of the checkpoint a resumed run continues from.
    public func metricsWriter(tensorboard: Bool, resumedAfter step: Int? = nil) throws -> MetricsWriter {
        try MetricsWriter(url: metricsURL, tensorboard: tensorboard ? tensorboardURL : nil, resumedAfter: step)
    }

    public func logWriter(echo: Bool = true) throws -> LogWriter { try LogWriter(url: logURL, echo: echo) }
}
