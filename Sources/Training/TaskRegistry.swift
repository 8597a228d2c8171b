import Data
import Distributed
import Foundation
import Planner
import Runs
import Spec

/// The one place where a spec's task becomes the session that trains it.
public enum TaskRegistry {
    /// The session of a new run of `spec`: data read, tokenizers trained, weights from the seed or
    /// from `init_from` (with what was taken from another run's checkpoint); trained by `team`, this
    /// rank's share of it. A plan error is reported at the spec key to change.
    static func newSession(_ spec: ExperimentSpec, locator: DataLocator, team: Team = .alone) throws
        -> (session: any TaskSession, transfer: WeightTransfer?) {
        try spec.locating { try newSession(planning: spec, locator: locator, team: team) }
    }

    private static func newSession(planning spec: ExperimentSpec, locator: DataLocator, team: Team) throws
        -> (session: any TaskSession, transfer: WeightTransfer?) {
        try refuseDataParallel(spec, team)
        if spec.model.kind == .classifier, spec.model.encoder == .elmo { try checkFeatureSource(spec) }
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
        return try spec.locating { () throws -> any TaskSession in
            switch spec.task {
            case .languageModel:
                try LanguageModelSession(opening: run, spec: spec, locator: locator, checkpoint: checkpoint, continuing: team)
            case .translation: try TranslationSession(opening: run, spec: spec, locator: locator, checkpoint: checkpoint)
            case .embeddings: try EmbeddingsSession(opening: run, spec: spec, locator: locator, checkpoint: checkpoint)
            case .classification: try ClassificationSession(opening: run, spec: spec, locator: locator, checkpoint: checkpoint)
            case .maskedLM: try MaskedLMSession(opening: run, spec: spec, locator: locator, checkpoint: checkpoint)
            }
        }
    }

    /// ELMo's features stay as pretrained, so a biLM weight that `init_from` lacks would stay random:
    /// the run must be an elmo run whose biLM has the sizes the classifier names.
    private static func checkFeatureSource(_ spec: ExperimentSpec) throws {
        guard let path = spec.initFrom else { return }
        let source = URL(fileURLWithPath: path)
        guard WeightTransfer.isRun(source) else {
            throw TrainingError.featuresMismatch(path: path, reason: "is not a run directory; 'encoder: elmo' reads the "
                + "features of an elmo run (experiments/elmo_wikitext2.yaml trains one)")
        }
        let model = try ExperimentSpec.load(path: try RunDirectory.open(source).specURL.path).model
        guard model.kind == .elmo else {
            throw TrainingError.featuresMismatch(path: path, reason: "is a \(model.kind.rawValue) run; 'encoder: elmo' reads "
                + "the features of an elmo run (experiments/elmo_wikitext2.yaml trains one)")
        }
        let ours = spec.model
        let sizes = [("embedding", "embedding", ours.embedding, model.embedding),
                     ("projection", "projection", ours.projection ?? 0, model.projection ?? 0),
                     ("elmo_hidden", "hidden", ours.elmoHidden, model.hidden), ("elmo_layers", "layers", ours.elmoLayers, model.layers)]
        if let (key, theirs, value, wanted) = sizes.first(where: { $0.2 != $0.3 }) {
            throw TrainingError.featuresMismatch(path: path, reason: "has a biLM of model.\(theirs) \(wanted == 0 ? "none" : "\(wanted)"), "
                + "but this classifier's model.\(key) is \(value == 0 ? "none" : "\(value)"); set 'model.\(key): "
                + "\(wanted == 0 ? "null" : "\(wanted)")'")
        }
    }

    /// Data-parallel training splits a language model's batches; the other tasks train in one process.
    private static func refuseDataParallel(_ spec: ExperimentSpec, _ team: Team) throws {
        guard team.size > 1, spec.task != .languageModel else { return }
        throw TrainingError.unsupported("task \(spec.task.rawValue) under mpirun (data-parallel training splits a language "
            + "model's batches; train this one in one process)")
    }
}
