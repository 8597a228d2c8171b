import Core
import Foundation
import Runs

/// How `runner sweep --scheduler slurm` hands its trials to a Slurm cluster.
public struct SlurmOptions: Equatable, Sendable {
    /// `--partition`; nil for the cluster's default.
    public var partition: String?
    /// `--max-concurrent`: the array's `%K`, the trials Slurm runs at once; nil for no limit.
    public var maxConcurrent: Int?
    /// `--time HH:MM:SS`, each trial's limit; nil for the partition's.
    public var time: String?

    public init(partition: String? = nil, maxConcurrent: Int? = nil, time: String? = nil) {
        (self.partition, self.maxConcurrent, self.time) = (partition, maxConcurrent, time)
    }
}

/// What Slurm refused, or could not be asked.
public enum SlurmError: Error, Equatable, CustomStringConvertible {
    /// `sbatch` (or `squeue`) is not on the PATH.
    case missingCommand(String)
    /// sbatch exited non-zero: its own message.
    case rejected(command: String, message: String)

    public var description: String {
        switch self {
        case .missingCommand(let name):
            "\(name) is not on the PATH: install Slurm's client commands (Debian: apt-get install slurm-client) "
                + "on a machine of the cluster, or run the sweep here without --scheduler slurm"
        case .rejected(let command, let message):
            "\(command) refused the sweep: \(message.trimmingCharacters(in: .whitespacesAndNewlines)) "
                + "(the script is kept; fix the option and run: runner sweep --resume DIR --scheduler slurm)"
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .missingCommand: 66
        case .rejected: 64
        }
    }
}

/// A sweep's trials as one Slurm job array: `sweep.sbatch` in the sweep directory runs, as array task
/// N, trial N's `runner` (or `runner resume` when the trial has a checkpoint), its output in
/// `trial-NNN.out` as a local sweep writes it. The job ids go into sweep.json; where each trial
/// stands is read back from `squeue` and the trial's own files, never written by the array's tasks,
/// so that no two tasks write one file.
extension Sweep {
    static let scriptName = "sweep.sbatch"

