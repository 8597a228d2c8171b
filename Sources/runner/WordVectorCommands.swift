import Embeddings
import Foundation
import Runs
import Training

/// The embeddings task's verbs: `runner similar RUN WORD`, `runner analogy RUN A B C` and
/// `runner export RUN --format word2vec` (and `--format safetensors`, for any run).
extension Command {
    /// What `similar`, `analogy` and `export` read and print.
    struct WordVectorOptions: Equatable {
        var count = 10
        var binary = false
        var output: String?
        var checkpoint = CheckpointChoice.latest
        var format = ExportFormat.word2vec
    }

    enum ExportFormat: String, Equatable, CaseIterable {
        case word2vec, safetensors
    }

    static func similar(_ parser: inout Parser) throws(UsageError) -> Command {
        let options = try wordVectorOptions(&parser, flags: ["--k"])
        let words = parser.positionalArguments
        guard words.count == 2 else { throw UsageError(message: "similar needs a run directory and a word, e.g. runner similar RUN dog") }
        return .similar(run: words[0], word: words[1], options: options)
    }

    static func analogy(_ parser: inout Parser) throws(UsageError) -> Command {
        let options = try wordVectorOptions(&parser, flags: ["--k"])
        let words = parser.positionalArguments
        guard words.count == 4 else {
            throw UsageError(message: "analogy needs a run directory and three words A B C (A is to B as C is to ?), "
                + "e.g. runner analogy RUN man king woman")
        }
        return .analogy(run: words[0], words: Array(words[1...]), options: options)
    }

    static func export(_ parser: inout Parser) throws(UsageError) -> Command {
        let binary = try parser.flag("--binary")
        let formats = ExportFormat.allCases.map(\.rawValue).joined(separator: " or ")
        var format: ExportFormat?
        var options = try wordVectorOptions(&parser, flags: ["--out"]) { flag, value throws(UsageError) in
            guard flag == "--format" else { return false }
            guard let chosen = ExportFormat(rawValue: value) else {
                throw UsageError(message: "--format takes \(formats) (got '\(value)')")
            }
            format = chosen
            return true
        }
        guard let format else { throw UsageError(message: "export needs --format \(formats)") }
        if binary, format != .word2vec { throw UsageError(message: "--binary belongs to --format word2vec") }
        (options.binary, options.format) = (binary, format)
        return .export(run: try parser.positional("export", "a run directory"), options: options)
    }

    private static func wordVectorOptions(_ parser: inout Parser, flags: Set<String>,
                                          extra: (String, String) throws(UsageError) -> Bool = { _, _ in false })
        throws(UsageError) -> WordVectorOptions {
        var options = WordVectorOptions()
        options.checkpoint = try parser.options(["--checkpoint"]) { flag, value throws(UsageError) in
            if try extra(flag, value) { return true }
            guard flags.contains(flag) else { return false }
            switch flag {
            case "--k": options.count = try Parser.integer(flag, value, atLeast: 1)
            default:
                guard !value.isEmpty else { throw UsageError(message: "--out takes a file name such as vectors.txt") }
                options.output = value
            }
            return true
        }.checkpoint
        return options
    }
}

enum WordVectorCommand {
    static func open(_ path: String, _ options: Command.WordVectorOptions, command: String) throws -> WordVectorRun {
        let run = try WordVectorRun(try RunDirectory.open(URL(fileURLWithPath: path)), checkpoint: options.checkpoint,
                                    command: command)
        for warning in run.warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        return run
    }

    static func similar(_ path: String, word: String, _ options: Command.WordVectorOptions) throws {
        let run = try open(path, options, command: "similar")
        print(WordVectorRun.lines(try run.vectors.similar(to: word, count: options.count)))
    }

    static func analogy(_ path: String, words: [String], _ options: Command.WordVectorOptions) throws {
        let run = try open(path, options, command: "analogy")
        print(WordVectorRun.lines(try run.vectors.analogy(words[0], words[1], words[2], count: options.count)))
    }

    /// Writes the vectors to `--out` (default `RUN/vectors.txt`, or `.bin` with `--binary`); prints the path.
    /// `--format safetensors` writes any run's weights instead (`--out` a directory, default `RUN/export`).
    static func export(_ path: String, _ options: Command.WordVectorOptions) throws {
        if options.format == .safetensors {
            let directory = URL(fileURLWithPath: options.output ?? path + "/export")
            let written = try RunDirectory.open(URL(fileURLWithPath: path)).exportWeights(to: directory, checkpoint: options.checkpoint)
            for warning in written.warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
            for file in written.files { print(file.path) }
            return
        }
        // The run first, so that a mistyped run is said as such, not as an output directory that is missing.
        let vectorsFile = try RunDirectory.open(URL(fileURLWithPath: path)).url
            .appendingPathComponent(options.binary ? "vectors.bin" : "vectors.txt")
        let output = try RunDirectory.checkOutput(options.output ?? vectorsFile.path, flag: "--out")
        let run = try open(path, options, command: "export")
        try atomicWrite(WordVectorsFormat.data(run.vectors, binary: options.binary), to: output)
        print(output.path)
    }
}
