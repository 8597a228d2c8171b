import Data
import Foundation
import Spec
import Text
import Translation

/// A parallel corpus as a translation run reads it: a tokenizer per side (each trained on its own
/// side's training text as the spec's block for it says, or loaded from its `file`, with `<pad>`,
/// `<bos>` and `<eos>`; one trained on both sides for a model that shares all embeddings), the pairs of each split as ids,
/// the training pairs longer than `max_length` left out, and the splits' reference lines for BLEU.
struct TranslationCorpus {
    let source: any Tokenizer
    let target: any Tokenizer
    let tokens: TranslationTokens
    let train: [TranslationPair]
    let valid: [TranslationPair]
    let test: [TranslationPair]
    /// The target lines of valid and test, as BLEU compares translations with them.
    let references: (valid: [String], test: [String])
    /// Training pairs left out for their length, and pairs dropped for an empty side.
    let tooLong: Int
    let empty: Int

    /// Reads the spec's corpus; trains the tokenizers, or uses the given ones (an opened run's).
    init(_ spec: ExperimentSpec, locator: DataLocator, tokenizers given: (source: any Tokenizer, target: any Tokenizer)? = nil)
        throws {
        let data = spec.data
        let corpus = try Self.parallelCorpus(spec, locator: locator)
        let options = spec.tokenizers
        // A model that shares one embedding between the sides needs one vocabulary, learned from both.
        let joint = spec.model.shareEmbeddings == .all
        let source = try given?.source ?? Self.tokenizer(options.source, training: corpus.train.source
                                                             + (joint ? corpus.train.target : []), locator: locator)
        let target = try given?.target
            ?? (joint ? source : Self.tokenizer(options.target, training: corpus.train.target, locator: locator))
        let tokens = try Self.tokens(source: source, target: target, sourceBOS: data.sourceBOS)
        let encode = { (split: ParallelCorpus.Split) in
            zip(split.source, split.target).map { TranslationPair(source: source.encode($0), target: target.encode($1)) }
        }
        // data.max_length counts a sentence's own tokens, so `<bos>` comes after the cut.
        let framed = { (pairs: [TranslationPair]) in
            pairs.map { TranslationPair(source: tokens.source($0.source), target: $0.target) }
        }
        let limited = encode(corpus.train).limited(to: data.maxLength)
        guard !limited.pairs.isEmpty else {
            throw DataError.invalidOption("no training pair is within data.max_length \(data.maxLength ?? 0) tokens; raise it")
        }
        (self.source, self.target, self.tokens) = (source, target, tokens)
        (train, tooLong) = (framed(limited.pairs), limited.dropped)
        (valid, test, empty) = (framed(encode(corpus.valid)), framed(encode(corpus.test)), corpus.dropped)
        references = (corpus.valid.target, corpus.test.target)
    }

    /// The spec's parallel files: a registered dataset's, or `data.files` with `{lang}` for each side's
    /// code (the spec's loader made sure every pattern has it); only the splits in `reading` are read.
    static func parallelCorpus(_ spec: ExperimentSpec, locator: DataLocator, reading: Set<String> = ParallelCorpus.splits)
        throws -> ParallelCorpus {
        let data = spec.data
        guard let sourceLanguage = data.source, let targetLanguage = data.target else {
            throw DataError.invalidOption("a translation spec needs data.source and data.target")
        }
        guard let files = data.files else {
            return try ParallelCorpus(dataset: data.corpus, source: sourceLanguage, target: targetLanguage, locator: locator,
                                      reading: reading)
        }
        let pair = { (path: String) in
            ParallelCorpus.Files(source: path.replacingOccurrences(of: "{lang}", with: sourceLanguage),
                                 target: path.replacingOccurrences(of: "{lang}", with: targetLanguage))
        }
        return try ParallelCorpus(train: pair(files.train), valid: files.valid.map(pair), test: files.test.map(pair),
                                  locator: locator, reading: reading)
    }

    /// A pair's source sentence as text, without the `<bos>` that `data.source_bos` frames it with.
    func sourceText(of pair: TranslationPair) -> String {
        source.decode(tokens.sentence(ofSource: pair.source))
    }

    /// The side's tokenizer: loaded from `options.file`, or trained on the side's training lines
    /// (char and word tokenizers with `<unk> <pad> <bos> <eos>` reserved).
    private static func tokenizer(_ options: TokenizerSpec, training lines: [String], locator: DataLocator) throws
        -> any Tokenizer {
        var options = options
        if !options.kind.isSubword { options.reserved = ["<unk>", "<pad>", "<bos>", "<eos>"] }
        return try LanguageModelCorpus.tokenizer(options, training: lines.joined(separator: "\n"), locator: locator)
    }

    /// The special tokens batches and decoding frame sentences with, each side's from its tokenizer.
    /// - Parameter sourceBOS: whether sources start with `<bos>` (`data.source_bos`).
    static func tokens(source: any Tokenizer, target: any Tokenizer, sourceBOS: Bool) throws -> TranslationTokens {
        guard let padding = target.paddingID, let bos = target.bosID, let eos = target.eosID,
              let sourcePadding = source.paddingID, let sourceEOS = source.eosID else {
            throw DataError.invalidOption("translation needs <pad>, <bos> and <eos> in the target tokenizer and <pad> and "
                + "<eos> in the source's; with a subword tokenizer, list them in tokenizer.special_tokens")
        }
        if sourceBOS, source.bosID == nil {
            throw DataError.invalidOption("data.source_bos needs <bos> in the source tokenizer; with a subword tokenizer, "
                + "list it in tokenizer.special_tokens")
        }
        return TranslationTokens(padding: padding, bos: bos, eos: eos, sourcePadding: sourcePadding, sourceEOS: sourceEOS,
                                 sourceBOS: sourceBOS ? source.bosID : nil)
    }
}
