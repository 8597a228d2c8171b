import Data
import Distributed
import Foundation
import Planner
import Spec

/// `runner check`: everything a run would set up, printed instead of trained.
public enum Checker {
    /// The plan of `spec`; under MPI also each rank's share of a batch and what is reduced per step.
    public static func plan(_ spec: ExperimentSpec, locator: DataLocator, team: Team = .alone) throws -> String {
        let (session, transfer) = try TaskRegistry.newSession(spec, locator: locator, team: team)
        let recipe = try spec.locating {
            try session.plan.recipe(for: session.arena.layout, batchesPerEpoch: session.batchesPerEpoch)
        }
        let training = TrainingSummary.line(session.plan.training, stepsPerEpoch: recipe.stepsPerEpoch, totalSteps: recipe.totalSteps,
                                            byCounting: session.fitsByCounting)
        return """
        \(session.overview)\(transfer.map { "\n" + $0.table } ?? "")
        \(training)\(team.size > 1 ? "\n" + dataParallel(spec, floats: session.arena.layout.count, team: team) : "")
        \(session.parameterSummary)
        memory
        \(session.memorySummary(optimizerState: recipe.optimizer.stateSize))
        """
    }

    /// `data parallel: 2 MPI ranks, 1 thread each; …`: the ranks and what they sum each step (the
    /// overview says each one's share of a batch).
    private static func dataParallel(_ spec: ExperimentSpec, floats: Int, team: Team) -> String {
        let threads = spec.train.threadCount(ranksOnNode: team.ranksOnNode)
        return String(format: "data parallel: %d MPI ranks, %d thread%@ each; per step one MPI_Allreduce sums %d gradient "
            + "floats (%.2f MB)", team.size, threads, threads == 1 ? "" : "s", floats, Double(floats * 4) / 1e6)
    }
}
