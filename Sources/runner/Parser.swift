import Core
import Spec
import Training

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
            case "--run-dir": options.runDirectory = value
            case "--checkpoint":
                guard !value.isEmpty else { throw Command.UsageError(message: "--checkpoint takes latest, best or a checkpoint file") }
                options.checkpoint = CheckpointChoice(value)
            default:
                if let problem = RunName.problem(value) { throw Command.UsageError(message: "--name \(problem)") }
                options.name = value
            }
        }
        rest = []
        return options
    }

    var positionalArguments: [String] { positionals }

    /// Removes every occurrence of a switch that takes no value (`--lowercase`); whether there was one.
    mutating func flag(_ name: String) -> Bool {
        let present = rest.contains(name)
        rest.removeAll { $0 == name }
        return present
    }

    /// The one positional argument.
    func positional(_ command: String, _ what: String) throws(Command.UsageError) -> String {
        guard let first = positionals.first else { throw Command.UsageError(message: "\(command) needs \(what)") }
        guard positionals.count == 1 else {
            throw Command.UsageError(message: "\(command) takes one argument, got \(positionals.count): \(positionals.joined(separator: " "))")
        }
        return first
    }

    /// A string option with `\n` and `\t` written as escapes, since a shell argument rarely holds a
    /// newline; `\\` is a backslash.
    static func unescaped(_ flag: String, _ value: String) throws(Command.UsageError) -> String {
        var result = "", escaping = false
        for character in value {
            if escaping {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "\\": result.append("\\")
                default: throw Command.UsageError(message: "\(flag) got '\(value)': unknown escape '\\\(character)' (use \\n, \\t or \\\\)")
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        guard !escaping, !result.isEmpty else {
            throw Command.UsageError(message: "\(flag) got '\(value)', which is not a valid value")
        }
        return result
    }

    /// A flag's value read by `read`, the rule of the spec key the flag stands for (`--top-p` is
    /// `sample.top_p`, `--beam` is `eval.decode.beam`), so that the flag and the spec accept the same values.
    static func specValue<T>(_ flag: String, _ read: () throws(SpecError) -> T) throws(Command.UsageError) -> T {
        do {
            return try read()
        } catch {
            throw Command.UsageError(message: "\(flag): \(error.message)")
        }
    }

    static func number<T>(_ flag: String, _ value: String, _ parse: (String) -> T?, valid: (T) -> Bool)
        throws(Command.UsageError) -> T {
        guard let number = parse(value), valid(number) else {
            throw Command.UsageError(message: "\(flag) got '\(value)', which is not a valid value")
        }
        return number
    }
}
