import Core
import Foundation

/// Appends events to `metrics.jsonl`: one JSON object per line, keys sorted, so two runs that did
/// the same thing produce the same bytes and a resumed run can be compared line by line with an
/// uninterrupted one.
public final class MetricsWriter {
    public let url: URL
    private let file: AppendFile
    /// Where each event's numbers also go as TensorBoard scalars; nil when `log.tensorboard` is off.
    private let tensorboardDirectory: URL?
    /// Opened at the first event, so that a writer replaced before it logs anything leaves no file.
    private var tensorboard: TensorBoardLog?
    /// The checkpoint step a resumed run continues after: its event file starts with a restart mark.
    private let resumedAfter: Int?

    /// Opens (creating if needed) the file at `url`; events already there are kept.
    public init(url: URL, tensorboard: URL? = nil, resumedAfter step: Int? = nil) throws {
        self.url = url
        file = try AppendFile(url: url)
        (tensorboardDirectory, resumedAfter) = (tensorboard, step)
    }

    /// Appends one event, e.g. `["step": 500, "split": "valid", "loss": 1.42]`. `sync` also fsyncs,
    /// worth it at eval and checkpoint cadence; per-step events need only the cheap append, which
    /// already survives the process being killed. An event with a step and a split also goes to
    /// TensorBoard, each number as the scalar `split/name` (`valid/loss`).
    public func append(_ event: [String: JSONValue], sync: Bool = false) throws {
        try file.append(JSONValue.object(JSONObject(event)).compact + "\n", sync: sync)
        guard case .int(let step)? = event["step"], case .string(let split)? = event["split"] else { return }
        let wallTime = Date().timeIntervalSince1970
        for (name, value) in event.sorted(by: { $0.key < $1.key }) where name != "step" {
            guard let number = value.number, let log = try tensorboardLog(wallTime) else { continue }
            try log.scalar(split + "/" + name, number, step: step, wallTime: wallTime)
        }
    }

    /// A text for TensorBoard's text tab (a sample), when TensorBoard logging is on.
    public func text(_ tag: String, _ text: String, step: Int) throws {
        let wallTime = Date().timeIntervalSince1970
        try tensorboardLog(wallTime)?.text(tag, text, step: step, wallTime: wallTime)
    }

    private func tensorboardLog(_ wallTime: Double) throws -> TensorBoardLog? {
        guard let tensorboardDirectory else { return nil }
        if let tensorboard { return tensorboard }
        let log = try TensorBoardLog(directory: tensorboardDirectory, wallTime: wallTime)
        if let resumedAfter { try log.restart(after: resumedAfter, wallTime: wallTime) }
        tensorboard = log
        return log
    }

    /// Reads every event of a metrics file; a blank last line is ignored, and so is a last line cut
    /// short (no newline after it), which a run killed mid-write leaves until `resume` drops it. Any
    /// other line that is not a JSON object is reported with its line number.
    public static func read(_ url: URL) throws -> [[String: JSONValue]] {
        let text = try readText(url)
        var events: [[String: JSONValue]] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() where !line.isEmpty {
            guard case .object(let event)? = try? JSONValue(parsing: String(line)) else {
                if index == lines.count - 1 { break }
                throw RunError.badFile(path: "\(url.path):\(index + 1)", reason: "not a JSON object")
            }
            events.append(event.dictionary)
        }
        return events
    }

    /// Drops the events after `step` so that a run resumed from the checkpoint at `step` does not
    /// log the steps it repeats twice, and any test score: the test split is scored after the last
    /// checkpoint, so a run killed between the two scores it again. Events without a step (run start,
    /// notes) are kept. The file is rewritten atomically; a partial last line left by a kill
    /// mid-write is dropped too.
    public static func truncate(_ url: URL, afterStep step: Int) throws {
        let lines = try readText(url).split(separator: "\n", omittingEmptySubsequences: true)
        let kept = lines.filter { line in
            guard case .object(let event)? = try? JSONValue(parsing: String(line)) else { return false }
            if event["split"] == .string("test") { return false }
            if case .int(let eventStep)? = event["step"] { return eventStep <= step }
            return true
        }
        try atomicWrite(Data(kept.map { $0 + "\n" }.joined().utf8), to: url)
    }
}

/// Appends to `log.txt` what the console shows, and optionally shows it too (the tee), so the run
/// directory keeps the record a person saw scroll by.
public final class LogWriter {
    public let url: URL
    private let file: AppendFile
    private let echo: Bool

    /// `echo: true` also prints each line to standard output.
    public init(url: URL, echo: Bool = true) throws {
        self.url = url
        self.echo = echo
        file = try AppendFile(url: url)
    }

    /// Writes one line (a newline is added) to the log and, when echoing, to standard output.
    public func line(_ text: String, sync: Bool = false) throws {
        // Written straight to the descriptor: print's buffer would keep a pipe or a file empty until it fills.
        if echo { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
        try file.append(text + "\n", sync: sync)
    }

    /// Writes one line to the log alone: what the console shows another way, as the error that ends
    /// a failed run (the runner prints it on standard error).
    public func record(_ text: String) throws {
        try file.append(text + "\n", sync: true)
    }
}

func readText(_ url: URL) throws -> String {
    do {
        return String(decoding: try Data(contentsOf: url), as: UTF8.self)
    } catch {
        throw RunError.io(path: url.path, operation: "read", reason: error.localizedDescription)
    }
}
