import Core
import Data
import Engine
import Foundation
import Models
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
    /// The (context, target) examples of each split for a window model; nil for sequence models.
    let windows: (train: ContextWindows, valid: ContextWindows, test: ContextWindows)?
    let plan: LanguageModelPlan
    let train: Program
    let eval: Program
    let sampler: Sampler
    var optimizer: any Optimizer
    /// The arena's layout with the spec's decay rule: what every optimizer step gets.
    let stepLayout: ParameterLayout
    /// Gradients summed over the batches of one step when `grad_accum_steps` > 1.
    var accumulated: [Float]
    let schedule: Schedule
    let batcher: any LMBatchSource
    let totalSteps: Int
    let log: LogWriter
    var metrics: MetricsWriter
    var position: TrainingPosition
    var progress: ProgressLine
    /// Newer checkpoints that could not be read and were passed over by `open`; also in log.txt.
    public private(set) var warnings: [String] = []
    /// The validation split's characters per token, for `bpc` (decoding it once costs a pass over it).
    private lazy var charactersPerToken: Double? = corpus.validCharactersPerToken
    /// Training steps taken so far.
    public var step: Int { position.step }

    /// Prepares everything a new run needs and writes spec.yaml, plan.txt and tokenizer.json.
    public convenience init(spec: ExperimentSpec, run: RunDirectory, locator: DataLocator, echo: Bool = true) throws {
        try self.init(spec: spec, run: run, corpus: try LanguageModelCorpus(spec, locator: locator), echo: echo)
        try run.writeSpec(spec.resolvedYAML())
        let summary = PlanSummary(graph: plan.train.graph, roots: [plan.train.loss] + plan.train.gradients.map(\.gradient))
        try run.writePlan(summary.text + "\n" + train.memorySummary(optimizerState: optimizer.stateSize) + "\n")
        try corpus.tokenizer.save(to: run.tokenizerURL)
    }

    /// Continues a run where its latest checkpoint left it. Metrics logged after the checkpoint (by
    /// the run that was killed) are dropped first, as they will be logged again.
    public static func resume(_ run: RunDirectory, locator: DataLocator, echo: Bool = true) throws -> Trainer {
        let latest = try run.checkpoints.latest()
        let trainer = try open(run, locator: locator, latest: latest, echo: echo)
        // Only once everything else has been checked; truncating replaces the file, so the append
        // handle is opened again.
        try MetricsWriter.truncate(run.metricsURL, afterStep: latest.checkpoint.step)
        trainer.metrics = try run.metricsWriter()
        try trainer.log.line("resumed from \(latest.url.path) at step \(latest.checkpoint.step)")
        return trainer
    }

    /// Reopens a run as its latest checkpoint left it: its own spec.yaml and tokenizer.json, the
    /// weights, the optimizer, the generators and the position in the data.
    public static func open(_ run: RunDirectory, locator: DataLocator, echo: Bool = true) throws -> Trainer {
        try open(run, locator: locator, latest: try run.checkpoints.latest(), echo: echo)
    }

    private static func open(_ run: RunDirectory, locator: DataLocator, latest: CheckpointStore.Latest,
                             echo: Bool) throws -> Trainer {
        let spec = try ExperimentSpec.load(path: run.specURL.path)
        let (checkpoint, path) = (latest.checkpoint, latest.url.path)
        try checkpoint.verify(specHash: spec.hash, path: path)
        let tokenizer = try TokenizerFile.load(from: run.tokenizerURL)
        let trainer = try Trainer(spec: spec, run: run, corpus: try LanguageModelCorpus(spec, locator: locator, tokenizer: tokenizer),
                                  echo: echo)
        trainer.warnings = latest.skipped.map { "warning: skipped \($0)" }
        for warning in trainer.warnings { try trainer.log.line(warning) }
        let arena = trainer.train.arena
        arena.restore(try checkpoint.parameters(for: arena.checkpointLayout, path: path))
        trainer.optimizer.state = checkpoint.optimizerState
        trainer.optimizer.stepCount = checkpoint.optimizerStep
        if let dropout = checkpoint.generators["dropout"] { trainer.train.randomState = dropout }
        trainer.position = try TrainingPosition(checkpoint, path: path)
        return trainer
    }

    private init(spec: ExperimentSpec, run: RunDirectory, corpus: LanguageModelCorpus, echo: Bool) throws {
        self.spec = spec
        self.run = run
        self.corpus = corpus
        plan = try LanguageModelPlan(spec, vocabularySize: corpus.tokenizer.vocabularySize)
        let seed = UInt64(truncatingIfNeeded: spec.seed)
        // `train.threads` (default: every core) for the large GEMMs; results depend on it only by rounding.
        let threads = spec.train.threads ?? ProcessInfo.processInfo.activeProcessorCount
        train = try Engine.compile(plan.train.graph, outputs: [plan.train.loss] + plan.train.stateOutputs,
                                   gradients: plan.train.gradients, seed: seed, threads: threads)
        eval = try Engine.compile(plan.eval.graph, outputs: [plan.eval.loss] + plan.eval.stateOutputs, arena: train.arena,
                                  threads: threads)
        sampler = try Sampler(plan, arena: train.arena, tokenizer: corpus.tokenizer)
        optimizer = try Optimization.optimizer(spec.train.optimizer, layout: train.arena.layout)
        stepLayout = Optimization.layout(train.arena.layout, decay: spec.train.optimizer.decay)
        accumulated = spec.train.gradAccumSteps > 1 ? [Float](repeating: 0, count: train.arena.layout.count) : []
        let (batchSize, length) = (plan.batchSize, plan.length)
        if let window = plan.window {
            guard let lines = corpus.lines else {
                throw TrainingError.unsupported("model kind '\(spec.model.kind.rawValue)' on a token stream: it learns from "
                    + "(context, target) examples of lines, as makemore frames names; set 'data.format: lines'")
            }
            let windows = (train: try ContextWindows(lines.train, block: window),
                           valid: try ContextWindows(lines.valid, block: window),
                           test: try ContextWindows(lines.test, block: window))
            self.windows = windows
            batcher = try WindowBatcher(windows.train, batchSize: batchSize)
        } else if let lines = corpus.lines {
            windows = nil
            batcher = try LineBatcher(lines.train, batchSize: batchSize, length: length)
        } else {
            windows = nil
            batcher = try LMBatcher(tokens: corpus.splits.train, batchSize: batchSize, numSteps: length,
                                    sampling: Self.sampling(spec.train.sampling))
        }
        let stepsPerEpoch = batcher.batchesPerEpoch / spec.train.gradAccumSteps
        guard stepsPerEpoch > 0 else {
            throw PlanError.invalid("an epoch has \(batcher.batchesPerEpoch) batches, fewer than "
                + "train.grad_accum_steps \(spec.train.gradAccumSteps); lower grad_accum_steps or batch_size")
        }
        let (epochSteps, overflow) = (spec.train.epochs ?? 1).multipliedReportingOverflow(by: stepsPerEpoch)
        guard !overflow else {
            throw PlanError.invalid("train.epochs \(spec.train.epochs ?? 1) × \(stepsPerEpoch) steps an epoch "
                + "is more steps than can be counted; lower train.epochs")
        }
        // An n-gram learns by counting, once, before the loop.
        if case .ngram = plan.model { totalSteps = 0 } else { totalSteps = spec.train.steps ?? epochSteps }
        schedule = Optimization.schedule(spec.train.schedule, lr: spec.train.optimizer.lr, totalSteps: totalSteps,
                                         width: spec.model.kind == .gpt ? spec.model.width : spec.model.hidden)
        log = try run.logWriter(echo: echo)
        metrics = try run.metricsWriter()
        progress = ProgressLine(echo: echo)
        if !spec.sample.prompt.isEmpty, corpus.tokenizer.encode(spec.sample.prompt).isEmpty {
            throw TrainingError.emptyPrompt(spec.sample.prompt)
        }
        position = TrainingPosition(seed: seed &+ 1, state: [])
        position.state = zeroState(plan.train.stateInputs.count)
    }

    /// Trains to the end; returns the final metrics.
    @discardableResult
    public func fit() throws -> [String: JSONValue] {
        let started = Date()
        var since = Date()
        // A resumed run's summary covers the reports made before the checkpoint too.
        var (last, best) = position.step > 0 ? try Self.reported(in: run.metricsURL) : ([:], [:])
        try log.line("training \(spec.name): \(totalSteps) steps, \(train.arena.layout.count) parameters")
        if case .ngram(let config) = plan.model, let windows, position.step == 0 {
            (last, best) = try count(config, windows.train)
        }
        while position.step < totalSteps {
            var generator = position.epochStart
            let batches = batcher.epoch(layout: plan.layout, using: &generator)
            let accumulation = spec.train.gradAccumSteps
            // An epoch ends with whole steps; a last group of fewer than `accumulation` batches is left out.
            let usable = batches.count - batches.count % accumulation
            var (micro, stepLoss) = (0, 0.0)
            for batch in batches[..<usable].dropFirst(position.batchInEpoch) where position.step < totalSteps {
                try train.setInput(LanguageModelPlan.tokens, batch.inputValues)
                try train.setInput(LanguageModelPlan.targets, batch.targetValues)
                if !batcher.carriesState { position.state = zeroState(position.state.count) }
                for (name, values) in zip(plan.train.stateInputs, position.state) { try train.setInput(name, values) }
                train.run()
                let loss = try train.scalar(plan.train.loss)
                guard loss.isFinite else {
                    throw TrainingError.divergence(step: position.step, loss: loss,
                                                   checkpoint: try? run.checkpoints.latest().url.path)
                }
                // Truncated BPTT: the final state goes into the next batch as a constant.
                position.state = try plan.train.stateOutputs.map { try train.read($0) }
                position.batchInEpoch += 1
                micro += 1
                stepLoss += Double(loss)
                if accumulation > 1 {
                    for (i, gradient) in train.arena.gradients.enumerated() { accumulated[i] += gradient }
                    guard micro == accumulation else { continue }
                    // The mean gradient of the step's batches, as nanoGPT's loss / accumulation steps gives.
                    let scale = 1 / Float(accumulation)
                    for i in accumulated.indices {
                        train.arena.gradients[i] = accumulated[i] * scale
                        accumulated[i] = 0
                    }
                }
                let lr = schedule(position.step)
                let gradientNorm = spec.train.clipGradNorm.map { clipGradNorm(train.arena.gradients, maxNorm: Float($0)) }
                optimizer.step(parameters: train.arena.values, gradients: UnsafeBufferPointer(train.arena.gradients),
                               layout: stepLayout, lr: lr)
                position.step += 1
                let meanLoss = stepLoss / Double(accumulation)
                position.window.loss += meanLoss
                position.window.count += 1
                position.window.tokens += plan.predictionsPerBatch * accumulation
                (micro, stepLoss) = (0, 0)

                let step = position.step
                let elapsed = max(Date().timeIntervalSince(since), 1e-9)
                let tokensPerSecond = Double(position.window.tokens) / elapsed
                progress.update(step: step, total: totalSteps, epoch: position.epoch, loss: Float(meanLoss), lr: lr,
                                gradientNorm: gradientNorm, tokensPerSecond: tokensPerSecond,
                                secondsPerStep: elapsed / Double(position.window.count))
                if step % spec.eval.everySteps == 0 || step == totalSteps {
                    progress.clear()
                    let metrics = try report(lr: lr, gradientNorm: gradientNorm, tokensPerSecond: tokensPerSecond)
                    if case .double(let validLoss)? = metrics["valid.loss"], validLoss < best["valid.loss"] ?? .infinity {
                        try run.checkpoints.saveBest(checkpoint())
                    }
                    for (key, value) in metrics {
                        last[key] = value
                        if key.hasSuffix(".loss"), case .double(let loss) = value { best[key] = min(best[key] ?? .infinity, loss) }
                    }
                    position.window = .init()
                    since = Date()
                }
                if step % spec.checkpoint.everySteps == 0 || step == totalSteps { try saveCheckpoint() }
            }
            if position.step < totalSteps || position.batchInEpoch == usable {
                position.epoch += 1
                position.batchInEpoch = 0
                position.epochStart = generator
                position.state = zeroState(position.state.count)
            }
        }
        // The test split is scored once, at the end, with the weights of the best validation loss when
        // there is one (the checkpoint a paper would test); the last weights stay in the step checkpoints.
        let bestURL = run.checkpoints.bestURL
        if data(of: "test").count > 0, FileManager.default.fileExists(atPath: bestURL.path) {
            train.arena.restore(try Checkpoint.read(from: bestURL).parameters(for: train.arena.checkpointLayout,
                                                                               path: bestURL.path))
        }
        if let testLoss = try loss(on: "test") {
            try metrics.append(["step": .int(position.step), "split": "test", "loss": .double(testLoss),
                                "ppl": .double(Foundation.exp(testLoss))], sync: true)
            try log.line(String(format: "test loss %.4f  ppl %.3f", testLoss, Foundation.exp(testLoss)))
            (last["test.loss"], last["test.ppl"]) = (.double(testLoss), .double(Foundation.exp(testLoss)))
        }
        var summary: [String: JSONValue] = [
            "final": .object(last), "best": .object(best.mapValues { .double($0) }),
            "steps": .int(position.step), "epochs": .int(position.epoch), "parameters": .int(train.arena.layout.count),
            "wall_s": .double(Date().timeIntervalSince(started)), "machine": .object(Machine.description),
            "spec_hash": .string(String(spec.hash, radix: 16)),
        ]
        if let revision = Machine.gitRevision { summary["git_revision"] = .string(revision) }
        if let reproduces = spec.reproduces, case .double(let ours)? = last[reproduces.metric] {
            summary["reproduces"] = .object([
                "metric": .string(reproduces.metric), "published": .double(reproduces.value), "ours": .double(ours),
                "within_tolerance": .bool(abs(ours - reproduces.value) <= reproduces.tolerance),
            ])
        }
        try run.writeSummary(summary)
        return last
    }

    /// The `last` and `best` metrics that the reports in a metrics file made, as `fit` keeps them.
    private static func reported(in url: URL) throws -> (last: [String: JSONValue], best: [String: Double]) {
        var last: [String: JSONValue] = [:], best: [String: Double] = [:]
        for event in try MetricsWriter.read(url) {
            guard case .string(let split)? = event["split"] else { continue }
            for name in ["loss", "ppl", "bpc"] { if let value = event[name] { last[split + "." + name] = value } }
            if case .double(let loss)? = event["loss"] { best[split + ".loss"] = min(best[split + ".loss"] ?? .infinity, loss) }
        }
        return (last, best)
    }

    /// Logs the window's training metrics, evaluates and samples; returns the metrics for the summary.
    private func report(lr: Float, gradientNorm: Float?, tokensPerSecond: Double) throws -> [String: JSONValue] {
        let (step, epoch) = (position.step, position.epoch)
        let trainLoss = position.window.loss / Double(position.window.count)
        var event: [String: JSONValue] = [
            "step": .int(step), "epoch": .int(epoch), "split": "train", "loss": .double(trainLoss),
            "ppl": .double(Foundation.exp(trainLoss)), "lr": .double(Double(lr)), "tokens_per_s": .double(tokensPerSecond),
        ]
        if let gradientNorm { event["grad_norm"] = .double(Double(gradientNorm)) }
        try metrics.append(event, sync: true)
        var summary: [String: JSONValue] = ["train.loss": .double(trainLoss), "train.ppl": .double(Foundation.exp(trainLoss))]
        var line = String(format: "step %d/%d  epoch %d  loss %.4f  ppl %.3f  lr %.4g  %.0f tok/s", step, totalSteps, epoch,
                          trainLoss, Foundation.exp(trainLoss), lr, tokensPerSecond)
        if let validLoss = try loss(on: "valid") {
            var valid: [String: JSONValue] = ["loss": .double(validLoss), "ppl": .double(Foundation.exp(validLoss))]
            line += String(format: "  valid ppl %.3f", Foundation.exp(validLoss))
            if spec.eval.metrics.contains(.bpc), let charactersPerToken {
                let bitsPerCharacter = validLoss / charactersPerToken / Foundation.log(2)
                valid["bpc"] = .double(bitsPerCharacter)
                line += String(format: "  bpc %.3f", bitsPerCharacter)
            }
            try metrics.append(valid.merging(["step": .int(step), "split": "valid"]) { $1 }, sync: true)
            for (name, value) in valid { summary["valid." + name] = value }
        }
        try log.line(line)
        if !spec.sample.prompt.isEmpty {
            let sample = spec.sample
            let text = try sampler.generate(prompt: sample.prompt, Decoding(
                length: sample.length, temperature: Float(sample.temperature), topK: sample.topK, topP: sample.topP,
                stop: sample.stop, seed: UInt64(truncatingIfNeeded: spec.seed) &+ UInt64(step))).text
            try run.appendSample(step: step, text: text)
            try log.line("  sample: \(text)")
        }
        return summary
    }

    func saveCheckpoint() throws {
        try run.checkpoints.save(checkpoint(), keep: spec.checkpoint.keep)
    }

    /// Everything `resume` needs to go on from this step.
    func checkpoint() -> Checkpoint {
        let arena = train.arena
        return Checkpoint(
            specHash: spec.hash, step: position.step, epoch: position.epoch,
            generators: ["data": position.epochStart, "dropout": train.randomState], layout: arena.checkpointLayout,
            values: arena.checkpointValues, optimizerState: optimizer.state, optimizerStep: optimizer.stepCount,
            metadata: position.metadata)
    }

    private static func sampling(_ sampling: TrainSpec.Sampling) -> LMSampling {
        switch sampling {
        case .random: .random
        case .sequential: .sequential
        case .windows: .windows
        }
    }

    func zeroState(_ count: Int) -> [[Float]] {
        Array(repeating: [Float](repeating: 0, count: plan.batchSize * plan.stateWidth), count: count)
    }
}
