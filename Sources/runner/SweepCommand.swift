import Data
import Foundation
import Runs
import Spec
import Studies
import Training

/// `runner sweep`: starts or resumes a sweep, reports trials as they start and end, and closes with
/// every trial's metric and the best one. Exit 1 when a trial failed.
enum SweepCommand {
    static func run(_ request: Command.SweepRequest) throws -> Int32 {
        var request = request
        // Trials start in the sweep's first directory (`Sweep.workingDirectory`), not necessarily this one.
        request.dataDirectory = request.dataDirectory.map { URL(fileURLWithPath: $0).path }
        let say = { (line: String) in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        if request.status {
            try printStatus(try Sweep.open(URL(fileURLWithPath: request.path), report: say))
            return 0
        }
        let sweep: Sweep
        if request.resume {
            let url = URL(fileURLWithPath: request.path)
            // Slurm's running trials hold their directories: the submission passes them over instead.
            let opened = try Sweep.open(url, report: say)
            sweep = opened.isOnSlurm ? opened : try Sweep.resume(url, report: say)
            if !sweep.isOnSlurm {
                let left = sweep.trials.filter { !$0.isFinished }.count
                say("resuming \(sweep.directory.url.path): \(left) of \(sweep.trials.count) trials to run")
            }
        } else {
            let spec = try SweepSpec.load(path: request.path)
            let locator = DataLocator.forCurrentProcess(dataDirectory: request.dataDirectory)
            sweep = try Sweep.start(spec, runsDirectory: URL(fileURLWithPath: request.runsDirectory),
                                    anchoring: locator.anchored, report: say)
            say("sweep directory: \(sweep.directory.url.path) (\(sweep.trials.count) trials)")
        }
        // Held until the sweep returns: a second `sweep --resume` of this directory refuses meanwhile.
        let lock = try DirectoryLock(sweep.directory.url)
        defer { withExtendedLifetime(lock) {} }
        if let pid = lock.takenOverFrom { say("note: took over \(DirectoryLock.fileName) from process \(pid), which no longer runs") }
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if request.slurm != nil || sweep.isOnSlurm {
            let threads = try ExperimentSpec.load(path: sweep.directory.baseURL.path).train.threads ?? 1
            let options = (request.slurm ?? SlurmOptions()).filling(from: sweep.recordedSlurmOptions)
            let job = try sweep.submitToSlurm(options, executable: executable,
                                              dataDirectory: request.dataDirectory, threads: threads)
            if let job { print("slurm job \(job)") } else { say("every trial has finished or is in Slurm's queue; nothing to submit") }
            say("follow it with: runner sweep --status \(sweep.directory.url.path)")
            return 0
        }
        var options = Sweep.Options(executable: executable)
        (options.parallel, options.failFast, options.dataDirectory) = (request.parallel, request.failFast, request.dataDirectory)
        if request.parallel > options.cores {
            say("note: --parallel \(request.parallel) lowered to \(options.cores), the cores of this machine")
        }
        Interruption.install()
        options.stopSignal = { Interruption.received }
        if let signal = try sweep.run(options) {
            say("stopped by signal \(signal); the running trials stopped after their step with a checkpoint; continue with: "
                + "runner sweep --resume \(sweep.directory.url.path)")
            return 128 + signal
        }
        for trial in sweep.trials {
            let metric = trial.metric.map { String(format: "%.4f", $0) } ?? "–"
            print("\(SweepTrial.directoryName(trial.index))  \(trial.status.rawValue)  \(metric)  "
                  + trial.overrides.joined(separator: " "))
        }
        if let best = sweep.best {
            print("best: \(SweepTrial.directoryName(best.index)) " + best.overrides.joined(separator: " "))
        }
        let unfinished = sweep.trials.filter { !$0.isFinished }.count
        if unfinished > 0 {
            say("stopped at the first failure (--fail-fast); \(unfinished) trials left: runner sweep --resume "
                + sweep.directory.url.path)
        }
        return sweep.trials.contains { $0.status == .failed } ? 1 : 0
    }

    /// One line a trial: Slurm's state while the array holds it, else what its files (or, for a sweep
    /// run here, sweep.jsonl) say; the metric of the finished ones.
    private static func printStatus(_ sweep: Sweep) throws {
        let states = sweep.isOnSlurm ? try sweep.slurmStates() : [:]
        for trial in sweep.trials {
            var (state, metric) = (trial.status.rawValue, trial.metric)
            switch states[trial.index] {
            case .queued(let slurmState)?: state = slurmState.lowercased() + " (slurm)"
            case .finished(let value)?: (state, metric) = ("done", value)
            case .ended(let lastLine)?: state = "ended without finishing: " + lastLine
            case nil where sweep.isOnSlurm: state = "not submitted"
            case nil: break
            }
            print("\(SweepTrial.directoryName(trial.index))  \(state)  \(metric.map { String(format: "%.4f", $0) } ?? "–")  "
                  + trial.overrides.joined(separator: " "))
        }
    }
}
