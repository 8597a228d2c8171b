import Engine
import Foundation
import Graph
import Models
import NN
import Planner
import Runs
import Spec
import Text

/// An elmo run's biLM at its checkpoint (the latest unless chosen), for `runner embed`: each line,
/// read by the run's tokenizer without framing, becomes ELMo's representation of its tokens (the
/// token layer and each LSTM layer, both directions) pooled over the line.
public final class PretrainedELMo {
    let spec: ExperimentSpec
    let tokenizer: any Tokenizer
    let config: ELMo.Config
    /// The width of each vector `embed` gives: 2R, every layer's.
    public var vectorWidth: Int { config.representationWidth }
    let checkpoint: CheckpointStore.Latest
    public var warnings: [String] { checkpoint.warnings }

    /// Whether `run` holds an elmo biLM, as `runner embed` tells the models apart.
    public static func holds(_ run: RunDirectory) throws -> Bool {
        try ExperimentSpec.load(path: run.specURL.path).model.kind == .elmo
    }

    /// Opens `run`, which must be an elmo run with a checkpoint.
    public init(_ run: RunDirectory, checkpoint choice: CheckpointChoice = .latest) throws {
        let trained = try TrainedRun(run, checkpoint: choice, for: "embed --elmo", task: .languageModel, kind: .elmo)
        (spec, tokenizer, checkpoint) = (trained.spec, trained.tokenizer, trained.checkpoint)
        // Evaluation weights as the checkpoint holds them: no dropout.
        var config = try ELMo.Config(spec, vocabularySize: tokenizer.vocabularySize)
        config.dropout = 0
        self.config = config
    }

    /// One vector (2R) per line, in the order of `lines`: layer `layer` (0 the token layer, `layers`
    /// the last), or with nil the mean of all L + 1 layers (ELMo's mix with uniform softmax weights and
    /// γ = 1, before a task learns its own), averaged over the line's tokens (ELMo has no [CLS]).
    public func embed(_ lines: [String], layer: Int?) throws -> [[Float]] {
        if let layer, !(0...config.layers).contains(layer) { throw TrainingError.noLayer(layer, layers: config.layers) }
        let texts = try lines.enumerated().map { index, line in
            let ids = tokenizer.encode(line)
            guard !ids.isEmpty else { throw TrainingError.emptyText(line: index + 1) }
            return ids
        }
        return try PooledEncoding.vectors(texts, padding: tokenizer.paddingID ?? 0, checkpoint: checkpoint,
                                          threads: spec.train.threadCount()) { graph, tokens, mask in
            let steps = try mask.transposed()                                                      // (T, B)
            // With its softmax, unused here, so that the arena holds what the checkpoint does.
            let layers = try ELMo(graph, config: config).representations(tokens.transposed(), mask: steps)   // (T, B, 2R) each
            let mixed = try layer.map { layers[$0] } ?? ScalarMix.uniform(layers)
            return try TextClassifier.pooled(mixed, mask: steps, axis: 0, .mean)                  // (B, 2R)
        }
    }
}
