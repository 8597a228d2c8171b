import Data
import Distributed
import Foundation
import Planner
import Spec

/// `runner check`: everything a run would set up, printed instead of trained.
public enum Checker {
    /// The plan of `spec`; under MPI also each rank's share of a batch and what is reduced per step.
    public static func plan(_ spec: ExperimentSpec, locator: DataLocator, team: Team = .alone) throws -> String {
        let session = try TaskRegistry.newSession(spec, locator: locator, team: team)
        let recipe = try session.plan.recipe(for: session.arena.layout, batchesPerEpoch: session.batchesPerEpoch)
        let training = TrainingSummary.line(session.plan.training, stepsPerEpoch: recipe.stepsPerEpoch, totalSteps: recipe.totalSteps,
                                            byCounting: session.fitsByCounting)
        return """
        \(session.overview)
        \(training)\(team.size > 1 ? "\n" + dataParallel(spec, floats: session.arena.layout.count, team: team) : "")
        \(session.parameterSummary)
        memory
        \(session.memorySummary(optimizerState: recipe.optimizer.stateSize))
        """
    }

    /// `data parallel: 2 MPI ranks × 16 rows …`: the share of a batch and the bytes summed each step.
    private static func dataParallel(_ spec: ExperimentSpec, floats: Int, team: Team) -> String {
        let rows = spec.train.batchSize / team.size
        return String(format: "data parallel: %d MPI ranks × %d rows of each batch of %d (%d threads each); per step one "
            + "MPI_Allreduce sums %d gradient floats (%.2f MB) over the ranks", team.size, rows, spec.train.batchSize,
            spec.train.threadCount(ranksOnNode: team.ranksOnNode), floats, Double(floats * 4) / 1e6)
    }
}
