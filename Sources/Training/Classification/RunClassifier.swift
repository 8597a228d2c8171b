import Data
import Engine
import Foundation
import Planner
import Runs
import Spec
import Text

/// `runner predict`: a classification run's checkpoint (the latest unless chosen) labelling lines of
/// text. It needs the run directory alone: its spec, tokenizer, classes and checkpoint.
public final class RunClassifier {
    let spec: ExperimentSpec
    let tokenizer: any Tokenizer
    public let labels: [String]
    let checkpoint: CheckpointStore.Latest
    public var warnings: [String] { checkpoint.warnings }

    /// Opens `run`, which must be a classification run with a checkpoint.
    public init(_ run: RunDirectory, checkpoint choice: CheckpointChoice = .latest) throws {
        let trained = try TrainedRun(run, checkpoint: choice, for: "predict", task: .classification)
        (spec, tokenizer, checkpoint, labels) = (trained.spec, trained.tokenizer, trained.checkpoint, try run.labels())
    }

    /// Each line's most probable class and its probability.
    public func predict(_ lines: [String]) throws -> [(label: String, probability: Double)] {
        guard !lines.isEmpty else { return [] }
        let texts = try lines.enumerated().map { index, line in
            let ids = tokenizer.encode(line)
            guard !ids.isEmpty else { throw TrainingError.emptyText(line: index + 1) }
            let framed = ClassificationCorpus.framed(ids, spec: spec, tokenizer: tokenizer)
            if let positions = spec.model.classifierPositionLimit, framed.count > positions {
                throw TrainingError.textTooLong(line: index + 1, tokens: framed.count, positions: positions)
            }
            if spec.model.classifierPositionLimit == nil, framed.count > TrainingError.longestUnrolledLine {
                throw TrainingError.lineTooLongToUnroll(line: index + 1, positions: framed.count)
            }
            return LabelledText(tokens: framed, label: 0)
        }
        let buckets = try ClassificationBuckets(texts, count: spec.data.buckets, batchSize: spec.train.batchSize, batchTokens: nil,
                                                padding: tokenizer.paddingID ?? 0)
        let plan = try ClassificationPlan(spec, vocabularySize: tokenizer.vocabularySize, classes: labels.count, shapes: [],
                                          evaluationShapes: buckets.shapes)
        let arena = ParameterArena(graph: plan.eval[0].graph, seed: 0)
        try arena.load(checkpoint.checkpoint, path: checkpoint.url.path)
        let threads = spec.train.threadCount()
        let programs = try plan.eval.map { pass in
            try Engine.compile(pass.graph, outputs: [pass.loss, pass.logits], arena: arena, threads: threads)
        }
        return try buckets.inExampleOrder { batch in
            try ClassificationPlan.run(programs[batch.bucket], batch, plan.eval[batch.bucket], logits: true).logits
                .prefix(batch.examples).map { logits in
                    let best = ClassificationPlan.best(logits)
                    return (labels[best.class], best.probability)
                }
        }
    }
}
