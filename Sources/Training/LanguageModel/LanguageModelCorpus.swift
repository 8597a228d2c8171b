import Core
import Data
import Foundation
import Spec
import Text

/// The text of an experiment, its tokenizer (trained on it) and the token streams of its splits.
public struct LanguageModelCorpus {
    public let tokenizer: any Tokenizer
    /// The token streams of the splits; empty for `format: lines`.
    public let splits: TokenSplits
    /// The examples of each split for `format: lines`; nil for a stream.
    public let lines: (train: LineExamples, valid: LineExamples, test: LineExamples)?

    /// Characters (Unicode scalars) per token of the validation split, what its decoded tokens spell;
    /// nil when it is empty. Turns a loss per token into one per character.
    public var validCharactersPerToken: Double? {
        splits.valid.isEmpty ? nil
            : Double(tokenizer.decode(splits.valid).unicodeScalars.count) / Double(splits.valid.count)
    }

    /// Reads the spec's corpus through `locator`, trains the spec's tokenizer on its training text (or
    /// loads `tokenizer.file`, or takes the `init_from` run's, or uses the given one, e.g. a resumed
    /// run's) and splits the encoded stream (cut to `max_chars` tokens first, as d2l cuts The Time Machine).
    public init(_ spec: ExperimentSpec, locator: DataLocator, tokenizer given: (any Tokenizer)? = nil) throws {
        let data = spec.data
        let given = try given ?? spec.tokenizer.file.map { try Self.tokenizer(file: $0, locator: locator) }
            ?? WeightTransfer.sourceTokenizer(of: spec)
        if data.format == .lines {
            (tokenizer, lines) = try Self.lines(spec, locator: locator, tokenizer: given)
            splits = TokenSplits(train: [], valid: [], test: [])
            return
        }
        lines = nil
        let lineEnd = data.lineEnd
        if let files = data.files {
            let texts = try [files.train, files.valid, files.test].map { file in
                try file.map { DataLocator.universalNewlines(try locator.text(of: $0)) } ?? ""
            }
            // As the split corpus below: char and word vocabularies from every file (PyTorch's
            // word_language_model builds its dictionary from train, valid and test), subwords from train.
            let training = spec.tokenizer.kind.isSubword ? texts[0] : texts.joined(separator: "\n")
            let trained = try given ?? Self.tokenizer(spec.tokenizer, training: training, lineEnd: lineEnd)
            let streams = try texts.map { try Self.encode($0, with: trained, lineEnd: lineEnd) }
            tokenizer = trained
            splits = TokenSplits(train: streams[0], valid: streams[1], test: streams[2])
        } else {
            let text = DataLocator.universalNewlines(try locator.text(of: data.corpus))
            let split = data.split ?? SplitSpec()
            let fractions = try SplitFractions(train: split.train, valid: split.valid, test: split.test)
            tokenizer = try given ?? Self.tokenizer(spec.tokenizer, training: Self.trainingPart(of: text, spec: spec, fractions),
                                                    lineEnd: lineEnd)
            splits = TokenSplits(stream: try Self.encode(text, with: tokenizer, lineEnd: lineEnd), maxTokens: data.maxChars,
                                 fractions: fractions)
        }
    }

    /// The token stream of `text`: the tokenizer's encoding, or with `line_end: eos` each line's
    /// tokens followed by `<eos>` (every line, empty ones too, as PyTorch's word_language_model reads
    /// a file: `line.split() + ['<eos>']`).
    static func encode(_ text: String, with tokenizer: any Tokenizer, lineEnd: DataSpec.LineEnd) throws -> [Int] {
        guard lineEnd == .eos else { return tokenizer.encode(text) }
        guard let eos = tokenizer.eosID else { throw TrainingError.noEndOfSequence }
        var stream: [Int] = []
        stream.reserveCapacity(text.utf8.count / 4)
        for line in DataLocator.lines(of: text) {
            stream += tokenizer.encode(line)
            stream.append(eos)
        }
        return stream
    }

