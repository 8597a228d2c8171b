import Data
import Distributed
import Foundation
import Runs
import Spec

/// The one place where a spec's task becomes the session that trains it.
public enum TaskRegistry {
    /// The session of a new run of `spec`: data read, tokenizers trained, weights from the seed or
    /// from `init_from` (with what was taken from another run's checkpoint); trained by `team`, this
    /// rank's share of it.
    static func newSession(_ spec: ExperimentSpec, locator: DataLocator, team: Team = .alone) throws
        -> (session: any TaskSession, transfer: WeightTransfer?) {
        try refuseDataParallel(spec, team)
        let session: any TaskSession = switch spec.task {
        case .languageModel: try LanguageModelSession(spec: spec, locator: locator, team: team)
        case .translation: try TranslationSession(spec: spec, locator: locator)
        case .embeddings: try EmbeddingsSession(spec: spec, locator: locator)
        case .classification: try ClassificationSession(spec: spec, locator: locator)
        case .maskedLM: try MaskedLMSession(spec: spec, locator: locator)
        }
        guard let source = spec.initFrom.map({ URL(fileURLWithPath: $0) }) else { return (session, nil) }
        if WeightTransfer.isRun(source) {
            return (session, try WeightTransfer(from: try RunDirectory.open(source), into: session.arena))
        }
        try session.arena.importWeights(from: source, model: spec.model)
        return (session, nil)
    }

    /// The session of an existing run as its chosen checkpoint (the latest unless said) left it;
    /// `spec` is the run's spec.yaml when the caller has read it already. `team` goes on training it,
    /// and must be as many ranks as trained it; nil when the run is only scored.
    static func openSession(_ run: RunDirectory, spec: ExperimentSpec? = nil, locator: DataLocator,
                            checkpoint: CheckpointChoice = .latest, continuing team: Team? = nil) throws -> any TaskSession {
        let spec = try spec ?? ExperimentSpec.load(path: run.specURL.path)
        try refuseDataParallel(spec, team ?? .alone)
        switch spec.task {
        case .languageModel:
            return try LanguageModelSession(opening: run, spec: spec, locator: locator, checkpoint: checkpoint, continuing: team)
        case .translation: return try TranslationSession(opening: run, spec: spec, locator: locator, checkpoint: checkpoint)
        case .embeddings: return try EmbeddingsSession(opening: run, spec: spec, locator: locator, checkpoint: checkpoint)
        case .classification:
            return try ClassificationSession(opening: run, spec: spec, locator: locator, checkpoint: checkpoint)
        case .maskedLM: return try MaskedLMSession(opening: run, spec: spec, locator: locator, checkpoint: checkpoint)
        }
    }

    /// Data-parallel training splits a language model's batches; the other tasks train in one process.
    private static func refuseDataParallel(_ spec: ExperimentSpec, _ team: Team) throws {
        guard team.size > 1, spec.task != .languageModel else { return }
        throw TrainingError.unsupported("task \(spec.task.rawValue) under mpirun (data-parallel training splits a language "
            + "model's batches; train this one in one process)")
    }
}
