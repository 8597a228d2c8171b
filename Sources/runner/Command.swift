import Foundation
import Spec
import Studies
import Training

/// What the command line asks for, parsed and checked before anything runs.
enum Command: Equatable {
    case train(spec: String, options: Options)
    case check(spec: String, options: Options)
    case resume(run: String, options: Options)
    case sample(run: String, options: SampleOptions)
    case eval(run: String, split: String, options: Options)
    case promptedEval(run: String, options: PromptedOptions)
    case tokenize(Tokenize)
    case table(runs: [String], options: TableOptions)
    case plot(runs: [String], options: PlotOptions)
    /// `runner report RUN_OR_SWEEP_DIR… [--out FILE.html]`; without --out, the one directory's report.html
    /// (the current directory's when several are named).
    case report(runs: [String], output: String?)
    case sweep(SweepRequest)
    case bleu(BLEUCommand.Request)
    case translate(run: String, options: TranslateOptions)
    case predict(run: String, checkpoint: CheckpointChoice)
    case fillMask(run: String, text: String, count: Int, checkpoint: CheckpointChoice)
    case embed(run: String, options: EmbedOptions)
    case similar(run: String, word: String, options: WordVectorOptions)
    case analogy(run: String, words: [String], options: WordVectorOptions)
    case export(run: String, options: WordVectorOptions)
    case help(topic: String?)

    struct Options: Equatable {
        var overrides: [String] = []
        var dataDirectory: String?
        var runsDirectory = "runs"
        var name: String?
        /// Train into exactly this directory (a sweep's trial) instead of `runs/<name>-<time>/`.
        var runDirectory: String?
        /// The checkpoint `eval`, `sample` and `translate` read.
        var checkpoint = CheckpointChoice.latest
        /// `--distributed mpi | none`: join MPI or train alone; nil to join when an MPI launcher
        /// started the process.
        var distributed: Bool?
        /// `--collective-timeout SECONDS`: how long a rank waits for the others in one collective.
        var collectiveTimeout = 300.0
    }

    /// `runner sweep SWEEP.yaml` or `runner sweep --resume SWEEP_DIR`.
    struct SweepRequest: Equatable {
        /// The sweep file, or with `resume` or `status` the sweep directory.
        var path: String
        var resume = false
        /// `--status DIR`: where each trial stands; runs nothing.
        var status = false
        var parallel = 1
        var failFast = false
        var runsDirectory = "runs"
        var dataDirectory: String?
        /// `--scheduler slurm`: the trials go to Slurm as one job array, with these options.
        var slurm: SlurmOptions?
    }

    /// `runner embed RUN`: which layer, how a line's states are pooled, where the matrix goes.
    struct EmbedOptions: Equatable {
        var layer: Int?
        /// nil for the model's usual: `cls` for BERT, `mean` for ELMo.
        var pool: EmbeddingPool?
        /// `--elmo`: an elmo run's layers mixed (uniform softmax weights, γ = 1) rather than one layer.
        var elmo = false
        var output: String?
        var checkpoint = CheckpointChoice.latest
    }

    static func embed(_ parser: inout Parser) throws(UsageError) -> Command {
        var options = EmbedOptions()
        options.elmo = try parser.flag("--elmo")
        options.checkpoint = try parser.options(["--checkpoint"]) { flag, value throws(UsageError) in
            switch flag {
            case "--layer": options.layer = try Parser.integer(flag, value, atLeast: 0)
            case "--pool":
                guard let pool = EmbeddingPool(rawValue: value) else {
                    throw UsageError(message: "--pool takes cls or mean (got '\(value)')")
                }
                options.pool = pool
            case "--out":
                guard value.hasSuffix(".npy") else { throw UsageError(message: "--out takes a .npy file name (got '\(value)')") }
                options.output = value
            default: return false
            }
            return true
        }.checkpoint
        if options.elmo, let layer = options.layer {
            throw UsageError(message: "--elmo mixes every layer and --layer \(layer) picks one; give one of them")
        }
        return .embed(run: try parser.positional("embed", "a masked_lm or elmo run directory"), options: options)
    }