    /// makemore's framing (see `NamesCorpus`): the lines shuffled with the spec's seed and split, each
    /// encoded with the `.`-framed table of the corpus's characters.
    private static func lines(_ spec: ExperimentSpec, locator: DataLocator, tokenizer given: (any Tokenizer)?) throws
        -> (any Tokenizer, (train: LineExamples, valid: LineExamples, test: LineExamples)) {
        guard spec.tokenizer.kind == .char || given != nil else {
            throw TrainingError.unsupported("'data.format: lines' with tokenizer kind '\(spec.tokenizer.kind.rawValue)' "
                + "(lines are framed character by character: use kind char)")
        }
        let url = try locator.url(for: spec.data.corpus)
        let corpus = try NamesCorpus(text: try DataLocator.readText(at: url), source: url.path)
        let tokenizer = given ?? CharTokenizer.framed(symbols: corpus.symbols.map { String($0) })
        let split = spec.data.split ?? SplitSpec()
        let parts = corpus.split(seed: UInt64(truncatingIfNeeded: spec.seed),
                                 fractions: try SplitFractions(train: split.train, valid: split.valid, test: split.test))
        let examples = { (words: [String]) in
            // Each character on its own, so that the ids are the table's whatever the tokenizer's preprocessing.
            LineExamples(lines: words.map { word in word.unicodeScalars.flatMap { tokenizer.encode(String($0)) } }, boundary: 0)
        }
        return (tokenizer, (examples(parts.train), examples(parts.valid), examples(parts.test)))
    }

    /// The text a tokenizer learns from. Subword tokenizers learn from the training split only (its
    /// characters: the same fraction of the text as the split takes of the tokens), so that validation
    /// text stays unseen; char and word vocabularies come from the whole text, as d2l builds them.
    private static func trainingPart(of text: String, spec: ExperimentSpec, _ fractions: SplitFractions) -> String {
        guard spec.tokenizer.kind.isSubword else { return text }
        let scalars = text.unicodeScalars
        let count = min(spec.data.maxChars ?? Int.max, scalars.count)
        var part = String.UnicodeScalarView()
        part.append(contentsOf: scalars.prefix(fractions.ranges(count: count).train.upperBound))
        return String(part)
    }

    /// A saved tokenizer (`tokenizer.file`), its path relative to the working directory as data paths are.
    static func tokenizer(file: String, locator: DataLocator) throws -> any Tokenizer {
        try TokenizerFile.load(from: URL(fileURLWithPath: file, relativeTo: URL(fileURLWithPath: locator.currentDirectory)))
    }

    /// The tokenizer `spec` names in its `file`, or else one trained on `text`.
    static func tokenizer(_ spec: TokenizerSpec, training text: String, locator: DataLocator) throws -> any Tokenizer {
        if let file = spec.file { return try tokenizer(file: file, locator: locator) }
        return try tokenizer(spec, training: text)
    }

    /// A tokenizer trained on `text`; char and word vocabularies reserve `<eos>` when lines end in it.
    static func tokenizer(_ spec: TokenizerSpec, training text: String, lineEnd: DataSpec.LineEnd = .none) throws
        -> any Tokenizer {
        var reserved = Set(spec.reserved.compactMap(ReservedToken.init(rawValue:)))
        if lineEnd == .eos { reserved.insert(.eos) }
        var options = TokenizerOptions(lowercase: spec.lowercase, normalization: spec.normalize == .letters ? .letters : .none,
                                       minFrequency: spec.minFrequency, maxSize: spec.maxSize, reserved: reserved)
        switch spec.kind {
        case .char: return try CharTokenizer.train(on: text, options: options)
        case .word: return try WordTokenizer.train(on: text, options: options)
        case .bpe, .bpeByteLevel, .wordPiece:
            options.maxSize = spec.vocabSize
            options.pipeline = SubwordPipeline(rawValue: spec.kind.rawValue) ?? .bpe
            options.specialTokens = spec.specialTokens
            return try HuggingFaceTokenizer.train(on: text, options: options)
        }
    }
}
