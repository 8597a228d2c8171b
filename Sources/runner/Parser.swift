import Core
import Spec
import Training

/// `--flag value` (or `--flag=value`) options and one positional argument, with messages that say
/// what was expected.
struct Parser {
    private(set) var rest: [String]
    private var positionals: [String] = []
    /// The switches `flag(_:)` took out: given with `=value`, they are refused as taking no value.
    private var switches: Set<String> = []

    init(_ arguments: [String]) { rest = arguments }

    /// The flags whose values add up when given again.
    static let repeatable: Set<String> = ["--set", "--stop"]
    /// Ends the options: every argument after it is positional, even one that starts with `--` (a
    /// text for `fill-mask`, a word for `similar`).
    static let endOfOptions = "--"

    /// Consumes the shared options in `allowed` and any that `extra` accepts; collects positionals.
    mutating func options(_ allowed: Set<String>,
                          extra: (String, String) throws(Command.UsageError) -> Bool = { _, _ in false })
        throws(Command.UsageError) -> Command.Options {
        var options = Command.Options()
        var arguments = rest[...]
        var given: Set<String> = []
        while let next = arguments.popFirst() {
            if next == Self.endOfOptions {
                positionals += arguments
                break
            }
            guard next.hasPrefix("--") else { positionals.append(next); continue }
            // `--beam=5` is `--beam 5`; the value may hold '=' itself (`--set=model.hidden=64`).
            let separator = next.firstIndex(of: "=")
            let argument = separator.map { String(next[..<$0]) } ?? next
            guard !switches.contains(argument) else { throw Command.UsageError(message: "\(argument) takes no value") }
            guard let value = separator.map({ String(next[next.index(after: $0)...]) }) ?? arguments.popFirst() else {
                // A last flag without its value: asking `extra` with an empty one tells a known flag from a typo.
                let known = allowed.contains(argument) || ((try? extra(argument, "")) ?? true)
                throw Command.UsageError(message: known ? "\(argument) needs a value" : Self.unknown(argument))
            }
            // Only --set and --stop add up; a second value of any other flag would silently win.
            guard given.insert(argument).inserted || Self.repeatable.contains(argument) else {
                throw Command.UsageError(message: "\(argument) is given twice; give it once")
            }
            if try extra(argument, value) { continue }
            guard allowed.contains(argument) else { throw Command.UsageError(message: Self.unknown(argument)) }
            switch argument {
            case "--set":
                guard value.contains("=") else {
                    throw Command.UsageError(message: "--set takes key=value, e.g. --set train.optimizer.lr=0.3 (got '\(value)')")
                }
                options.overrides.append(value)
            case "--data-dir":
                guard directoryExists(atPath: value) else {
                    throw Command.UsageError(message: "--data-dir \(value): no such directory")
                }
                options.dataDirectory = value
            case "--runs-dir": options.runsDirectory = value
            case "--run-dir": options.runDirectory = value
            case "--distributed":
                guard ["mpi", "none"].contains(value) else {
                    throw Command.UsageError(message: "--distributed takes mpi (join the MPI job that launched this process) "
                        + "or none (train alone), got '\(value)'")
                }
                options.distributed = value == "mpi"
            case "--collective-timeout":
                guard let seconds = Double(value), seconds > 0, seconds.isFinite else {
                    throw Command.UsageError(message: "--collective-timeout takes a number of seconds > 0, found '\(value)'")
                }
                options.collectiveTimeout = seconds
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

    private static func unknown(_ flag: String) -> String {
        "unknown option '\(flag)'; `runner help COMMAND` lists a command's options"
    }

    /// Every switch of every command: the flags that take no value. Any other `--flag` takes the
    /// argument after it as its value, whatever that looks like (`--prompt --no-cache`, `--prompt --`).
    static let switchNames: Set<String> = ["--lowercase", "--sentence", "--elmo", "--no-cache", "--resume", "--status",
                                           "--fail-fast", "--markdown", "--csv", "--log", "--binary"]

    /// Removes a switch that takes no value (`--lowercase`) from the options: where it stands as a flag,
    /// not as another flag's value, and before a `--`. Whether it was there; given twice, it is refused,
    /// as a flag with a value is.
    mutating func flag(_ name: String) throws(Command.UsageError) -> Bool {
        precondition(Self.switchNames.contains(name), "\(name) is missing from Parser.switchNames")
        switches.insert(name)
        var (index, found) = (rest.startIndex, [Int]())
        while index < rest.endIndex, rest[index] != Self.endOfOptions {
            let argument = rest[index]
            if argument == name {
                found.append(index)
            } else if argument.hasPrefix("--"), !argument.contains("="), !Self.switchNames.contains(argument) {
                index += 1                               // the flag's value
            }
            index += 1
        }
        guard found.count <= 1 else { throw Command.UsageError(message: "\(name) is given twice; give it once") }
        if let first = found.first { rest.remove(at: first) }
        return !found.isEmpty
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
        guard !escaping else {
            throw Command.UsageError(message: "\(flag) got '\(value)', which ends in a lone '\\' (use \\\\ for a backslash)")
        }
        guard !result.isEmpty else { throw Command.UsageError(message: "\(flag) needs a non-empty string") }
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

    /// An integer flag of at least `minimum` (`--parallel 2`, `--shots 0`).
    static func integer(_ flag: String, _ value: String, atLeast minimum: Int) throws(Command.UsageError) -> Int {
        guard let number = Int(value), number >= minimum else {
            throw Command.UsageError(message: "\(flag) takes an integer ≥ \(minimum), found '\(value)'")
        }
        return number
    }

    /// A `--seed`: any whole number a UInt64 holds.
    static func seed(_ flag: String, _ value: String) throws(Command.UsageError) -> UInt64 {
        guard let seed = UInt64(value) else {
            throw Command.UsageError(message: "\(flag) takes a whole number from 0 to \(UInt64.max), found '\(value)'")
        }
        return seed
    }
}