    struct SampleOptions: Equatable {
        var prompt: String?
        var decoding = Decoding(length: 100)
        var checkpoint = CheckpointChoice.latest
    }

    struct TableOptions: Equatable {
        var metrics: [String] = []
        var sort: String?
        var format = TableFormat.text
    }

    enum TableFormat: Equatable {
        case text, markdown, csv
    }

    struct PlotOptions: Equatable {
        var metric = "loss"
        var logarithmic = false
        var output = "plot.svg"
    }

    /// `runner eval RUN_DIR --task FILE.jsonl`: multiple-choice accuracy after K demonstrations.
    struct PromptedOptions: Equatable {
        var task: String
        var shots = 0
        /// Where demonstrations come from; nil for the task file itself.
        var demos: String?
        var seed: UInt64 = 0
        var checkpoint = CheckpointChoice.latest
    }

    /// `runner tokenize`: encode standard input with a tokenizer file, or train one on a corpus.
    enum Tokenize: Equatable {
        case encode(tokenizer: String)
        case train(TokenizerTraining)
    }

    struct TokenizerTraining: Equatable {
        var corpus: String
        var kind: String
        var vocabularySize: Int
        var specialTokens: [String]?
        var lowercase = false
        var minFrequency = 1
        var output: String
        var dataDirectory: String?
    }

    static let tokenizerKinds = ["bpe_bytelevel", "bpe", "wordpiece"]

    /// A usage error: exit 64, with the help line that fixes it.
    struct UsageError: Error, Equatable, CustomStringConvertible {
        let message: String
        var description: String { "error: \(message)\nRun 'runner --help' for usage." }
    }

    static let commands = ["train", "check", "resume", "sample", "eval", "translate", "predict", "fill-mask", "embed", "similar", "analogy", "export",
                           "tokenize", "bleu", "table", "plot", "report", "sweep", "help"]


