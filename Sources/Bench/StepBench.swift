import Core
import Engine
import Foundation
import Optim
import Planner
import Spec

/// One timed training step of a planned model, as ../shared/bench/torch_reference.py times it:
/// forward, backward, the spec's clipping and optimizer step; a recurrent state is carried (and
/// detached) from step to step, as truncated BPTT does. Batches are random ids, as there; the timing
/// is the median of single steps after a warm-up, and tokens/s counts the predictions of a step.
struct StepBench {
    let name: String
    let spec: ExperimentSpec
    let vocabulary: Int
    let warmup: Int
    let steps: Int
    var threads = 1

    func run(reference: Reference) throws {
        let plan = try LanguageModelPlan(spec, vocabularySize: vocabulary)
        let pass = plan.train
        let program = try Engine.compile(pass.graph, outputs: [pass.loss] + pass.stateOutputs, gradients: pass.gradients,
                                         seed: 1, threads: threads)
        let arena = program.arena
        let layout = plan.stepLayout(for: arena.layout)
        var optimizer = try plan.optimizer(for: layout)
        let lr = Float(spec.train.optimizer.lr)
        var rng = SeededGenerator(seed: 1337)
        let count = plan.batchSize * plan.length
        let batches = (0..<16).map { _ in
            ((0..<count).map { _ in Float(rng.next() % UInt64(vocabulary)) },
             (0..<count).map { _ in Float(rng.next() % UInt64(vocabulary)) })
        }
        var state = pass.stateOutputs.map { [Float](repeating: 0, count: $0.shape.count) }
        var loss: Float = 0
        func step(_ i: Int) throws {
            try program.setInput(LanguageModelPlan.tokens, batches[i % batches.count].0)
            try program.setInput(LanguageModelPlan.targets, batches[i % batches.count].1)
            for (name, values) in zip(pass.stateInputs, state) { try program.setInput(name, values) }
            program.run()
            if let maxNorm = spec.train.clipGradNorm { _ = clipGradNorm(arena.gradients, maxNorm: Float(maxNorm)) }
            optimizer.step(parameters: arena.values, gradients: UnsafeBufferPointer(arena.gradients), layout: layout, lr: lr)
            state = try pass.stateOutputs.map { try program.read($0) }
            loss = try program.scalar(pass.loss)
        }
        for i in 0..<warmup { try step(i) }
        var times: [Double] = []
        for i in 0..<steps { times.append(medianSeconds(repetitions: 1) { try? step(i) }) }
        let median = times.sorted()[times.count / 2]
        let tokensPerSecond = Double(plan.predictionsPerBatch) / median
        print(String(format: "bench %@ threads=%d ms_per_step=%.3f tokens_per_s=%.0f peak_rss_mb=%.0f loss=%.3f", name,
                     threads, median * 1e3, tokensPerSecond, peakRSSMegabytes(), loss)
              + MachinePeak.figures(plan.summary, seconds: median, threads: threads)
              + reference.comparison(name, tokensPerSecond: tokensPerSecond))
        if SeqLabEnvironment.debug {
            print(program.memorySummary(optimizerState: optimizer.stateSize))
            print(program.timingReport())
        }
    }
}
