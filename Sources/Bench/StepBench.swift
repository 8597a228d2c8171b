import Core
import Distributed
import Engine
import Foundation
import Optim
import Planner
import Spec

/// One timed training step of a planned model, as ../shared/bench/torch_reference.py times it:
/// forward, backward, the spec's clipping and optimizer step; a recurrent state is carried (and
/// detached) from step to step, as truncated BPTT does. Batches are random ids, as there; the timing
/// is the median of single steps after a warm-up, and tokens/s counts the predictions of a step.
/// Run by a team of MPI ranks, each takes its share of the batch and the step includes the sum of
/// the gradients, timed on its own: one `MPI_Allreduce` after the backward pass, or (`overlapped`)
/// buckets summed while it runs, timed as the wait after it; rank 0 prints.
struct StepBench {
    let name: String
    let spec: ExperimentSpec
    let vocabulary: Int
    let warmup: Int
    let steps: Int
    var threads = 1
    var team = Team.alone
    var overlapped = false

    /// Prints the bench line; returns the tokens/s.
    @discardableResult
    func run(reference: Reference?) throws -> Double {
        resetPeakRSS()
        let plan = try LanguageModelPlan(spec, vocabularySize: vocabulary, ranks: team.size)
        let pass = plan.train
        let program = try Engine.compile(pass.graph, outputs: [pass.loss] + pass.stateOutputs, gradients: pass.gradients,
                                         seed: 1, threads: threads)
        let arena = program.arena
        let layout = plan.stepLayout(for: arena.layout)
        var optimizer = try plan.optimizer(for: layout)
        let lr = Float(spec.train.optimizer.lr)
        var rng = SeededGenerator(seed: 1337 &+ UInt64(team.rank))
        let count = plan.batchSize * plan.length
        let batches = (0..<16).map { _ in
            ((0..<count).map { _ in Float(rng.next() % UInt64(vocabulary)) },
             (0..<count).map { _ in Float(rng.next() % UInt64(vocabulary)) })
        }
        var state = pass.stateOutputs.map { [Float](repeating: 0, count: $0.shape.count) }
        var loss: Float = 0
        var allreduceSeconds: [Double] = []
        // PyTorch DDP's default bucket: 25 MiB.
        let buckets = OverlappedGradientSum(program.gradientsReady, bucketFloats: 25 << 18)
        func step(_ i: Int) throws {
            try program.setInput(LanguageModelPlan.tokens, batches[i % batches.count].0)
            try program.setInput(LanguageModelPlan.targets, batches[i % batches.count].1)
            for (name, values) in zip(pass.stateInputs, state) { try program.setInput(name, values) }
            if team.size > 1, overlapped {
                allreduceSeconds.append(try buckets.run(program, team: team, scale: 1 / Float(team.size)))
            } else {
                program.run()
            }
            if team.size > 1, !overlapped {
                // The ranks' equal shares: the mean of their mean gradients.
                let scale = 1 / Float(team.size)
                for j in arena.gradients.indices { arena.gradients[j] *= scale }
                let start = DispatchTime.now().uptimeNanoseconds
                try team.sum(arena.gradients, "gradient sum")
                allreduceSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
            }
            if let maxNorm = spec.train.clipGradNorm { _ = clipGradNorm(arena.gradients, maxNorm: Float(maxNorm), threads: threads) }
            optimizer.step(parameters: arena.values, gradients: UnsafeBufferPointer(arena.gradients), layout: layout, lr: lr, threads: threads)
            state = try pass.stateOutputs.map { try program.read($0) }
            loss = try program.scalar(pass.loss)
        }
        for i in 0..<warmup { try step(i) }
        var times: [Double] = []
        allreduceSeconds = []
        for i in 0..<steps { times.append(medianSeconds(repetitions: 1) { try? step(i) }) }
        let median = times.sorted()[times.count / 2]
        let tokensPerSecond = Double(plan.predictionsPerBatch * team.size) / median
        guard team.isLeader else { return tokensPerSecond }
        let ranks = team.size > 1
            ? String(format: " ranks=%d allreduce=%@ allreduce_ms=%.3f", team.size, overlapped ? "buckets" : "once",
                     allreduceSeconds.sorted()[allreduceSeconds.count / 2] * 1e3)
            : ""
        let peakRSS = peakRSSMegabytes()
        print(String(format: "bench %@%@ threads=%d ms_per_step=%.3f tokens_per_s=%.0f peak_rss_mb=%.0f loss=%.3f", name,
                     ranks, threads, median * 1e3, tokensPerSecond, peakRSS, loss)
              + MachinePeak.figures(plan.summary, seconds: median, threads: threads * team.size, ranks: team.size)
              + (reference?.comparison(name, tokensPerSecond: tokensPerSecond, peakRSS: peakRSS) ?? ""))
        if SeqLabEnvironment.debug {
            print(program.memorySummary(optimizerState: optimizer.stateSize))
            print(program.timingReport())
        }
        return tokensPerSecond
    }
}