    init(arguments: [String]) throws(UsageError) {
        guard let first = arguments.first else { self = .help(topic: nil); return }
        var parser = Parser(Array(arguments.dropFirst()))
        let options = arguments.prefix { $0 != Parser.endOfOptions }
        if arguments.count > 1, options.contains(where: { $0 == "--help" || $0 == "-h" }) {
            self = .help(topic: Self.commands.contains(first) ? first : nil)
            return
        }
        switch first {
        case "-h", "--help":
            self = .help(topic: nil)
        case "help":
            let topic = parser.rest.first
            if let topic, !Self.commands.contains(topic) {
                throw UsageError(message: "no command '\(topic)'; commands: \(Self.commands.joined(separator: ", "))")
            }
            self = .help(topic: topic)
        case "check":
            let options = try parser.options(["--set", "--data-dir", "--distributed", "--collective-timeout"])
            self = .check(spec: try parser.positional("check", "a spec file, e.g. runner check experiments/gru_charlm.yaml"),
                          options: options)
        case "resume":
            let options = try parser.options(["--data-dir", "--distributed", "--collective-timeout"])
            self = .resume(run: try parser.positional("resume", "a run directory, e.g. runner resume runs/gru_charlm-20261123-101500"),
                           options: options)
        case "eval":
            self = try Self.eval(&parser)
        case "sample":
            var sample = SampleOptions()
            sample.decoding.useCache = try !parser.flag("--no-cache")
            sample.checkpoint = try parser.options(["--checkpoint"]) { flag, value throws(UsageError) in
                switch flag {
                case "--prompt": sample.prompt = value
                case "--length": sample.decoding.length = try Parser.specValue(flag) { () throws(SpecError) in try SampleSpec.value(value, of: "length", \.length) }
                case "--temperature": sample.decoding.temperature = Float(try Parser.specValue(flag) { () throws(SpecError) in try SampleSpec.value(value, of: "temperature", \.temperature) })
                case "--top-k": sample.decoding.topK = try Parser.specValue(flag) { () throws(SpecError) in try SampleSpec.value(value, of: "top_k", \.topK) }
                case "--top-p": sample.decoding.topP = try Parser.specValue(flag) { () throws(SpecError) in try SampleSpec.value(value, of: "top_p", \.topP) }
                case "--stop": sample.decoding.stop.append(try Parser.unescaped(flag, value))
                case "--seed": sample.decoding.seed = try Parser.seed(flag, value)
                default: return false
                }
                return true
            }.checkpoint
            self = .sample(run: try parser.positional("sample", "a run directory"), options: sample)
        case "tokenize":
            self = .tokenize(try Self.tokenize(&parser))
        case "table":
            self = try Self.table(&parser)
        case "plot":
            self = try Self.plot(&parser)
        case "report":
            self = try Self.report(&parser)
        case "sweep":
            self = .sweep(try Self.sweep(&parser))
        case "bleu":
            self = .bleu(try Self.bleu(&parser))
        case "translate":
            self = try Self.translate(&parser)
        case "predict":
            let checkpoint = try parser.options(["--checkpoint"]).checkpoint
            self = .predict(run: try parser.positional("predict", "a classification run directory"), checkpoint: checkpoint)
        case "fill-mask":
            var count = 5
            let checkpoint = try parser.options(["--checkpoint"]) { flag, value throws(UsageError) in
                guard flag == "--top-k" else { return false }
                count = try Parser.integer(flag, value, atLeast: 1)
                return true
            }.checkpoint
            let arguments = parser.positionalArguments
            guard arguments.count == 2 else {
                throw UsageError(message: "fill-mask needs a masked_lm run directory and a text with [MASK] in it, e.g. "
                    + "runner fill-mask RUN \"the [MASK] of the film\"")
            }
            self = .fillMask(run: arguments[0], text: arguments[1], count: count, checkpoint: checkpoint)
        case "embed":
            self = try Self.embed(&parser)
        case "similar":
            self = try Self.similar(&parser)
        case "analogy":
            self = try Self.analogy(&parser)
        case "export":
            self = try Self.export(&parser)
        default:
            // `runner train SPEC` says what `runner SPEC` does. A word that is neither a command nor a
            // file, nor looks like a path, is a mistyped command.
            let arguments = first == "train" ? Array(arguments.dropFirst()) : arguments
            if first != "train", !first.hasPrefix("-"), !first.contains("/"), !first.hasSuffix(".yaml"), !first.hasSuffix(".yml"),
               !FileManager.default.fileExists(atPath: first) {
                let near = Suggestion.nearest(to: first, in: Self.commands).map { " (did you mean '\($0)'?)" } ?? ""
                throw UsageError(message: "'\(first)' is neither a command nor a spec file\(near); commands: "
                    + Self.commands.joined(separator: ", "))
            }
            parser = Parser(arguments)
            let options = try parser.options(["--set", "--data-dir", "--runs-dir", "--name", "--run-dir", "--distributed",
                                              "--collective-timeout"])
            if options.runDirectory != nil, options.name != nil || options.runsDirectory != Options().runsDirectory {
                throw UsageError(message: "--run-dir names the run directory itself; it takes no --runs-dir or --name")
            }
            self = .train(spec: try parser.positional("train", "a spec file, e.g. runner experiments/gru_charlm.yaml"),
                          options: options)
        }
    }
}

