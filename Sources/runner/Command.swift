/// What the command line asks for, parsed and checked before anything runs.
enum Command: Equatable {
    case train(spec: String, options: Options)
    case check(spec: String, options: Options)
    case resume(run: String, options: Options)
    case sample(run: String, options: SampleOptions)
    case eval(run: String, split: String, options: Options)
    case help(topic: String?)

    struct Options: Equatable {
        var overrides: [String] = []
        var dataDirectory: String?
        var runsDirectory = "runs"
        var name: String?
    }

    struct SampleOptions: Equatable {
        var prompt: String?
        var length = 100
        var temperature: Float = 1
        var topK: Int?
        var seed: UInt64 = 0
    }

    /// A usage error: exit 64, with the help line that fixes it.
    struct UsageError: Error, Equatable, CustomStringConvertible {
        let message: String
        var description: String { "error: \(message)\nRun 'runner --help' for usage." }
    }

    static let commands = ["train", "check", "resume", "sample", "eval", "help"]

    init(arguments: [String]) throws(UsageError) {
        guard let first = arguments.first else { self = .help(topic: nil); return }
        var parser = Parser(Array(arguments.dropFirst()))
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
            let options = try parser.options(["--set", "--data-dir"])
            self = .check(spec: try parser.positional("check", "a spec file, e.g. runner check experiments/gru_charlm.yaml"),
                          options: options)
        case "resume":
            let options = try parser.options(["--data-dir"])
            self = .resume(run: try parser.positional("resume", "a run directory, e.g. runner resume runs/gru_charlm-20261123-101500"),
                           options: options)
        case "eval":
            var split = "valid"
            let options = try parser.options(["--data-dir"]) { flag, value throws(UsageError) in
                guard flag == "--split" else { return false }
                guard ["train", "valid", "test"].contains(value) else {
                    throw UsageError(message: "--split takes train, valid or test (got '\(value)')")
                }
                split = value
                return true
            }
            self = .eval(run: try parser.positional("eval", "a run directory"), split: split, options: options)
        case "sample":
            var sample = SampleOptions()
            _ = try parser.options([]) { flag, value throws(UsageError) in
                switch flag {
                case "--prompt": sample.prompt = value
                case "--length": sample.length = try Parser.number(flag, value, Int.init, valid: { $0 >= 0 })
                case "--temperature": sample.temperature = try Parser.number(flag, value, Float.init, valid: { $0 > 0 })
                case "--top-k": sample.topK = try Parser.number(flag, value, Int.init, valid: { $0 >= 1 })
                case "--seed": sample.seed = try Parser.number(flag, value, UInt64.init, valid: { _ in true })
                default: return false
                }
                return true
            }
            self = .sample(run: try parser.positional("sample", "a run directory"), options: sample)
        default:
            parser = Parser(arguments)
            let options = try parser.options(["--set", "--data-dir", "--runs-dir", "--name"])
            self = .train(spec: try parser.positional("train", "a spec file, e.g. runner experiments/gru_charlm.yaml"),
                          options: options)
        }
    }
}

/// `--flag value` options and one positional argument, with messages that say what was expected.
struct Parser {
    private(set) var rest: [String]
    private var positionals: [String] = []

    init(_ arguments: [String]) { rest = arguments }

    /// Consumes the shared options in `allowed` and any that `extra` accepts; collects positionals.
    mutating func options(_ allowed: Set<String>,
                          extra: (String, String) throws(Command.UsageError) -> Bool = { _, _ in false })
        throws(Command.UsageError) -> Command.Options {
        var options = Command.Options()
        var arguments = rest[...]
        while let argument = arguments.popFirst() {
            guard argument.hasPrefix("--") else { positionals.append(argument); continue }
            guard let value = arguments.popFirst() else { throw Command.UsageError(message: "\(argument) needs a value") }
            if try extra(argument, value) { continue }
            guard allowed.contains(argument) else { throw Command.UsageError(message: "unknown option '\(argument)'") }
            switch argument {
            case "--set":
                guard value.contains("=") else {
                    throw Command.UsageError(message: "--set takes key=value, e.g. --set train.optimizer.lr=0.3 (got '\(value)')")
                }
                options.overrides.append(value)
            case "--data-dir": options.dataDirectory = value
            case "--runs-dir": options.runsDirectory = value
            default: options.name = value
            }
        }
        rest = []
        return options
    }

    /// The one positional argument.
    func positional(_ command: String, _ what: String) throws(Command.UsageError) -> String {
        guard let first = positionals.first else { throw Command.UsageError(message: "\(command) needs \(what)") }
        guard positionals.count == 1 else {
            throw Command.UsageError(message: "\(command) takes one argument, got \(positionals.count): \(positionals.joined(separator: " "))")
        }
        return first
    }

    static func number<T>(_ flag: String, _ value: String, _ parse: (String) -> T?, valid: (T) -> Bool)
        throws(Command.UsageError) -> T {
        guard let number = parse(value), valid(number) else {
            throw Command.UsageError(message: "\(flag) got '\(value)', which is not a valid value")
        }
        return number
    }
}
