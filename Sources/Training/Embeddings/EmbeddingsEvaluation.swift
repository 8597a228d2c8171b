import Data
import Embeddings
import Foundation
import Runs
import Spec

/// The intrinsic evaluation of word vectors, as gensim's `evaluate_word_pairs` and
/// `evaluate_word_analogies` run it: Spearman's ρ on each word-similarity file (and the share of its
/// pairs skipped for an unknown word), 3CosAdd accuracy on the analogy questions, overall, semantic,
/// syntactic and per section.
struct EmbeddingsEvaluation {
    let pairs: [(name: String, pairs: WordPairs)]
    let analogies: Analogies?
    let restrict: Int

    init(_ eval: EvalSpec, locator: DataLocator) throws {
        // An evaluation file's text and the path its errors name.
        let read = { (reference: String) throws -> (text: String, path: String) in
            let url = try locator.url(for: reference)
            return (try DataLocator.readText(at: url), url.path)
        }
        pairs = try eval.wordPairs.map { reference in
            let file = try read(reference)
            return (EvalSpec.metricName(reference), try WordPairs(text: file.text, path: file.path))
        }
        analogies = try eval.analogies.map { reference in
            let file = try read(reference)
            return try Analogies(text: file.text, path: file.path)
        }
        restrict = eval.restrictVocab
    }

    /// `wordsim353` (ρ), `wordsim353.oov` (% of pairs skipped), …; `analogy` (accuracy over the
    /// answerable questions), `analogy.answered`, `analogy.semantic`, `analogy.syntactic` and
    /// `analogy.section.<name>`. Details have a dot: metrics.jsonl keeps them, the log line does not.
    func metrics(_ vectors: WordVectors) -> [String: Double] {
        var metrics: [String: Double] = [:]
        for (name, file) in pairs {
            let score = file.score(vectors)
            metrics[name] = score.spearman.isNaN ? nil : score.spearman
            metrics[name + ".oov"] = score.oovPercent
        }
        if let analogies {
            let score = analogies.score(vectors, restrict: restrict)
            metrics["analogy"] = score.accuracy
            metrics["analogy.answered"] = Double(score.answered)
            metrics["analogy.semantic"] = Analogies.Score.accuracy(score.semantic.correct, of: score.semantic.answered)
            metrics["analogy.syntactic"] = Analogies.Score.accuracy(score.syntactic.correct, of: score.syntactic.answered)
            for section in score.sections where section.answered > 0 {
                metrics["analogy.section." + section.name] = Analogies.Score.accuracy(section.correct, of: section.answered)
            }
        }
        return metrics
    }

    /// A word-vector run's saved vocabulary.
    static func vocabulary(of run: RunDirectory) throws -> EmbeddingVocabulary {
        let url = run.vocabularyURL
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw RunError.badFile(path: url.path, reason: "is missing or not UTF-8 text: it is the run's vocabulary, which "
                + "its checkpoints' rows stand for; restore it from a copy of the run")
        }
        return try EmbeddingVocabulary.read(tsv: text, path: url.path)
    }
}