extension Command {
    private static func sweep(_ parser: inout Parser) throws(UsageError) -> SweepRequest {
        var request = SweepRequest(path: "")
        request.resume = try parser.flag("--resume")
        request.status = try parser.flag("--status")
        request.failFast = try parser.flag("--fail-fast")
        var scheduler: String?, slurm = SlurmOptions(), slurmFlag: String?, parallelGiven = false
        let options = try parser.options(["--data-dir", "--runs-dir"]) { flag, value throws(UsageError) in
            switch flag {
            case "--parallel":
                request.parallel = try Parser.integer(flag, value, atLeast: 1)
                parallelGiven = true
            case "--scheduler":
                guard ["local", "slurm"].contains(value) else {
                    throw UsageError(message: "--scheduler takes local or slurm (got '\(value)')")
                }
                scheduler = value
            case "--partition":
                guard !value.isEmpty else { throw UsageError(message: "--partition takes a Slurm partition's name") }
                slurm.partition = value
            case "--max-concurrent": slurm.maxConcurrent = try Parser.integer(flag, value, atLeast: 1)
            case "--time":
                // Slurm's forms: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
                guard value.wholeMatch(of: /(\d+-)?\d+(:\d{1,2}){0,2}/) != nil else {
                    throw UsageError(message: "--time takes a Slurm time limit such as 02:00:00 or 1-12:00:00 (got '\(value)')")
                }
                slurm.time = value
            default: return false
            }
            if ["--partition", "--max-concurrent", "--time"].contains(flag) { slurmFlag = slurmFlag ?? flag }
            return true
        }
        (request.runsDirectory, request.dataDirectory) = (options.runsDirectory, options.dataDirectory)
        if request.resume && request.status { throw UsageError(message: "sweep takes --resume or --status, not both") }
        if request.resume || request.status, options.runsDirectory != Options().runsDirectory {
            throw UsageError(message: "sweep --\(request.status ? "status" : "resume") works in the sweep directory; it takes no --runs-dir")
        }
        if scheduler == "slurm" {
            if parallelGiven { throw UsageError(message: "--parallel runs trials here; with --scheduler slurm use --max-concurrent") }
            request.slurm = slurm
        } else if let slurmFlag {
            throw UsageError(message: "\(slurmFlag) belongs to --scheduler slurm")
        }
        request.path = try parser.positional("sweep", request.resume || request.status ? "a sweep directory, e.g. runner sweep "
            + "--\(request.status ? "status" : "resume") runs/gru_lr-20261123-120000"
            : "a sweep file, e.g. runner sweep experiments/sweeps/gru_lr.yaml")
        return request
    }

    /// Loss on a split, or with --task, accuracy on a task file; each refuses the other's flags.
    private static func eval(_ parser: inout Parser) throws(UsageError) -> Command {
        var split: String?, task: String?, shots = 0, demos: String?, seed: UInt64 = 0
        // The first flag given that only --task takes.
        var promptedFlag: String?
        let options = try parser.options(["--data-dir", "--checkpoint"]) { flag, value throws(UsageError) in
            switch flag {
            case "--split":
                guard ["train", "valid", "test"].contains(value) else {
                    throw UsageError(message: "--split takes train, valid or test (got '\(value)')")
                }
                split = value
            case _ where ["--task", "--demos"].contains(flag) && value.isEmpty:
                throw UsageError(message: "\(flag) needs a .jsonl file's path")
            case "--task": task = value
            case "--shots": shots = try Parser.integer(flag, value, atLeast: 0)
            case "--demos": demos = value
            case "--seed": seed = try Parser.seed(flag, value)
            default: return false
            }
            if ["--shots", "--demos", "--seed"].contains(flag) { promptedFlag = promptedFlag ?? flag }
            return true
        }
        let run = try parser.positional("eval", "a run directory")
        guard let task else {
            if let promptedFlag { throw UsageError(message: "eval \(promptedFlag) belongs to --task FILE.jsonl") }
            return .eval(run: run, split: split ?? "valid", options: options)
        }
        if let flag = split != nil ? "--split" : options.dataDirectory != nil ? "--data-dir" : nil {
            throw UsageError(message: "eval --task scores the choices of a task file; \(flag) belongs to the loss on a split")
        }
        return .promptedEval(run: run, options: PromptedOptions(task: task, shots: shots, demos: demos, seed: seed,
                                                                checkpoint: options.checkpoint))
    }

    private static func table(_ parser: inout Parser) throws(UsageError) -> Command {
        let (markdown, csv) = try (parser.flag("--markdown"), parser.flag("--csv"))
        if markdown && csv { throw UsageError(message: "table prints --markdown or --csv, not both") }
        var options = TableOptions(format: markdown ? .markdown : csv ? .csv : .text)
        _ = try parser.options([]) { flag, value throws(UsageError) in
            switch flag {
            case "--metrics":
                options.metrics = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
                guard !options.metrics.isEmpty else {
                    throw UsageError(message: "--metrics takes names such as valid.loss,test.loss")
                }
            case "--sort":
                guard !value.isEmpty else { throw UsageError(message: "--sort takes a metric such as valid.loss") }
                options.sort = value
            default: return false
            }
            return true
        }
        return .table(runs: try runDirectories(parser, "table"), options: options)
    }

