import Spec
import Training
import Translation

/// The translation commands' flags: `runner translate` and `runner bleu`.
extension Command {
    /// `runner translate RUN`: decoding flags over the run's `eval.decode`, and where the sources come from.
    struct TranslateOptions: Equatable {
        var beam: Int?
        var lenpen: Double?
        var maxLenA: Double?
        var maxLenB: Int?
        /// `--nbest N`: N hypotheses a source, with their ranks and scores; nil for the best alone, as text.
        var nBest: Int?
        /// A split of the run's corpus; nil for standard input.
        var split: String?
        var dataDirectory: String?
        /// An SVG heat map of the first sentence's attention.
        var attention: String?
        var checkpoint = CheckpointChoice.latest
    }

    static func translate(_ parser: inout Parser) throws(UsageError) -> Command {
        var options = TranslateOptions()
        let shared = try parser.options(["--data-dir", "--checkpoint"]) { flag, value throws(UsageError) in
            switch flag {
            case "--beam": options.beam = try Parser.specValue(flag) { () throws(SpecError) in try DecodeSpec.value(value, of: "beam", \.beam) }
            case "--lenpen": options.lenpen = try Parser.specValue(flag) { () throws(SpecError) in try DecodeSpec.value(value, of: "lenpen", \.lenpen) }
            case "--max-len-a": options.maxLenA = try Parser.specValue(flag) { () throws(SpecError) in try DecodeSpec.value(value, of: "max_len_a", \.maxLenA) }
            case "--max-len-b": options.maxLenB = try Parser.specValue(flag) { () throws(SpecError) in try DecodeSpec.value(value, of: "max_len_b", \.maxLenB) }
            case "--attention":
                guard !value.isEmpty else { throw UsageError(message: "--attention takes a file name such as attention.svg") }
                options.attention = value
            case "--nbest": options.nBest = try Parser.integer(flag, value, atLeast: 1)
            case "--split":
                guard ["valid", "test"].contains(value) else { throw UsageError(message: "--split takes valid or test (got '\(value)')") }
                options.split = value
            default: return false
            }
            return true
        }
        (options.dataDirectory, options.checkpoint) = (shared.dataDirectory, shared.checkpoint)
        return .translate(run: try parser.positional("translate", "a translation run directory"), options: options)
    }

    static func bleu(_ parser: inout Parser) throws(UsageError) -> BLEUCommand.Request {
        let (lowercase, sentence) = try (parser.flag("--lowercase"), parser.flag("--sentence"))
        var values: [String: String] = [:]
        _ = try parser.options([]) { flag, value throws(UsageError) in
            guard ["--ref", "--hyp", "--tokenize"].contains(flag) else { return false }
            values[flag] = value
            return true
        }
        if let extra = parser.positionalArguments.first {
            throw UsageError(message: "bleu takes no argument '\(extra)'; name the files with --ref and --hyp")
        }
        guard let reference = values["--ref"], let hypotheses = values["--hyp"] else {
            throw UsageError(message: "bleu needs --ref REFERENCE and --hyp HYPOTHESES, files of one segment a line")
        }
        var request = BLEUCommand.Request(reference: reference, hypotheses: hypotheses, lowercase: lowercase, sentence: sentence)
        if let tokenize = values["--tokenize"] {
            guard let tokenization = BLEU.Tokenization(rawValue: tokenize) else {
                throw UsageError(message: "--tokenize takes none or 13a (got '\(tokenize)')")
            }
            request.tokenization = tokenization
        }
        return request
    }
}
