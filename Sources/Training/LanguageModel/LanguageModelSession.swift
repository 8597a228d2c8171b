import Core
import Data
import Distributed
import Engine
import Foundation
import Planner
import Runs
import Spec
import Text

/// The language-model task of a run: a token stream, framed lines or context windows in batches of
/// the plan's shape, the recurrent state carried between batches that continue each other, loss,
/// perplexity and bits per character, and a sample at every report.
///
/// Trained by a team of ranks, every rank draws the same global batches of `train.batch_size` rows
/// and runs its own slice of them (rank r: rows r·b ..< (r+1)·b for the plan's b), which keeps its
/// carried state for the same rows from batch to batch; evaluation is sliced the same way and summed.
final class LanguageModelSession: TaskSession {
    let context: RunContext
    let team: Team
    let data: LanguageModelData
    let program: Program
    let evaluator: Evaluator
    let sampler: Sampler
    let batcher: any LMBatchSource
    /// The batches of the epoch under way.
    private var batches: [LMBatch] = []
    /// The validation split's characters per token, for `bpc` (decoding it once costs a pass over it).
    private lazy var charactersPerToken: Double? = data.corpus.validCharactersPerToken

    var spec: ExperimentSpec { context.spec }
    var arena: ParameterArena { context.arena }
    var plan: any TrainingPlan { context.plan }
    var batchesPerEpoch: Int { batcher.batchesPerEpoch }
    var zeroState: [[Float]] { context.plan.train.zeroState }
    var warnings: [String] { context.warnings }
    var latest: CheckpointStore.Latest? { context.latest }
    var fitsByCounting: Bool { context.plan.fitsByCounting }
    var scoredSplits: [String] { ["train", "valid", "test"] }
    var randomState: SeededGenerator {
        get { program.randomState }
        set { program.randomState = newValue }
    }

    /// A new run: the corpus read and its tokenizer trained (or loaded) as the spec says.
    convenience init(spec: ExperimentSpec, locator: DataLocator, team: Team = .alone) throws {
        let corpus = try LanguageModelCorpus(spec, locator: locator)
        try self.init(try RunContext(spec: spec, tokenizer: corpus.tokenizer, purpose: .training, team: team), corpus: corpus,
                      team: team)
    }

    /// A run as its latest checkpoint left it, with its own spec and tokenizer; `team` goes on
    /// training it (nil: it is only scored).
    convenience init(opening run: RunDirectory, spec: ExperimentSpec, locator: DataLocator,
                     checkpoint: CheckpointChoice = .latest, continuing team: Team? = nil) throws {
        let context = try RunContext.open(run, spec: spec, for: .training, checkpoint: checkpoint, continuing: team)
        try self.init(context, corpus: try LanguageModelCorpus(context.spec, locator: locator, tokenizer: context.tokenizer),
                      team: team ?? .alone)
    }

    init(_ context: RunContext, corpus: LanguageModelCorpus, team: Team) throws {
        guard let program = context.train else { preconditionFailure("a session needs a context opened for training") }
        (self.context, self.program, self.team) = (context, program, team)
        data = try LanguageModelData(corpus, plan: context.plan)
        batcher = try data.trainingBatches(context.plan, sampling: context.spec.train.sampling)
        evaluator = Evaluator(context, program: try context.evaluation(), team: team)
        // Each rank its own dropout masks; rank 0 keeps the stream a run alone has.
        if team.rank > 0 {
            let seed = UInt64(truncatingIfNeeded: context.spec.seed) ^ (UInt64(team.rank) &* 0x9E37_79B9_7F4A_7C15)
            program.randomState = SeededGenerator(seed: seed)
        }
        for split in ["valid", "test"] { try evaluator.checkBatchable(split, data.split(split)) }
        sampler = try context.sampler()
        let prompt = context.spec.sample.prompt
        if !prompt.isEmpty, corpus.tokenizer.encode(prompt).isEmpty { throw TrainingError.emptyPrompt(prompt) }
    }

