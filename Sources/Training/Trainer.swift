import Core
import Data
import Distributed
import Engine
import Foundation
import Optim
import Planner
import Runs
import Spec

/// Trains an experiment of any task into a run directory. The loop reads top to bottom, nanoGPT
/// style: forward/backward (over the step's accumulated batches) → clip → optimizer step → log;
/// every `eval.every_steps`: evaluate and sample, and every `checkpoint.every_steps`: checkpoint.
/// What to train comes from the task's session, how (the optimizer, the schedule) from its plan.
///
/// Under MPI every rank runs this loop on its slice of each batch: the step's gradients and loss are
/// summed over the ranks before clipping, so the optimizer sees the same numbers everywhere, and
/// rank 0 alone writes the run directory (DataParallel.swift).
public final class Trainer {
    public let spec: ExperimentSpec
    public let run: RunDirectory
    /// What its checkpoints record of the spec: the hash of spec.yaml's text (`RunDirectory.specTextHash`).
    let specHash: UInt64
    /// The task's side of the run: its data, programs, evaluation and samples.
    let session: any TaskSession
    var recipe: TrainingRecipe
    /// Gradients summed over the batches of one step when `grad_accum_steps` > 1.
    var accumulated: [Float]
    /// The batches of the step under way, their summed loss (this rank's share of it) and the tokens
    /// they predicted.
    var pending = (batches: 0, loss: 0.0, predictions: 0)
    /// The processes training the run: one alone, or the ranks of an MPI job.
    let team: Team
    /// Held for the trainer's life: no second process trains into the run meanwhile. The writers and
    /// the lock are rank 0's; nil on the other ranks, which write nothing.
    let lock: DirectoryLock?
    let log: LogWriter?
    var metrics: MetricsWriter?
    var position: TrainingPosition
    var progress: ProgressLine
    /// When the window of the next log line began.
    var windowStart = Date()
    /// The latest value of every metric reported, and the lowest of every loss: the summary's.
    var last: [String: JSONValue] = [:]
    var best: [String: Double] = [:]
    /// The signal that some rank received by the last step's sum over the ranks: all stop after it.
    var agreedStop: Int32?

    var arena: ParameterArena { session.arena }
    /// Newer checkpoints that could not be read and were passed over by `open`; also in log.txt.
    public var warnings: [String] { session.warnings }
    /// Training steps taken so far.
    public var step: Int { position.step }

    /// Prepares everything a new run needs and writes spec.yaml, plan.txt and the tokenizer(s); under
    /// MPI, `run` is the directory rank 0 made, and the other ranks only read it.
    public convenience init(spec: ExperimentSpec, run: RunDirectory, locator: DataLocator, team: Team = .alone,
                            echo: Bool = true) throws {
        let text = spec.resolvedYAML()
        let lock = team.isLeader ? try DirectoryLock(run.url) : nil
        let (session, transfer) = try TaskRegistry.newSession(spec, locator: locator, team: team)
        try self.init(session, run: run, team: team, lock: lock, specHash: Checkpoint.specHash(of: text), echo: echo)
        guard team.isLeader else { return }
        if let transfer { try log?.line(transfer.table) }
        if let note = TrainingSummary.warmupNote(spec.train, totalSteps: recipe.totalSteps) { try log?.line(note) }
        try run.writeSpec(text)
        try run.writePlan(session.parameterSummary + "\n" + session.memorySummary(optimizerState: recipe.optimizer.stateSize)
                          + "\n")
        try session.saveTokenizers(to: run)
    }

    /// Continues a run where its latest checkpoint left it. Metrics logged after the checkpoint (by
    /// the run that was killed) are dropped first, as they will be logged again, and a summary of an
    /// earlier end goes until the run writes its new one.
    public static func resume(_ run: RunDirectory, locator: DataLocator, team: Team = .alone, echo: Bool = true) throws
        -> Trainer {
        let trainer = try open(run, locator: locator, team: team, echo: echo)
        guard let latest = trainer.session.latest else { preconditionFailure("an opened run has a checkpoint") }
        guard team.isLeader else { return trainer }
        // Only once everything else has been checked; truncating replaces the file, so the append
        // handle is opened again.
        try MetricsWriter.truncate(run.metricsURL, afterStep: latest.checkpoint.step)
        try run.truncateSamples(afterStep: latest.checkpoint.step)
        try run.removeSummary()
        trainer.metrics = try run.metricsWriter(tensorboard: trainer.spec.log.tensorboard,
                                                 resumedAfter: latest.checkpoint.step)
        try trainer.log?.line("resumed from \(latest.url.path) at step \(latest.checkpoint.step)")
        return trainer
    }

