import Data
import Planner
import Spec

/// `runner check`: everything a run would set up, printed instead of trained.
public enum Checker {
    public static func plan(_ spec: ExperimentSpec, locator: DataLocator) throws -> String {
        let corpus = try LanguageModelCorpus(spec, locator: locator)
        let context = try RunContext(spec: spec, tokenizer: corpus.tokenizer, purpose: .training)
        let plan = context.plan
        let optimizer = try plan.optimizer(for: context.arena.layout)
        let batch = if plan.window != nil {
            "batch (B, context) = (\(plan.batchSize), \(plan.length)), one prediction per row"
        } else {
            plan.layout == .timeMajor ? "batch (T, B) = (\(plan.length), \(plan.batchSize))"
                : "batch (B, T) = (\(plan.batchSize), \(plan.length))"
        }
        let sizes = corpus.lines.map { "train lines \($0.train.lines.count), valid \($0.valid.lines.count), test \($0.test.lines.count)" }
            ?? "train tokens \(corpus.splits.train.count), valid \(corpus.splits.valid.count), test \(corpus.splits.test.count)"
        let accumulation = spec.train.gradAccumSteps > 1 ? " × \(spec.train.gradAccumSteps) accumulated per step" : ""
        return """
        \(spec.name): \(plan.model.summary), vocabulary \(corpus.tokenizer.vocabularySize), \(sizes)
        \(batch)\(accumulation)
        \(plan.summary.text)
        memory
        \(context.train?.memorySummary(optimizerState: optimizer.stateSize) ?? "")
        """
    }
}
