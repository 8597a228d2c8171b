import Data
import Planner
import Spec

/// `runner check`: everything a run would set up, printed instead of trained.
public enum Checker {
    public static func plan(_ spec: ExperimentSpec, locator: DataLocator) throws -> String {
        let session = try TaskRegistry.newSession(spec, locator: locator)
        let optimizer = try session.plan.optimizer(for: session.arena.layout)
        return """
        \(session.overview)
        \(session.parameterSummary)
        memory
        \(session.memorySummary(optimizerState: optimizer.stateSize))
        """
    }
}