    func drawEpoch(using generator: inout SeededGenerator) -> Int {
        batches = batcher.epoch(layout: context.plan.layout, using: &generator)
        return batches.count
    }

    func train(batch index: Int, state: inout [[Float]], lr: Float) throws -> (loss: Float, predictions: Int, share: Double) {
        let pass = context.plan.train
        let (batch, share) = team.slice(batches[index], lastStepOnly: context.plan.window != nil)
        let predictions = context.plan.predictionsPerBatch * team.size
        // A slice of padding alone (the end of a line batch) adds nothing to the batch's gradient.
        guard share > 0 else {
            arena.gradients.update(repeating: 0)
            return (0, predictions, 0)
        }
        try program.setInput(LanguageModelPlan.tokens, batch.inputValues)
        try program.setInput(LanguageModelPlan.targets, batch.targetValues)
        if !batcher.carriesState { state = pass.zeroState }
        for (name, values) in zip(pass.stateInputs, state) { try program.setInput(name, values) }
        program.run()
        let loss = try program.scalar(pass.loss)
        // Truncated BPTT: the final state goes into the next batch as a constant.
        state = try pass.stateOutputs.map { try program.read($0) }
        return (loss, predictions, share)
    }

    func evaluate(_ split: String) throws -> [String: Double]? {
        guard var metrics = try evaluator.losses(on: data.split(split)), let loss = metrics["loss"] else { return nil }
        for (name, loss) in metrics { metrics[String(name.dropLast("loss".count)) + "ppl"] = Foundation.exp(loss) }
        if split == "valid", spec.eval.metrics.contains(.bpc), let charactersPerToken {
            metrics["bpc"] = loss / charactersPerToken / Foundation.log(2)
        }
        return metrics
    }

    func sample(step: Int) throws -> String? {
        let sample = spec.sample
        guard !sample.prompt.isEmpty else { return nil }
        return try sampler.generate(prompt: sample.prompt, Decoding(
            length: sample.length, temperature: Float(sample.temperature), topK: sample.topK, topP: sample.topP,
            stop: sample.stop, seed: UInt64(truncatingIfNeeded: spec.seed) &+ UInt64(step))).text
    }

    /// The counts of the training windows become the model's parameters.
    func count() throws {
        guard case .windows(let windows) = data.split("train") else { return }
        for (key, values) in context.plan.model.counted(contexts: windows.contexts, targets: windows.targets) {
            try arena.setValue(key, values)
        }
    }

    var overview: String {
        let (plan, corpus) = (context.plan, data.corpus)
        let batch = if plan.window != nil {
            "batch (B, context) = (\(plan.batchSize), \(plan.length)), one prediction per row"
        } else {
            plan.layout == .timeMajor ? "batch (T, B) = (\(plan.length), \(plan.batchSize))"
                : "batch (B, T) = (\(plan.batchSize), \(plan.length))"
        }
        let sizes = corpus.lines.map { "train lines \($0.train.lines.count), valid \($0.valid.lines.count), test \($0.test.lines.count)" }
            ?? "train tokens \(corpus.splits.train.count), valid \(corpus.splits.valid.count), test \(corpus.splits.test.count)"
        let accumulation = spec.train.gradAccumSteps > 1 ? " × \(spec.train.gradAccumSteps) accumulated per step" : ""
        let ranks = team.size > 1 ? " on each of \(team.size) MPI ranks (train.batch_size \(spec.train.batchSize) in all)" : ""
        return "\(spec.name): \(plan.model.summary), vocabulary \(corpus.tokenizer.vocabularySize), \(sizes)\n\(batch)\(ranks)"
            + accumulation
    }

    var dataNote: String? { nil }

    var parameterSummary: String { context.plan.summary.text }

    func memorySummary(optimizerState: Int) -> String { program.memorySummary(optimizerState: optimizerState) }

    func saveTokenizers(to run: RunDirectory) throws {
        try context.tokenizer.save(to: run.tokenizerURL)
    }
}
