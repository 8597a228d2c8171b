import Data
import Foundation
import Runs
import Spec

/// The one place where a spec's task becomes the session that trains it.
public enum TaskRegistry {
    /// The session of a new run of `spec`: data read, tokenizers trained, weights from the seed or
    /// from `init_from`.
    static func newSession(_ spec: ExperimentSpec, locator: DataLocator) throws -> any TaskSession {
        let session: any TaskSession = switch spec.task {
        case .languageModel: try LanguageModelSession(spec: spec, locator: locator)
        case .translation: try TranslationSession(spec: spec, locator: locator)
        case .embeddings: try EmbeddingsSession(spec: spec, locator: locator)
        }
        if let source = spec.initFrom { try session.arena.importWeights(from: URL(fileURLWithPath: source), model: spec.model) }
        return session
    }

    /// The session of an existing run as its chosen checkpoint (the latest unless said) left it;
    /// `spec` is the run's spec.yaml when the caller has read it already.
    static func openSession(_ run: RunDirectory, spec: ExperimentSpec? = nil, locator: DataLocator,
                            checkpoint: CheckpointChoice = .latest) throws -> any TaskSession {
        let spec = try spec ?? ExperimentSpec.load(path: run.specURL.path)
        switch spec.task {
        case .languageModel: return try LanguageModelSession(opening: run, spec: spec, locator: locator, checkpoint: checkpoint)
        case .translation: return try TranslationSession(opening: run, spec: spec, locator: locator, checkpoint: checkpoint)
        case .embeddings: return try EmbeddingsSession(opening: run, spec: spec, locator: locator, checkpoint: checkpoint)
        }
    }
}
