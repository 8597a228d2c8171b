import Core
import Data
import Engine
import Foundation
import Optim
import Planner
import Runs
import Spec
import Text

/// Trains a language-model experiment into a run directory. The loop reads top to bottom, nanoGPT
/// style: learning rate → forward/backward → clip → step → log; every `eval.every_steps`: evaluate,
/// sample, and every `checkpoint.every_steps`: checkpoint.
public final class Trainer {
    public let spec: ExperimentSpec
    public let run: RunDirectory
    let corpus: LanguageModelCorpus
    let plan: LanguageModelPlan
    let train: Program
    let eval: Program
    let sampler: Sampler
    var optimizer: any Optimizer
    let schedule: Schedule
    let batcher: LMBatcher
    let totalSteps: Int
    let log: LogWriter
    let metrics: MetricsWriter
    /// The data order's generator: batches of every epoch are drawn from it.
    var data: SeededGenerator

    /// Prepares everything a run needs and writes spec.yaml, plan.txt and tokenizer.json.
    public init(spec: ExperimentSpec, run: RunDirectory, locator: DataLocator, echo: Bool = true) throws {
        self.spec = spec
        self.run = run
        corpus = try LanguageModelCorpus(spec, locator: locator)
        plan = try LanguageModelPlan(spec, vocabularySize: corpus.tokenizer.vocabularySize)
        let seed = UInt64(truncatingIfNeeded: spec.seed)
        train = try Engine.compile(plan.train.graph, outputs: [plan.train.loss] + plan.train.stateOutputs,
                                   gradients: plan.train.gradients, seed: seed)
        eval = try Engine.compile(plan.eval.graph, outputs: [plan.eval.loss] + plan.eval.stateOutputs, arena: train.arena)
        sampler = try Sampler(plan.decode, arena: train.arena, tokenizer: corpus.tokenizer)
        optimizer = try Optimization.optimizer(spec.train.optimizer, layout: train.arena.layout)
        batcher = try LMBatcher(tokens: corpus.splits.train, batchSize: plan.batchSize, numSteps: plan.length,
                                sampling: spec.train.sampling == .random ? .random : .sequential)
        totalSteps = spec.train.steps ?? (spec.train.epochs ?? 1) * batcher.batchCount(offset: 0)
        schedule = Optimization.schedule(spec.train.schedule, lr: spec.train.optimizer.lr, totalSteps: totalSteps,
                                         width: spec.model.hidden)
        data = SeededGenerator(seed: seed &+ 1)
        log = try run.logWriter(echo: echo)
        metrics = try run.metricsWriter()

        try run.writeSpec(spec.resolvedYAML())
        let summary = PlanSummary(graph: plan.train.graph, roots: [plan.train.loss] + plan.train.gradients.map(\.gradient))
        try run.writePlan(summary.text + "\n" + train.memorySummary(optimizerState: optimizer.stateSize) + "\n")
        try corpus.tokenizer.save(to: run.tokenizerURL)
    }