    private static func plot(_ parser: inout Parser) throws(UsageError) -> Command {
        var options = PlotOptions(logarithmic: try parser.flag("--log"))
        _ = try parser.options([]) { flag, value throws(UsageError) in
            switch flag {
            case "--metric":
                guard !value.isEmpty else { throw UsageError(message: "--metric takes a metric such as loss or valid.ppl") }
                options.metric = value
            case "--out":
                guard !value.isEmpty else { throw UsageError(message: "--out takes a file name such as plot.svg") }
                options.output = value
            default: return false
            }
            return true
        }
        return .plot(runs: try runDirectories(parser, "plot"), options: options)
    }

    private static func report(_ parser: inout Parser) throws(UsageError) -> Command {
        var output: String?
        _ = try parser.options([]) { flag, value throws(UsageError) in
            guard flag == "--out" else { return false }
            guard !value.isEmpty else { throw UsageError(message: "--out takes a file name such as report.html") }
            output = value
            return true
        }
        return .report(runs: try runDirectories(parser, "report"), output: output)
    }

    /// The run or sweep directories `table`, `plot` and `report` take: at least one.
    private static func runDirectories(_ parser: Parser, _ command: String) throws(UsageError) -> [String] {
        guard !parser.positionalArguments.isEmpty else {
            throw UsageError(message: "\(command) needs run directories or a sweep's directory, e.g. runner \(command) runs/*")
        }
        return parser.positionalArguments
    }

    private static func tokenize(_ parser: inout Parser) throws(UsageError) -> Tokenize {
        let lowercase = try parser.flag("--lowercase")
        var values: [String: String] = [:]
        _ = try parser.options([]) { flag, value throws(UsageError) in
            guard ["--tokenizer", "--train", "--kind", "--vocab-size", "--special-tokens", "--min-frequency", "--out",
                   "--data-dir"].contains(flag) else { return false }
            values[flag] = value
            return true
        }
        if let extra = parser.positionalArguments.first {
            throw UsageError(message: "tokenize takes no argument '\(extra)'; the text to encode comes on standard input")
        }
        let trainingFlags = ["--train", "--kind", "--vocab-size", "--special-tokens", "--min-frequency", "--out",
                             "--data-dir"]
        if let file = values["--tokenizer"] {
            if let flag = trainingFlags.first(where: { values[$0] != nil }) ?? (lowercase ? "--lowercase" : nil) {
                throw UsageError(message: "tokenize --tokenizer encodes with a trained tokenizer; \(flag) belongs to --train")
            }
            return .encode(tokenizer: file)
        }
        guard let corpus = values["--train"] else {
            throw UsageError(message: "tokenize needs --tokenizer FILE.json (to encode standard input) or --train CORPUS "
                + "(to train one)")
        }
        func required(_ flag: String, _ example: String) throws(UsageError) -> String {
            guard let value = values[flag] else { throw UsageError(message: "tokenize --train needs \(flag), e.g. \(flag) \(example)") }
            return value
        }
        let kind = try required("--kind", "bpe_bytelevel")
        guard tokenizerKinds.contains(kind) else {
            throw UsageError(message: "--kind takes \(tokenizerKinds.joined(separator: ", ")) (got '\(kind)')")
        }
        var training = TokenizerTraining(
            corpus: corpus, kind: kind,
            vocabularySize: try Parser.integer("--vocab-size", try required("--vocab-size", "2000"), atLeast: 1),
            lowercase: lowercase, output: try required("--out", "tokenizer.json"), dataDirectory: values["--data-dir"])
        if let list = values["--special-tokens"] {
            training.specialTokens = list.isEmpty ? [] : list.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        if let minimum = values["--min-frequency"] {
            training.minFrequency = try Parser.integer("--min-frequency", minimum, atLeast: 1)
        }
        return .train(training)
    }
}
