import Data
import Foundation
import Runs
import Spec
import Text
import Translation

/// `runner translate`: a translation run's latest checkpoint decoding lines of source text, greedily
/// or by beam search.
public final class RunTranslator {
    let session: TranslationSession

    /// Opens `run`, which must be a translation run (its corpus is read for the tokenizers' data
    /// and the splits).
    public init(_ run: RunDirectory, locator: DataLocator) throws {
        let spec = try ExperimentSpec.load(path: run.specURL.path)
        guard spec.task == .translation else {
            throw TrainingError.wrongTask(run: run.url.path, task: spec.task.rawValue, command: "translate")
        }
        guard let session = try TaskRegistry.openSession(run, spec: spec, locator: locator) as? TranslationSession else {
            preconditionFailure("a translation spec opens a translation session")
        }
        self.session = session
    }

    public var warnings: [String] { session.warnings }
    /// The decoding settings the run was evaluated with.
    public var decoding: DecodeSpec { session.spec.eval.decode }

    /// The source lines of a split ("valid" or "test").
    public func sources(of split: String) throws -> [String] {
        let pairs = split == "valid" ? session.corpus.valid : split == "test" ? session.corpus.test : []
        guard !pairs.isEmpty else { throw TrainingError.emptySplit(split) }
        return pairs.map { session.corpus.source.decode($0.source) }
    }

    /// The attention weights of the model producing `translation` from `source`, with their tokens
    /// (each side ending in `<eos>`); nil for a model without attention.
    public func attention(source: String, translation: String)
        throws -> (source: [String], target: [String], weights: [[Float]])? {
        let (corpus, sourceIDs, targetIDs) = (session.corpus, session.corpus.source.encode(source), session.corpus.target.encode(translation))
        let translator = Translator(plan: session.translationPlan, arena: session.arena,
                                    decoder: session.decoder(DecodeSpec()), rows: 1)
        let weights = try translator.attention(source: sourceIDs, translation: targetIDs)
        guard !weights.isEmpty else { return nil }
        let tokens = { (ids: [Int], tokenizer: any Tokenizer) in ids.map { tokenizer.token(for: $0) ?? "?" } + ["<eos>"] }
        return (tokens(sourceIDs, corpus.source), tokens(targetIDs, corpus.target), weights)
    }

    /// The `nBest` best translations of each line, best first, with their scores.
    public func translate(_ lines: [String], decoding: DecodeSpec, nBest: Int) throws -> [[(text: String, score: Double)]] {
        let translator = Translator(plan: session.translationPlan, arena: session.arena,
                                    decoder: session.decoder(decoding, nBest: nBest), threads: session.threads)
        return try translator.translate(lines.map { session.corpus.source.encode($0) }).map { hypotheses in
            hypotheses.map { (session.corpus.target.decode($0.tokens), $0.score) }
        }
    }
}
