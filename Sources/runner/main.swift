import Data
import Distributed
import Embeddings
import Engine
import Foundation
import Planner
import Runs
import Spec
import Text
import Training
import Studies

/// parse → validate → run; every error a user can cause ends here as a message and an exit code.
func main() -> Int32 {
    // A file grown past the size limit (`ulimit -f`, like a full disk) is a failed write with a
    // message naming the file, not a process killed by SIGXFSZ.
    signal(SIGXFSZ, SIG_IGN)
    // The processes of the run: this one alone, or the MPI job's ranks once `train`, `resume` or
    // `check` joins them.
    var team = Team.alone
    do {
        switch try Command(arguments: Array(CommandLine.arguments.dropFirst())) {
        case .help(let topic):
            print(Help.text(for: topic))
        case .check(let path, let options):
            // Read once: the file may be a pipe (`runner check <(…)`), which a second read finds empty.
            let text = try ExperimentSpec.text(ofFileAt: path)
            if SweepSpec.isSweep(text: text, path: path) {
                guard options.overrides.isEmpty else {
                    throw Command.UsageError(message: "check of a sweep takes no --set; its parameters are the overrides")
                }
                print(try SweepSpec.parse(text, path: path).summary)
                break
            }
            team = try joinTeam(options)
            let spec = try ExperimentSpec.parse(text, path: path, overrides: options.overrides, ranks: team.size)
            let plan = try Checker.plan(spec, locator: .forCurrentProcess(dataDirectory: options.dataDirectory), team: team)
            if team.isLeader { print(plan) }
        case .train(let path, let options):
            team = try joinTeam(options)
            Interruption.install()
            let locator = DataLocator.forCurrentProcess(dataDirectory: options.dataDirectory)
            // Relative paths are recorded absolute: the run reads the same files from wherever it is evaluated or resumed.
            let spec = try ExperimentSpec.load(path: path, overrides: options.overrides, ranks: team.size)
                .mappingFileReferences(locator.anchored)
            let run = try newRun(of: spec, options, team: team)
            let trainer: Trainer
            do {
                trainer = try Trainer(spec: spec, run: run, locator: locator, team: team)
            } catch {
                if team.isLeader { run.removeIfUnused() }
                throw error
            }
            try trainer.fit()
        case .resume(let path, let options):
            team = try joinTeam(options)
            Interruption.install()
            let run = try RunDirectory.open(URL(fileURLWithPath: path))
            // A finished run is left exactly as it is: its test score, summary and wall time stand.
            if let step = try finishedStep(of: run, team: team) {
                if team.isLeader { print("\(path) finished at step \(step) (see its summary.json); nothing to resume") }
            } else {
                let locator = DataLocator.forCurrentProcess(dataDirectory: options.dataDirectory)
                try Trainer.resume(run, locator: locator, team: team).fit()
            }
        case .eval(let path, let split, let options):
            let locator = DataLocator.forCurrentProcess(dataDirectory: options.dataDirectory)
            let score = try SplitScore(try RunDirectory.open(URL(fileURLWithPath: path)), split: split, locator: locator,
                                       checkpoint: options.checkpoint)
            for warning in score.warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
            print(score.line)
        case .promptedEval(let path, let options):
            // The task files first: a mistake in one shows before the model is loaded.
            let task = try PromptedTask.load(path: options.task)
            let demos = try options.demos.map(PromptedTask.load(path:)) ?? task
            let sampler = try Sampler.open(try RunDirectory.open(URL(fileURLWithPath: path)), checkpoint: options.checkpoint,
                                           command: "eval --task")
            for warning in sampler.warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
            print(try PromptedEvaluation(sampler).evaluate(task, shots: options.shots, demos: demos, seed: options.seed))
        case .table(let paths, let options):
            let runs = try comparedRuns(paths, usable: { FileManager.default.fileExists(atPath: $0.summaryURL.path) },
                                        left: "no summary.json: still training, stopped or failed")
            let table = try ResultsTable(runs: runs, metrics: options.metrics, sortedBy: options.sort)
            switch options.format {
            case .text: print(table.text)
            case .markdown: print(table.markdown)
            case .csv: FileHandle.standardOutput.write(Data(table.csv.utf8))
            }
        case .plot(let paths, let options):
            // Each metrics.jsonl read once: the runs found to have reported are plotted as read.
            var reported: [RunDirectory: LoggedRun] = [:]
            let runs = try comparedRuns(paths, usable: { run in
                reported[run] = (try? LoggedRun.ifReported(run)) ?? nil
                return reported[run] != nil
            }, left: "no metrics logged yet")
            let output = try RunDirectory.checkOutput(options.output, flag: "--out")
            let plot = try CurvePlot(learningCurvesOf: try runs.map { try reported[$0] ?? LoggedRun($0) }, metric: options.metric,
                                     logarithmic: options.logarithmic)
            try atomicWrite(Data(plot.svg.utf8), to: output)
            print(options.output)
        case .report(let paths, let output):
            let file = output ?? (paths.count == 1 ? URL(fileURLWithPath: paths[0]).appendingPathComponent("report.html").path : "report.html")
            let html = try RunReport(paths: paths).html
            let checked = try RunDirectory.checkOutput(file, flag: "--out")
            try atomicWrite(Data(html.utf8), to: checked)
            print(file)
        case .sweep(let request):
            return try SweepCommand.run(request)
        case .bleu(let request):
            try BLEUCommand.run(request)
        case .translate(let path, let options):
            try TranslateCommand.run(path, options)
        case .predict(let path, let checkpoint):
            try PredictCommand.run(path, checkpoint: checkpoint)
        case .fillMask(let path, let text, let count, let checkpoint):
            try FillMaskCommand.run(path, text: text, count: count, checkpoint: checkpoint)
        case .embed(let path, let options):
            try EmbedCommand.run(path, options)
        case .similar(let path, let word, let options):
            try WordVectorCommand.similar(path, word: word, options)
        case .analogy(let path, let words, let options):
            try WordVectorCommand.analogy(path, words: words, options)
        case .export(let path, let options):
            try WordVectorCommand.export(path, options)
        case .tokenize(.encode(let tokenizer)):
            try TokenizeCommand.encode(tokenizerPath: tokenizer)
        case .tokenize(.train(let request)):
            try TokenizeCommand.train(request)
        case .sample(let path, let options):
            let run = try RunDirectory.open(URL(fileURLWithPath: path))
            let sampler = try Sampler.open(run, checkpoint: options.checkpoint)
            for warning in sampler.warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
            let prompt = try options.prompt ?? ExperimentSpec.load(path: run.specURL.path).sample.prompt
            let start = Date()
            let generation = try sampler.generate(prompt: prompt, options.decoding)
            print(generation.text)
            let seconds = Date().timeIntervalSince(start)
            FileHandle.standardError.write(Data(String(format: "%d tokens in %.3f s (%.0f tokens/s)\n", generation.tokens,
                                                       seconds, Double(generation.tokens) / max(seconds, 1e-9)).utf8))
        }
        team.leave()
        return 0
    } catch {
        let (message, code) = describe(error)
        // Every rank reads the same spec and arguments and makes the same decisions, so rank 0 speaks
        // for those; what else goes wrong on another rank is its own and says which rank it is.
        if team.isLeader {
            FileHandle.standardError.write(Data((message + "\n").utf8))
        } else if !(error is SpecError || error is Command.UsageError || error is TrainingError || error is PlanError) {
            // A TeamError's message names its rank already.
            FileHandle.standardError.write(Data(((error is TeamError ? "" : "rank \(team.rank): ") + message + "\n").utf8))
        }
        // The ranks agreed to stop after a step: none ends before rank 0 has checkpointed it and said
        // how to continue, since mpirun takes the first exit for a failure and kills the others.
        if case TrainingError.interrupted = error {
            try? team.barrier("end of the stopped run")
            team.leave()
        }
        return code
    }
}