    /// The batch script for the trials `indices`.
    func slurmScript(indices: [Int], options: SlurmOptions, executable: URL, dataDirectory: String?, threads: Int) -> String {
        // In --output's filename pattern a literal % is %%; a resubmitted trial appends to its output,
        // as a resumed local trial does.
        let output = directory.url.path.replacingOccurrences(of: "%", with: "%%") + "/trial-%3a.out"
        var lines = ["#!/bin/bash", "# Written by `runner sweep --scheduler slurm`; submitted with sbatch.",
                     "#SBATCH --job-name=" + directiveQuoted(directory.url.lastPathComponent),
                     "#SBATCH --array=\(arraySpecification(indices, limit: options.maxConcurrent))",
                     "#SBATCH --output=" + directiveQuoted(output), "#SBATCH --open-mode=append",
                     "#SBATCH --cpus-per-task=\(threads)"]
        if let partition = options.partition { lines.append("#SBATCH --partition=" + directiveQuoted(partition)) }
        if let time = options.time { lines.append("#SBATCH --time=\(time)") }
        if let start = workingDirectory { lines.append("#SBATCH --chdir=" + directiveQuoted(start.path)) }
        let data = dataDirectory.map { " --data-dir " + shellQuoted($0) } ?? ""
        lines += ["set -u", "case \"$SLURM_ARRAY_TASK_ID\" in"]
        for index in indices {
            let overrides = trials[index].overrides.map { "--set " + shellQuoted($0) }.joined(separator: " ")
            lines.append("  \(index)) run=\(shellQuoted(directory.runURL(trial: index).path)); set -- \(overrides) ;;")
        }
        lines += ["  *) echo \"no trial $SLURM_ARRAY_TASK_ID in this sweep\" >&2; exit 64 ;;", "esac",
                  "# A trial another process still trains (its run.lock held) is left to it.",
                  "if [ -e \"$run/run.lock\" ] && ! flock --nonblock --shared \"$run/run.lock\" true; then",
                  "  echo \"$run is being trained by another process; not started twice\" >&2; exit 75",
                  "fi",
                  "# A trial with a checkpoint goes on from it; any other starts afresh.",
                  "if compgen -G \"$run/checkpoints/step-*.ckpt\" > /dev/null; then",
                  "  exec \(shellQuoted(executable.path)) resume \"$run\"\(data)", "fi", "rm -rf \"$run\"",
                  "exec \(shellQuoted(executable.path)) \(shellQuoted(directory.baseURL.path)) --set train.threads=\(threads) "
                    + "\"$@\" --run-dir \"$run\"\(data)"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the script for every trial not finished or queued, submits it and records the job in
    /// sweep.json; returns the job id, or nil when nothing was left to submit.
    public func submitToSlurm(_ options: SlurmOptions, executable: URL, dataDirectory: String?, threads: Int) throws -> String? {
        let states = try slurmStates()
        let indices = trials.indices.filter { states[$0]?.isUnfinished ?? true }
        guard !indices.isEmpty else { return nil }
        guard let sbatch = executableOnPath("sbatch") else { throw SlurmError.missingCommand("sbatch") }
        let script = directory.url.appendingPathComponent(Self.scriptName)
        try atomicWrite(Data(slurmScript(indices: indices, options: options, executable: executable,
                                         dataDirectory: dataDirectory, threads: threads).utf8), to: script)
        guard let result = runProcess([sbatch, "--parsable", script.path]) else { throw SlurmError.missingCommand("sbatch") }
        guard result.status == 0 else { throw SlurmError.rejected(command: "sbatch", message: result.error + result.output) }
        // --parsable prints "jobid" or "jobid;cluster".
        let job = String(result.output.trimmingCharacters(in: .whitespacesAndNewlines).prefix { $0 != ";" })
        header["scheduler"] = "slurm"
        header["slurm_jobs"] = .array((Self.slurmJobs(in: header) + [job]).map(JSONValue.string))
        header["slurm"] = .object(JSONObject([
            "partition": options.partition.map(JSONValue.string) ?? .null, "time": options.time.map(JSONValue.string) ?? .null,
            "max_concurrent": options.maxConcurrent.map(JSONValue.int) ?? .null,
        ]))
        try directory.writeHeader(header)
        report("submitted \(indices.count) trials to Slurm as job \(job) (\(Self.scriptName))")
        return job
    }

    /// The options the sweep was last submitted with (sweep.json's `slurm`), for a resume that gives none.
    public var recordedSlurmOptions: SlurmOptions {
        guard case .object(let recorded)? = header["slurm"] else { return SlurmOptions() }
        let text = { (key: String) -> String? in if case .string(let value)? = recorded[key] { value } else { nil } }
        return SlurmOptions(partition: text("partition"), maxConcurrent: recorded["max_concurrent"]?.number.flatMap { Int(exactly: $0) },
                            time: text("time"))
    }

    /// Each trial's state: Slurm's while the array holds it (PENDING, RUNNING, …), else what its files
    /// say. A trial without a state has not been submitted.
    /// Slurm is asked first and the files read after, so that a trial finishing in between is seen
    /// finished rather than ended. A queue Slurm cannot show is an error, never "nothing queued": that
    /// would resubmit running trials.
    public func slurmStates() throws -> [Int: SlurmTrialState] {
        var states: [Int: SlurmTrialState] = [:]
        let jobs = Set(Self.slurmJobs(in: header))
        if !jobs.isEmpty {
            guard let squeue = executableOnPath("squeue") else { throw SlurmError.missingCommand("squeue") }
            // The user's own jobs in every state that is not over (SQUEUE_STATES and SQUEUE_USERS set
            // elsewhere must not change that), one line per array task: array job, task, state.
            guard let result = runProcess([squeue, "--me", "--noheader", "--array", "--format=%F %K %T",
                                           "--states=PENDING,CONFIGURING,RUNNING,COMPLETING,SUSPENDED,REQUEUED"]) else {
                throw SlurmError.missingCommand("squeue")
            }
            guard result.status == 0 else { throw SlurmError.rejected(command: "squeue", message: result.error + result.output) }
            for line in result.output.split(separator: "\n") {
                let fields = line.split(separator: " ").map(String.init)
                // A pending array not yet split shows its whole range ("2-5%2") in one line.
                guard fields.count == 3, jobs.contains(fields[0]) else { continue }
                for index in indices(inArrayField: fields[1]) where trials.indices.contains(index) {
                    states[index] = .queued(fields[2])
                }
            }
        }
        for index in trials.indices where states[index] == nil {
            if FileManager.default.fileExists(atPath: directory.run(trial: index).summaryURL.path) {
                states[index] = .finished(metric: finalMetric(of: index))
            } else if FileManager.default.fileExists(atPath: directory.outputURL(trial: index).path) {
                states[index] = .ended(lastLine: lastLine(of: directory.outputURL(trial: index)) ?? "no output")
            }
        }
        return states
    }

    /// The ids of every job the sweep was submitted as, oldest first.
    private static func slurmJobs(in header: [String: JSONValue]) -> [String] {
        guard case .array(let jobs)? = header["slurm_jobs"] else { return [] }
        return jobs.compactMap { if case .string(let job) = $0 { job } else { nil } }
    }

    /// `0-3,7` (and `%K`) from trial indices, ranges where they run on.
    private func arraySpecification(_ indices: [Int], limit: Int?) -> String {
        var parts: [String] = []
        var start = indices.first ?? 0, previous = start
        for index in indices.dropFirst() + [Int.min] {
            if index == previous + 1 { previous = index; continue }
            parts.append(start == previous ? "\(start)" : "\(start)-\(previous)")
            (start, previous) = (index, index)
        }
        return parts.joined(separator: ",") + (limit.map { "%\($0)" } ?? "")
    }

    /// The indices of squeue's `%K`: one index, or a pending range `2-5%2` / list `1,3`.
    private func indices(inArrayField field: String) -> [Int] {
        field.prefix { $0 != "%" }.split(separator: ",").flatMap { part -> [Int] in
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            return bounds.count == 2 && bounds[0] <= bounds[1] ? Array(bounds[0]...bounds[1]) : bounds.prefix(1).map { $0 }
        }
    }
}

/// Where a trial of a Slurm sweep stands.
public enum SlurmTrialState: Equatable, Sendable {
    /// In Slurm's queue, with Slurm's state name (PENDING, RUNNING, COMPLETING, …).
    case queued(String)
    /// It wrote summary.json.
    case finished(metric: Double?)
    /// It ran (its output exists) and ended without finishing: killed, failed or out of time.
    case ended(lastLine: String)

    var isUnfinished: Bool {
        if case .ended = self { return true }
        return false
    }
}

extension SlurmOptions {
    /// These options, each one not given taken from `recorded` (a resume that changes one keeps the rest).
    public func filling(from recorded: SlurmOptions) -> SlurmOptions {
        SlurmOptions(partition: partition ?? recorded.partition, maxConcurrent: maxConcurrent ?? recorded.maxConcurrent,
                     time: time ?? recorded.time)
    }
}

/// A value for an `#SBATCH` directive: sbatch reads it in double quotes, `\\` and `"` escaped.
func directiveQuoted(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}

/// `text` as one word for the shell: single quotes, each quote inside closed and escaped.
func shellQuoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// The first `name` on the PATH that is an executable file, or nil.
func executableOnPath(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}
