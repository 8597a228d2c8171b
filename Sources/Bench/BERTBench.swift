import Core
import Engine
import Data
import Foundation
import Optim
import Planner
import Spec

/// `bert_mlm` of Sources/Bench/bert_reference.py: BERT's pretraining step, 4 layers of width 256, 4
/// heads, FFN 1024, dropout 0.1, vocabulary 8,000, 32 pairs of 128 positions (segments 0 then 1,
/// about 15 % of the positions labelled, a next-sentence label each), AdamW 1e-4, clip 1. Timed as
/// StepBench times a step; tokens/s counts the positions read. The masked-LM head runs on the
/// selected positions alone (as BERT's own code), where the reference's runs on all of them.
enum BERTBench {
    static let (vocabulary, batchSize, length) = (8000, 32, 128)

    static func spec(threads: Int) -> ExperimentSpec {
        var spec = ExperimentSpec()
        (spec.task, spec.model.kind, spec.model.width, spec.model.layers, spec.model.heads) = (.maskedLM, .bert, 256, 4, 4)
        (spec.model.ffn, spec.model.maxPositions, spec.model.dropout, spec.model.attentionDropout) = (1024, length, 0.1, 0.1)
        (spec.train.batchSize, spec.train.seqLen, spec.train.clipGradNorm, spec.train.threads) = (batchSize, length, 1, threads)
        (spec.train.optimizer.kind, spec.train.optimizer.lr) = (.adamW, 1e-4)
        return spec
    }

    static func run(references: [Reference], threads: [Int]) throws {
        for (reference, threads) in zip(references, threads) {
            resetPeakRSS()
            let spec = spec(threads: threads)
            let recipe = PairRecipe(length: length, cls: 1, sep: 2, mask: 3, specials: [0, 1, 2, 3], vocabularySize: vocabulary)
            let capacity = recipe.capacity(batchSize: batchSize)
            let plan = try MaskedLMPlan(spec, vocabularySize: vocabulary, capacity: capacity)
            let pass = plan.train
            let program = try Engine.compile(pass.graph, outputs: [pass.loss], gradients: pass.gradients, seed: 1, threads: threads)
            let arena = program.arena
            let layout = plan.stepLayout(for: arena.layout)
            var optimizer = try plan.optimizer(for: layout)
            var rng = SeededGenerator(seed: 1337)
            let count = batchSize * length
            let segments = (0..<count).map { Float($0 % length >= length / 2 ? 1 : 0) }
            // Random ids, 15 % of the positions selected (up to the capacity), a next-sentence label a pair.
            let batches = (0..<4).map { _ in
                let tokens = (0..<count).map { _ in Float(rng.next() % UInt64(vocabulary)) }
                var positions = (0..<count).filter { _ in rng.nextFloat() < 0.15 }.prefix(capacity).map(Float.init)
                var labels = positions.map { _ in Float(rng.next() % UInt64(vocabulary)) }
                labels += [Float](repeating: -100, count: capacity - positions.count)
                positions += [Float](repeating: 0, count: capacity - positions.count)
                return (tokens, positions, labels, (0..<batchSize).map { _ in Float(rng.next() % 2) })
            }
            func step(_ i: Int) throws {
                let (tokens, positions, labels, next) = batches[i % batches.count]
                try program.setInput(MaskedLMPlan.tokens, tokens)
                try program.setInput(MaskedLMPlan.segments, segments)
                try program.setInput(MaskedLMPlan.mask, [Float](repeating: 1, count: count))
                try program.setInput(MaskedLMPlan.positions, positions)
                try program.setInput(MaskedLMPlan.labels, labels)
                try program.setInput(MaskedLMPlan.nextSentence, next)
                program.run()
                _ = clipGradNorm(arena.gradients, maxNorm: 1, threads: threads)
                optimizer.step(parameters: arena.values, gradients: UnsafeBufferPointer(arena.gradients), layout: layout,
                               lr: Float(spec.train.optimizer.lr), threads: threads)
            }
            for i in 0..<2 { try step(i) }
            var times: [Double] = []
            for i in 0..<6 { times.append(medianSeconds(repetitions: 1) { try? step(i) }) }
            let median = times.sorted()[times.count / 2]
            let tokensPerSecond = Double(count) / median
            let peakRSS = peakRSSMegabytes()
            print(String(format: "bench bert_mlm threads=%d ms_per_step=%.3f tokens_per_s=%.0f peak_rss_mb=%.0f loss=%.3f", threads,
                         median * 1e3, tokensPerSecond, peakRSS, try program.scalar(pass.loss))
                  + MachinePeak.figures(pass.summary, seconds: median, threads: threads)
                  + reference.comparison("bert_mlm", tokensPerSecond: tokensPerSecond, peakRSS: peakRSS))
            if SeqLabEnvironment.debug { print(program.timingReport()) }
        }
    }
}
