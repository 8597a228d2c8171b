import Embeddings
import Foundation
import Runs
import Spec

/// A word-vector run opened for its vectors alone (`runner similar`, `analogy`, `export`): its spec,
/// its vocabulary and a checkpoint's tables; the corpus is not read.
public struct WordVectorRun {
    public let vectors: WordVectors
    /// The training step of the checkpoint read.
    public let step: Int
    /// Newer checkpoints that could not be read and were passed over.
    public let warnings: [String]

    public init(_ run: RunDirectory, checkpoint choice: CheckpointChoice = .latest, command: String) throws {
        let spec = try ExperimentSpec.load(path: run.specURL.path)
        guard spec.task == .embeddings else {
            throw TrainingError.wrongTask(run: run.url.path, task: spec.task.rawValue, command: command)
        }
        let latest = try run.checkpoint(choice)
        let model = WordVectorModel(spec.model, vocabulary: try EmbeddingsEvaluation.vocabulary(of: run))
        let arena = try model.arena(seed: spec.seed)
        try arena.load(latest.checkpoint, path: latest.url.path)
        (vectors, step, warnings) = (try model.vectors(arena, unknownWords: true), latest.checkpoint.step, latest.warnings)
    }

    /// `word  0.812` lines, one per neighbour.
    public static func lines(_ neighbours: [(word: String, similarity: Float)]) -> String {
        let width = neighbours.map(\.word.count).max() ?? 0
        return neighbours.map { $0.word.padding(toLength: width, withPad: " ", startingAt: 0) + String(format: "  %.4f", $0.similarity) }
            .joined(separator: "\n")
    }
}