    /// Trains to the end; returns the final metrics.
    @discardableResult
    public func fit() throws -> [String: JSONValue] {
        let started = Date()
        var step = 0, epoch = 0
        var window = (loss: 0.0, count: 0, tokens: 0, since: Date())
        var last: [String: JSONValue] = [:]
        try log.line("training \(spec.name): \(totalSteps) steps, \(train.arena.layout.count) parameters")
        training: while step < totalSteps {
            var state = zeroState(plan.train.stateInputs.count)
            for batch in batcher.epoch(layout: .timeMajor, using: &data) {
                if step == totalSteps { break training }
                let lr = schedule(step)
                try train.setInput(LanguageModelPlan.tokens, batch.inputValues)
                try train.setInput(LanguageModelPlan.targets, batch.targetValues)
                if batcher.sampling == .random { state = zeroState(state.count) }
                for (name, values) in zip(plan.train.stateInputs, state) { try train.setInput(name, values) }
                train.run()
                let loss = try train.scalar(plan.train.loss)
                guard loss.isFinite else {
                    throw TrainingError.divergence(step: step, loss: loss, checkpoint: try? run.checkpoints.latest().url.path)
                }
                // Truncated BPTT: the final state goes into the next batch as a constant.
                state = try plan.train.stateOutputs.map { try train.read($0) }
                let gradientNorm = spec.train.clipGradNorm.map { clipGradNorm(train.arena.gradients, maxNorm: Float($0)) }
                optimizer.step(parameters: train.arena.values, gradients: UnsafeBufferPointer(train.arena.gradients),
                               layout: train.arena.layout, lr: lr)
                step += 1
                window.loss += Double(loss)
                window.count += 1
                window.tokens += plan.batchSize * plan.length

                if step % spec.eval.everySteps == 0 || step == totalSteps {
                    let trainLoss = window.loss / Double(window.count)
                    var event: [String: JSONValue] = [
                        "step": .int(step), "epoch": .int(epoch), "split": "train", "loss": .double(trainLoss),
                        "ppl": .double(Foundation.exp(trainLoss)), "lr": .double(Double(lr)),
                        "tokens_per_s": .double(Double(window.tokens) / Date().timeIntervalSince(window.since)),
                    ]
                    if let gradientNorm { event["grad_norm"] = .double(Double(gradientNorm)) }
                    try metrics.append(event, sync: true)
                    var line = String(format: "step %d/%d  epoch %d  loss %.4f  ppl %.3f  lr %.4g  %.0f tok/s", step,
                                      totalSteps, epoch, trainLoss, Foundation.exp(trainLoss), lr,
                                      Double(window.tokens) / Date().timeIntervalSince(window.since))
                    if let validLoss = try evaluate(corpus.splits.valid) {
                        try metrics.append(["step": .int(step), "split": "valid", "loss": .double(validLoss),
                                            "ppl": .double(Foundation.exp(validLoss))], sync: true)
                        line += String(format: "  valid ppl %.3f", Foundation.exp(validLoss))
                        last["valid.loss"] = .double(validLoss)
                        last["valid.ppl"] = .double(Foundation.exp(validLoss))
                    }
                    try log.line(line)
                    last["train.loss"] = .double(trainLoss)
                    last["train.ppl"] = .double(Foundation.exp(trainLoss))
                    if !spec.sample.prompt.isEmpty {
                        let text = try sampler.generate(prompt: spec.sample.prompt, length: spec.sample.length,
                                                        temperature: Float(spec.sample.temperature), topK: spec.sample.topK,
                                                        seed: UInt64(truncatingIfNeeded: spec.seed) &+ UInt64(step))
                        try run.appendSample(step: step, text: text)
                        try log.line("  sample: \(text)")
                    }
                    window = (0, 0, 0, Date())
                }
                if step % spec.checkpoint.everySteps == 0 || step == totalSteps {
                    try saveCheckpoint(step: step, epoch: epoch)
                }
            }
            epoch += 1
        }
        last["steps"] = .int(step)
        last["epochs"] = .int(epoch)
        last["wall_s"] = .double(Date().timeIntervalSince(started))
        last["parameters"] = .int(train.arena.layout.count)
        try run.writeSummary(last)
        return last
    }

    /// Mean loss over `tokens` in batches of the training shape, state carried; nil when the split
    /// is too short for one batch.
    func evaluate(_ tokens: [Int]) throws -> Double? {
        guard let batcher = try? LMBatcher(tokens: tokens, batchSize: plan.batchSize, numSteps: plan.length,
                                           sampling: .sequential) else { return nil }
        var generator = SeededGenerator(seed: 0)
        var state = zeroState(plan.eval.stateInputs.count)
        var total = 0.0, count = 0
        for batch in batcher.epoch(layout: .timeMajor, using: &generator) {
            try eval.setInput(LanguageModelPlan.tokens, batch.inputValues)
            try eval.setInput(LanguageModelPlan.targets, batch.targetValues)
            for (name, values) in zip(plan.eval.stateInputs, state) { try eval.setInput(name, values) }
            eval.run()
            total += Double(try eval.scalar(plan.eval.loss))
            count += 1
            state = try plan.eval.stateOutputs.map { try eval.read($0) }
        }
        return count == 0 ? nil : total / Double(count)
    }

    func saveCheckpoint(step: Int, epoch: Int) throws {
        let arena = train.arena
        let checkpoint = Checkpoint(
            specHash: spec.hash, step: step, epoch: epoch, generators: ["data": data, "dropout": train.randomState],
            layout: arena.layout, values: Array(arena.values), optimizerState: optimizer.state,
            optimizerStep: optimizer.stepCount)
        try run.checkpoints.save(checkpoint, keep: spec.checkpoint.keep)
    }

    private func zeroState(_ count: Int) -> [[Float]] {
        Array(repeating: [Float](repeating: 0, count: plan.batchSize * plan.config.hidden), count: count)
    }
}
