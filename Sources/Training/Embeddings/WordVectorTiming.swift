import Core
import Data
import Foundation
import Planner
import Spec

/// `make bench`'s word-vector lines: a spec's training epochs timed alone (no evaluation, no run
/// directory), at the rate word2vec's schedule gives each step.
public final class WordVectorTiming {
    private let session: EmbeddingsSession
    private let recipe: TrainingRecipe

    public init(spec: ExperimentSpec, locator: DataLocator) throws {
        session = try EmbeddingsSession(spec: spec, locator: locator)
        recipe = try session.plan.recipe(for: session.arena.layout, batchesPerEpoch: session.batchesPerEpoch)
    }

    /// The corpus's words as read, before the vocabulary's cut: what gensim's raw words/s counts.
    public var corpusWords: Int { session.corpus.rawWords }

    /// Trains every epoch of the spec; returns the seconds it took.
    public func train() throws -> Double {
        var generator = SeededGenerator(seed: UInt64(truncatingIfNeeded: session.spec.seed))
        var (step, state) = (0, [[Float]]())
        let start = Date()
        while step < recipe.totalSteps {
            for batch in 0..<session.drawEpoch(using: &generator) where step < recipe.totalSteps {
                _ = try session.train(batch: batch, state: &state, lr: recipe.rate(at: step))
                step += 1
            }
        }
        return Date().timeIntervalSince(start)
    }
}