/// The step `run` finished at, nil if it has steps to train. Rank 0 decides for every rank, after
/// checking that no process is training the run (its summary may be about to change).
func finishedStep(of run: RunDirectory, team: Team) throws -> Int? {
    var step = ""
    if team.isLeader {
        try DirectoryLock.checkFree(run.url)
        step = try run.finishedStep().map(String.init) ?? ""
    }
    return Int(try team.broadcast(step, "whether the run is finished"))
}

/// The runs `table` or `plot` compares (`RunCollection.runs(in:usable:)`); the runs of a directory
/// that were left out are named on stderr with `reason`.
func comparedRuns(_ paths: [String], usable: (RunDirectory) -> Bool, left reason: String) throws -> [RunDirectory] {
    let (runs, passedOver) = try RunCollection.runs(in: paths, usable: usable)
    if !passedOver.isEmpty {
        let names = passedOver.map(\.url.lastPathComponent).joined(separator: ", ")
        FileHandle.standardError.write(Data("note: left out (\(reason)): \(names)\n".utf8))
    }
    return runs
}

/// Joins the MPI job when its launcher started this process (or `--distributed mpi` says so); else
/// the process trains alone.
func joinTeam(_ options: Command.Options) throws -> Team {
    guard options.distributed ?? Team.launchedByMPI() else { return .alone }
    return try Team.join(timeout: options.collectiveTimeout) { Interruption.received }
}

/// A new run's directory: `--run-dir`, or a new one under the runs directory. Under MPI rank 0 makes
/// it and tells the others its path.
func newRun(of spec: ExperimentSpec, _ options: Command.Options, team: Team) throws -> RunDirectory {
    guard team.isLeader else { return RunDirectory(url: URL(fileURLWithPath: try team.broadcast("", "run directory"))) }
    let run = try options.runDirectory.map { try RunDirectory.create(exactly: URL(fileURLWithPath: $0)) }
        ?? RunDirectory.create(runsDirectory: URL(fileURLWithPath: options.runsDirectory), name: options.name ?? spec.name)
    FileHandle.standardOutput.write(Data("run directory: \(run.url.path)\n".utf8))
    _ = try team.broadcast(run.url.path, "run directory")
    return run
}

/// The message and exit code of any error (DESIGN.md: 1 run failed, 64 usage or spec, 66 missing input).
func describe(_ error: any Error) -> (String, Int32) {
    switch error {
    case let error as Command.UsageError: (error.description, 64)
    case let error as SpecError: (error.rendered, error.exitCode)
    // These three word their own "error:" (after the file name where there is one).
    case let error as DataError: ("\(error)", error.exitCode)
    case let error as TextError: ("\(error)", error.exitCode)
    case let error as RunError: ("\(error)", error.exitCode)
    case let error as PlanError: ("error: \(error)", error.exitCode)
    case let error as TrainingError: ("error: \(error)", error.exitCode)
    case let error as ComparisonError: ("error: \(error)", error.exitCode)
    case let error as SlurmError: ("error: \(error)", error.exitCode)
    case let error as EngineError: ("error: \(error)", error.exitCode)
    case let error as EmbeddingsError: ("error: \(error)", error.exitCode)
    case let error as TeamError: ("\(error)", 1)
    default: ("error: \(error)", 1)
    }
}

exit(main())