    /// Reopens a run as its latest checkpoint left it: its own spec.yaml and tokenizer, the weights,
    /// the optimizer, the generators and the position in the data.
    public static func open(_ run: RunDirectory, locator: DataLocator, team: Team = .alone, echo: Bool = true) throws
        -> Trainer {
        // The lock first: a run another process is training is refused before anything is read.
        let lock = team.isLeader ? try DirectoryLock(run.url) : nil
        let trainer = try Trainer(try TaskRegistry.openSession(run, locator: locator, continuing: team), run: run, team: team,
                                  lock: lock, specHash: try run.specTextHash(), echo: echo)
        for warning in trainer.warnings { try trainer.log?.line(warning) }
        if let latest = trainer.session.latest { try trainer.continue(from: latest) }
        return trainer
    }

    private init(_ session: any TaskSession, run: RunDirectory, team: Team, lock: DirectoryLock?, specHash: UInt64,
                 echo: Bool) throws {
        (self.session, self.run, spec, self.specHash, self.team) = (session, run, session.spec, specHash, team)
        recipe = try spec.locating {
            try session.plan.recipe(for: session.arena.layout, batchesPerEpoch: session.batchesPerEpoch)
        }
        recipe.threads = spec.train.threadCount(ranksOnNode: team.ranksOnNode)
        accumulated = recipe.accumulation > 1 ? [Float](repeating: 0, count: session.arena.layout.count) : []
        self.lock = lock
        log = team.isLeader ? try run.logWriter(echo: echo) : nil
        if let pid = lock?.takenOverFrom {
            try log?.line("took over \(DirectoryLock.fileName) from process \(pid), which no longer runs")
        }
        metrics = team.isLeader ? try run.metricsWriter(tensorboard: spec.log.tensorboard) : nil
        progress = ProgressLine(echo: echo && team.isLeader)
        position = TrainingPosition(seed: UInt64(truncatingIfNeeded: session.spec.seed) &+ 1, state: session.zeroState)
    }

    /// The optimizer, the dropout generator and the position in the data as `latest` saved them (the
    /// weights are in the arena already); a rank takes its own generator and its rows of the state.
    private func `continue`(from latest: CheckpointStore.Latest) throws {
        let checkpoint = latest.checkpoint
        recipe.optimizer.state = checkpoint.optimizerState
        recipe.optimizer.stepCount = checkpoint.optimizerStep
        if let dropout = checkpoint.generators[Self.dropoutGenerator(rank: team.rank)] { session.randomState = dropout }
        position = try TrainingPosition(checkpoint, path: latest.url.path)
        position.state = team.rows(of: position.state)
        if recipe.plateau != nil {
            guard let state = Plateau.State(checkpoint.metadata["plateau"]) else {
                throw TrainingError.unresumable(path: latest.url.path, reason: "its plateau schedule's state is missing")
            }
            recipe.plateau?.state = state
        }
    }

    /// Trains to the end; returns the final metrics.
    @discardableResult
    public func fit() throws -> [String: JSONValue] {
        // The checkout's commit as training starts: one checked out meanwhile did not train this run.
        let (started, revision) = (Date(), Machine.gitRevision)
        try begin()
        while position.step < recipe.totalSteps {
            var generator = position.epochStart
            let count = session.drawEpoch(using: &generator)
            // An epoch ends with whole steps; a last group of fewer than `accumulation` batches is left out.
            let usable = count - count % recipe.accumulation
            for batch in min(position.batchInEpoch, usable)..<usable where position.step < recipe.totalSteps {
                guard try forwardBackward(batch) else { continue }
                let (lr, gradientNorm, loss) = optimizerStep()
                try endStep(lr: lr, gradientNorm: gradientNorm, loss: loss, endsEpoch: position.batchInEpoch == usable)
                if let signal = stopSignal { try stop(by: signal) }
            }
            if position.step < recipe.totalSteps || position.batchInEpoch == usable { startEpoch(after: generator) }
        }
        return try finish(started: started, revision: revision)
    }

    /// Runs the training pass on batch `index` of the epoch, from the state the batch before left.
    /// Returns whether the step's batches are all in: with accumulation, their mean gradient is then
    /// in the arena.
    private func forwardBackward(_ index: Int) throws -> Bool {
        if team.size > 1 { team.step = position.step + 1 }
        let (loss, predictions, share) = try session.train(batch: index, state: &position.state,
                                                           lr: recipe.rate(at: position.step))
        position.batchInEpoch += 1
        pending.batches += 1
        pending.loss += Double(loss) * share
        pending.predictions += predictions
        if recipe.accumulation > 1 {
            let weight = Float(share)
            for (i, gradient) in arena.gradients.enumerated() { accumulated[i] += gradient * weight }
            guard pending.batches == recipe.accumulation else { return false }
            // The mean gradient of the step's batches, as nanoGPT's loss / accumulation steps gives.
            let scale = 1 / Float(recipe.accumulation)
            for i in accumulated.indices {
                arena.gradients[i] = accumulated[i] * scale
                accumulated[i] = 0
            }
        } else if share != 1 {
            for i in arena.gradients.indices { arena.gradients[i] *= Float(share) }
        }
        try sumOverRanks()
        guard pending.loss.isFinite else {
            // Numbered as the log lines number steps, from 1; log.txt keeps why the run ended, as the console showed it.
            let error = TrainingError.divergence(step: position.step + 1, loss: Float(pending.loss / Double(recipe.accumulation)),
                                                 checkpoint: try? run.checkpoints.latest().url.path)
            progress.clear()
            try? log?.record("error: \(error)")
            throw error
        }
        return true
    }

