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
        let model = switch plan.model {
        case .recurrent(let config): "\(spec.model.kind.rawValue) (\(config.cell.rawValue))"
        case .gpt(let config): "gpt (\(config.layers) layers, \(config.heads) heads, width \(config.width), block \(config.blockSize))"
        case .mlp(let config):
            "mlp_lm (block \(config.block), embedding \(config.embedding), \(config.layers) × hidden \(config.hidden)"
                + (config.batchNorm ? ", batch norm" : "") + (config.direct ? ", direct connections" : "") + ")"
        case .hierarchicalWaveNet(let config):
            "wavenet_hier (block \(config.block), \(config.stages ?? 0) stages, embedding \(config.embedding), "
                + "hidden \(config.hidden))"
        case .ngram(let config): "ngram (order \(config.order), add-\(config.smoothing) smoothing)"
        case .wavenet(let config):
            "wavenet (\(config.stacks) × \(config.layersPerStack) layers, kernel \(config.kernelSize), residual "
                + "\(config.residualChannels), gate \(config.dilationChannels), skip \(config.skipChannels), receptive field "
                + "\(config.receptiveField) tokens)"
        }
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
        \(spec.name): \(model), vocabulary \(corpus.tokenizer.vocabularySize), \(sizes)
        \(batch)\(accumulation)
        \(summary.text)
        memory
        \(program.memorySummary(optimizerState: optimizer.stateSize))
        """
    }
}
