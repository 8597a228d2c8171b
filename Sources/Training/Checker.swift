import Data
import Engine
import Optim
import Planner
import Spec

/// `runner check`: everything a run would set up, printed instead of trained.
public enum Checker {
    public static func plan(_ spec: ExperimentSpec, locator: DataLocator) throws -> String {
        let corpus = try LanguageModelCorpus(spec, locator: locator)
        let plan = try LanguageModelPlan(spec, vocabularySize: corpus.tokenizer.vocabularySize)
        let program = try Engine.compile(plan.train.graph, outputs: [plan.train.loss] + plan.train.stateOutputs,
                                         gradients: plan.train.gradients, seed: 0)
        let optimizer = try Optimization.optimizer(spec.train.optimizer, layout: program.arena.layout)
        let summary = PlanSummary(graph: plan.train.graph, roots: [plan.train.loss] + plan.train.gradients.map(\.gradient))
        return """
        \(spec.name): \(spec.model.kind.rawValue) (\(spec.model.cell.rawValue)), vocabulary \(corpus.tokenizer.vocabularySize), \
        train tokens \(corpus.splits.train.count), valid \(corpus.splits.valid.count), test \(corpus.splits.test.count)
        batch (T, B) = (\(plan.length), \(plan.batchSize))
        \(summary.text)
        memory
        \(program.memorySummary(optimizerState: optimizer.stateSize))
        """
    }
}
