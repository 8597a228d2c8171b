import Data
import Planner
import Spec

/// `runner check`: everything a run would set up, printed instead of trained.
public enum Checker {
    public static func plan(_ spec: ExperimentSpec, locator: DataLocator) throws -> String {
        let session = try TaskRegistry.newSession(spec, locator: locator)
        let recipe = try session.plan.recipe(for: session.arena.layout, batchesPerEpoch: session.batchesPerEpoch)
        let training = TrainingSummary.line(session.plan.training, stepsPerEpoch: recipe.stepsPerEpoch, totalSteps: recipe.totalSteps,
                                            byCounting: session.fitsByCounting)
        return """
        \(session.overview)
        \(training)
        \(session.parameterSummary)
        memory
        \(session.memorySummary(optimizerState: recipe.optimizer.stateSize))
        """
    }
}
