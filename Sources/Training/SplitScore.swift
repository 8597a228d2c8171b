import Data
import Foundation
import Runs
import Spec

/// `runner eval RUN --split S`: a run's checkpoint (the latest unless chosen) scored on one split of its
/// corpus, with the metrics its task reports (loss and perplexity; BLEU for translation).
public struct SplitScore: Sendable {
    public let split: String
    public let metrics: [String: Double]
    public var loss: Double { metrics["loss"] ?? .nan }
    public var perplexity: Double { Foundation.exp(loss) }
    /// The training step of the checkpoint scored.
    public let step: Int
    /// Newer checkpoints that could not be read and were passed over.
    public let warnings: [String]

    public init(_ run: RunDirectory, split: String, locator: DataLocator, checkpoint: CheckpointChoice = .latest) throws {
        guard ["train", "valid", "test"].contains(split) else { throw TrainingError.unknownSplit(split) }
        let session = try TaskRegistry.openSession(run, locator: locator, checkpoint: checkpoint)
        guard session.scoredSplits.contains(split) else {
            throw TrainingError.unscoredSplit(split, task: session.spec.task.rawValue, scored: session.scoredSplits)
        }
        guard let metrics = try session.evaluate(split) else {
            throw TrainingError.emptySplit(split, fromFiles: session.spec.task != .languageModel)
        }
        (self.split, self.metrics, step, warnings) = (split, metrics, session.latest?.checkpoint.step ?? 0, session.warnings)
    }

    /// `valid loss 3.2410  ppl 25.5602  bleu 27.31  (step 2270)`: every metric a log line shows, then
    /// the details (`analogy.section.family 0.4500`), one a line.
    public var line: String {
        let scores = metrics["loss"] == nil ? "" : String(format: " loss %.4f  ppl %.4f", loss, perplexity)
        let details = metrics.keys.filter { $0.contains(".") }.sorted().map { String(format: "\n  %@ %.4f", $0, metrics[$0]!) }
        return split + scores + Trainer.extras(metrics) + "  (step \(step))" + details.joined()
    }
}
