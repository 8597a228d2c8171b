import Data
import Engine
import Foundation
import Planner
import Runs
import Spec
import Text
import Translation

/// `runner translate`: a translation run's checkpoint (the latest unless chosen) decoding lines of source text, greedily
/// or by beam search. It needs the run directory alone (its spec, tokenizers and checkpoint); a
/// split's files are read only to translate that split.
public final class RunTranslator {
    let spec: ExperimentSpec
    let locator: DataLocator
    let tokenizers: (source: any Tokenizer, target: any Tokenizer)
    let tokens: TranslationTokens
    let plan: TranslationPlan
    let arena: ParameterArena
    let threads: Int
    public let warnings: [String]

    /// Opens `run`, which must be a translation run with a checkpoint.
    public init(_ run: RunDirectory, locator: DataLocator, checkpoint: CheckpointChoice = .latest) throws {
        spec = try ExperimentSpec.load(path: run.specURL.path)
        guard spec.task == .translation else {
            throw TrainingError.wrongTask(run: run.url.path, task: spec.task.rawValue, command: "translate")
        }
        let latest = try run.checkpoint(checkpoint)
        tokenizers = try run.translationTokenizers()
        tokens = try TranslationCorpus.tokens(source: tokenizers.source, target: tokenizers.target, sourceBOS: spec.data.sourceBOS)
        // One evaluation graph of the smallest shape declares every parameter; decoding compiles its
        // own graphs over the arena.
        plan = try TranslationPlan(spec, sourceVocabularySize: tokenizers.source.vocabularySize,
                                   targetVocabularySize: tokenizers.target.vocabularySize, shapes: [],
                                   evaluationShapes: [.init(batchSize: 1, sourceLength: 1, targetLength: 1)])
        arena = ParameterArena(graph: plan.eval[0].graph, seed: 0)
        try arena.load(latest.checkpoint, path: latest.url.path)
        (self.locator, warnings) = (locator, latest.warnings)
        threads = spec.train.threadCount()
    }

    /// Whether `attention(source:translation:)` has maps to draw: a Transformer's, or a seq2seq model's
    /// with `model.attention` other than none.
    public var hasAttention: Bool { spec.model.kind == .transformer || spec.model.attention != .none }

    /// The decoding settings the run was evaluated with.
    public var decoding: DecodeSpec { spec.eval.decode }

    /// The source lines of a split ("valid" or "test") that has pairs, read from the run's corpus
    /// (that split's files alone).
    public func sources(of split: String) throws -> [String] {
        let corpus = try TranslationCorpus.parallelCorpus(spec, locator: locator, reading: [split])
        let lines = split == "valid" ? corpus.valid.source : split == "test" ? corpus.test.source : []
        guard !lines.isEmpty else { throw TrainingError.emptySplit(split, fromFiles: true) }
        return lines
    }

    /// The attention maps of the model producing `translation` from `source`, with their tokens (each
    /// side ending in `<eos>`), each map's title (none for a single map) and how many a grid row holds;
    /// nil for a model without attention.
    public func attention(source: String, translation: String)
        throws -> (source: [String], target: [String], maps: [(title: String?, weights: [[Float]])], columns: Int)? {
        let (sourceIDs, targetIDs) = (tokens.source(tokenizers.source.encode(source)), tokenizers.target.encode(translation))
        // Long enough for the whole translation (tokenised again, it may count differently), within the
        // model's positions: rows past them are not drawn.
        var decoding = DecodeSpec()
        decoding.maxLenB = max(decoding.maxLenB, targetIDs.count)
        let translator = translator(Decoder(decoding, tokens: tokens), rows: 1)
        let maps = try translator.attention(source: sourceIDs, translation: targetIDs)
        guard let rows = maps.first?.count else { return nil }
        let layout = try translator.attentionLayout(sourceLength: sourceIDs.count)
        let names = { (ids: [Int], tokenizer: any Tokenizer) in ids.map { tokenizer.token(for: $0) ?? "?" } + ["<eos>"] }
        let titles = layout.titles.isEmpty ? [String?](repeating: nil, count: maps.count) : layout.titles.map { Optional($0) }
        return (names(sourceIDs, tokenizers.source), Array(names(targetIDs, tokenizers.target).prefix(rows)),
                Array(zip(titles, maps)).map { (title: $0, weights: $1) }, layout.columns)
    }

    /// The `nBest` best translations of each line, best first, with their scores. A blank line has
    /// nothing to translate: its translations are blank, scored 0, so that the lines stay aligned.
    public func translate(_ lines: [String], decoding: DecodeSpec, nBest: Int) throws -> [[(text: String, score: Double)]] {
        let sources = lines.map { tokens.source(tokenizers.source.encode($0)) }
        if let positions = plan.model.positionLimit, let line = sources.firstIndex(where: { $0.count + 1 > positions }) {
            throw TrainingError.sourceTooLong(line: line + 1, tokens: tokens.sentence(ofSource: sources[line]).count,
                                              framed: sources[line].count + 1, positions: positions)
        }
        if plan.model.positionLimit == nil,
           let line = sources.firstIndex(where: { $0.count + 1 > TrainingError.longestUnrolledLine }) {
            throw TrainingError.lineTooLongToUnroll(line: line + 1, positions: sources[line].count + 1)
        }
        let blank = lines.map(\.isBlank)
        var translated = try translator(Decoder(decoding, tokens: tokens, nBest: nBest))
            .translate(zip(sources, blank).filter { !$1 }.map(\.0)).makeIterator()
        return blank.map { isBlank in
            isBlank ? Array(repeating: ("", 0), count: nBest)
                : (translated.next() ?? []).map { (tokenizers.target.decode($0.tokens), $0.score) }
        }
    }

    private func translator(_ decoder: Decoder, rows: Int = 128) -> Translator {
        Translator(plan: plan, arena: arena, decoder: decoder, sourceEOS: tokens.sourceEOS, rows: rows, threads: threads)
    }
}
