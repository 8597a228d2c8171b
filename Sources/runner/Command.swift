/// What the command line asks for, parsed and checked before anything runs.
enum Command: Equatable {
    case train(spec: String, options: Options)
    case check(spec: String, options: Options)
    case help(topic: String?)

    struct Options: Equatable {
        var overrides: [String] = []
        var dataDirectory: String?
        var runsDirectory = "runs"
        var name: String?
    }

    /// A usage error: exit 64, with the help line that fixes it.
    struct UsageError: Error, Equatable, CustomStringConvertible {
        let message: String
        var description: String { "error: \(message)\nRun 'runner --help' for usage." }
    }

    static let commands = ["check", "help"]

    init(arguments: [String]) throws(UsageError) {
        guard let first = arguments.first else { self = .help(topic: nil); return }
        switch first {
        case "-h", "--help": self = .help(topic: nil)
        case "help":
            let topic = arguments.dropFirst().first
            guard topic.map({ Self.commands.contains($0) || $0 == "train" }) ?? true else {
                throw UsageError(message: "no command '\(topic!)'; commands: train (the default), check, help")
            }
            self = .help(topic: topic)
        case "check":
            let (spec, options) = try Self.parse(Array(arguments.dropFirst()), command: "check")
            self = .check(spec: spec, options: options)
        default:
            let (spec, options) = try Self.parse(arguments, command: "train")
            self = .train(spec: spec, options: options)
        }
    }

    /// SPEC [--set k=v]... [--data-dir D] [--runs-dir D] [--name N]
    private static func parse(_ arguments: [String], command: String) throws(UsageError) -> (String, Options) {
        var options = Options()
        var spec: String?
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            func value() throws(UsageError) -> String {
                guard let next = rest.popFirst(), !next.hasPrefix("--") else {
                    throw UsageError(message: "\(argument) needs a value")
                }
                return next
            }
            switch argument {
            case "--set":
                let assignment = try value()
                guard assignment.contains("=") else {
                    throw UsageError(message: "--set takes key=value, e.g. --set train.optimizer.lr=0.3 (got '\(assignment)')")
                }
                options.overrides.append(assignment)
            case "--data-dir": options.dataDirectory = try value()
            case "--runs-dir": options.runsDirectory = try value()
            case "--name": options.name = try value()
            case "-h", "--help": throw UsageError(message: "use 'runner help \(command)'")
            default:
                guard !argument.hasPrefix("-") else { throw UsageError(message: "unknown option '\(argument)'") }
                guard spec == nil else { throw UsageError(message: "one spec file at a time (got '\(spec!)' and '\(argument)')") }
                spec = argument
            }
        }
        guard let spec else { throw UsageError(message: "\(command) needs a spec file, e.g. runner \(command == "train" ? "" : command + " ")experiments/gru_charlm.yaml") }
        return (spec, options)
    }
}