    /// Clips the gradient, steps the optimizer at this step's learning rate (a session that learns in
    /// place has done both) and counts the step into
    /// the window of the next log line. Returns the learning rate, the norm before clipping and the
    /// step's mean loss.
    private func optimizerStep() -> (lr: Float, gradientNorm: Float?, loss: Double) {
        let (lr, gradientNorm) = session.learnsInPlace ? (recipe.rate(at: position.step), nil)
            : recipe.step(position.step, parameters: arena.values, gradients: arena.gradients)
        position.step += 1
        let loss = pending.loss / Double(recipe.accumulation)
        position.window.loss += loss
        position.window.count += 1
        position.window.tokens += pending.predictions
        pending = (0, 0, 0)
        return (lr, gradientNorm, loss)
    }

    /// Progress; a report (evaluation, sample, best checkpoint, the plateau's verdict) and a checkpoint
    /// when they are due.
    private func endStep(lr: Float, gradientNorm: Float?, loss: Double, endsEpoch: Bool) throws {
        let (step, total) = (position.step, recipe.totalSteps)
        let elapsed = max(Date().timeIntervalSince(windowStart), 1e-9)
        let tokensPerSecond = Double(position.window.tokens) / elapsed
        progress.update(step: step, total: total, epoch: position.epoch, loss: Float(loss), lr: lr,
                        gradientNorm: gradientNorm, tokensPerSecond: tokensPerSecond,
                        secondsPerStep: elapsed / Double(position.window.count))
        let due = spec.eval.everyEpochs.map { endsEpoch && (position.epoch + 1) % $0 == 0 }
            ?? spec.eval.everySteps.map { step % $0 == 0 } ?? false
        if due || step == total {
            progress.clear()
            let reported = try report(lr: lr, gradientNorm: gradientNorm, tokensPerSecond: tokensPerSecond)
            try record(reported)
            try observePlateau(reported)
            position.window = .init()
            windowStart = Date()
        }
        if step % spec.checkpoint.everySteps == 0 || step == total { try saveCheckpoint() }
    }

    /// The next epoch starts from the generator that drew this one's batches, with a fresh state.
    private func startEpoch(after generator: SeededGenerator) {
        position.epoch += 1
        position.batchInEpoch = 0
        position.epochStart = generator
        position.state = session.zeroState
    }

    /// Ends the run at a signal: the step done is checkpointed (unless it just was) and logged. (Under
    /// MPI the runner keeps the other ranks until rank 0 has said so: mpirun takes a rank's early exit
    /// for a failure and kills the job.)
    private func stop(by signal: Int32) throws -> Never {
        progress.clear()
        if position.step % spec.checkpoint.everySteps != 0 { try saveCheckpoint() }
        let resume = TrainingError.resumeCommand(run: run.url.path, ranks: team.size)
        try log?.line("stopped by signal \(signal) at step \(position.step); continue with: \(resume)")
        throw TrainingError.interrupted(signal: signal, step: position.step, resume: resume)
    }

    /// Checkpoints the step (every rank takes part: the checkpoint gathers their states; rank 0 writes it).
    func saveCheckpoint() throws {
        let checkpoint = try checkpoint()
        if team.isLeader { try run.checkpoints.save(checkpoint, keep: spec.checkpoint.keep) }
    }

    /// Checkpoints the weights of a new best validation loss, as `saveCheckpoint` does the step's.
    func saveBest() throws {
        let checkpoint = try checkpoint()
        if team.isLeader { try run.checkpoints.saveBest(checkpoint) }
    }

    /// Everything `resume` needs to go on from this step: under MPI, with every rank's dropout
    /// generator and the carried state of all the batch's rows.
    private func checkpoint() throws -> Checkpoint {
        var whole = position
        whole.state = try team.gatherRows(of: position.state)
        var metadata = whole.metadata.merging(recipe.plateau.map { ["plateau": $0.state.json] } ?? [:]) { $1 }
        if team.size > 1 { metadata[Checkpoint.ranksKey] = .int(team.size) }
        return Checkpoint(
            specHash: specHash, step: position.step, epoch: position.epoch,
            generators: try dropoutGenerators().merging(["data": position.epochStart]) { $1 }, layout: arena.checkpointLayout,
            values: arena.checkpointValues, optimizerState: recipe.optimizer.state, optimizerStep: recipe.optimizer.stepCount,
            metadata: metadata)
    }
}
