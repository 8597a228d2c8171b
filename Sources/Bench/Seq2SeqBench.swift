import Core
import Engine
import Foundation
import Optim
import Planner
import Spec
import Translation

/// The recurrent encoder–decoders of seq2seq_reference.py (beside this file): Cho et al.'s GRU
/// (`seq2seq_gru`) and Bahdanau et al.'s attention (`seq2seq_attention`), vocabularies 7853 → 5893,
/// 128 sentences of 14 source and 14 target positions, teacher forcing 0.5, Adam 1e-3, clip 1. A
/// training step is timed as StepBench times one; decoding is timed in sentences/s, greedy and beam
/// 5, 14 tokens a sentence (random weights never choose `<eos>` first, so every sentence runs to the
/// bound). `train` and `decode` serve any translation model (TransformerBench's too).
enum Seq2SeqBench {
    static let (sourceVocabulary, targetVocabulary, batchSize, sourceLength, targetLength) = (7853, 5893, 128, 14, 14)

    static func spec(attention: Bool, threads: Int) -> ExperimentSpec {
        var spec = ExperimentSpec()
        (spec.task, spec.model.kind, spec.model.cell) = (.translation, .seq2seq, .gru)
        (spec.model.embedding, spec.model.hidden, spec.model.dropout, spec.model.teacherForcing) = (256, 512, 0.5, 0.5)
        if attention {
            (spec.model.attention, spec.model.encoderBidirectional) = (.additive, true)
        } else {
            spec.model.context = .everyStep
        }
        (spec.train.batchSize, spec.train.clipGradNorm, spec.train.threads) = (batchSize, 1, threads)
        spec.train.optimizer.lr = 1e-3
        return spec
    }

    static func run(references: [Reference], threads: [Int]) throws {
        for (name, attention) in [("seq2seq_gru", false), ("seq2seq_attention", true)] {
            for (reference, threads) in zip(references, threads) {
                try train(name: name, spec: spec(attention: attention, threads: threads), reference: reference)
            }
        }
    }

    /// Times training steps of `spec`'s model on random batches of the bench's shape, then its decoding;
    /// returns the plan and the arena the steps trained.
    @discardableResult
    static func train(name: String, spec: ExperimentSpec, reference: Reference) throws -> (TranslationPlan, ParameterArena) {
        resetPeakRSS()
        let shape = TranslationPlan.BucketShape(batchSize: batchSize, sourceLength: sourceLength, targetLength: targetLength)
        let plan = try TranslationPlan(spec, sourceVocabularySize: sourceVocabulary, targetVocabularySize: targetVocabulary,
                                       shapes: [shape], evaluationShapes: [])
        let threads = spec.train.threads ?? 1
        let pass = plan.train[0]
        let program = try Engine.compile(pass.graph, outputs: [pass.loss], gradients: pass.gradients, seed: 1, threads: threads)
        let arena = program.arena
        let layout = plan.stepLayout(for: arena.layout)
        var optimizer = try plan.optimizer(for: layout)
        var rng = SeededGenerator(seed: 1337)
        let ids = { (count: Int, vocabulary: Int) in (0..<count).map { _ in Float(3 + rng.next() % UInt64(vocabulary - 3)) } }
        let batches = (0..<8).map { _ in
            (ids(batchSize * sourceLength, sourceVocabulary), ids(batchSize * targetLength, targetVocabulary),
             ids(batchSize * targetLength, targetVocabulary))
        }
        try program.setInput(TranslationPlan.mask, [Float](repeating: 1, count: batchSize * sourceLength))
        var loss: Float = 0
        let lr = Float(spec.train.optimizer.lr)
        func step(_ i: Int) throws {
            let (source, inputs, targets) = batches[i % batches.count]
            try program.setInput(TranslationPlan.source, source)
            try program.setInput(TranslationPlan.inputs, inputs)
            try program.setInput(TranslationPlan.targets, targets)
            program.run()
            _ = clipGradNorm(arena.gradients, maxNorm: 1, threads: threads)
            optimizer.step(parameters: arena.values, gradients: UnsafeBufferPointer(arena.gradients), layout: layout, lr: lr, threads: threads)
            loss = try program.scalar(pass.loss)
        }
        for i in 0..<2 { try step(i) }
        var times: [Double] = []
        for i in 0..<8 { times.append(medianSeconds(repetitions: 1) { try? step(i) }) }
        let median = times.sorted()[times.count / 2]
        let tokensPerSecond = Double(batchSize * targetLength) / median
        let peakRSS = peakRSSMegabytes()
        print(String(format: "bench %@ threads=%d ms_per_step=%.1f tokens_per_s=%.0f peak_rss_mb=%.0f loss=%.3f", name, threads,
                     median * 1e3, tokensPerSecond, peakRSS, loss)
              + MachinePeak.figures(pass.summary, seconds: median, threads: threads)
              + reference.comparison(name, tokensPerSecond: tokensPerSecond, peakRSS: peakRSS))
        if SeqLabEnvironment.debug { print(program.timingReport()) }
        try decode(name: name, plan: plan, arena: arena, threads: threads)
        return (plan, arena)
    }

    /// 128 random sources of 13 tokens (14 positions with `<eos>`).
    static var sources: [[Int]] {
        var rng = SeededGenerator(seed: 7)
        return (0..<batchSize).map { _ in (0..<(sourceLength - 1)).map { _ in 3 + Int(rng.next() % UInt64(sourceVocabulary - 3)) } }
    }

    /// Sentences/s of greedy and beam-5 decoding of `sources` with the trained-for-a-few-steps weights.
    static func decode(name: String, plan: TranslationPlan, arena: ParameterArena, threads: Int) throws {
        let sources = sources
        for beam in [1, 5] {
            let decoder = Decoder(beam: beam, maxLengthB: targetLength - 1, bos: 1, eos: 2, padding: 0)
            let translator = Translator(plan: plan, arena: arena, decoder: decoder, sourceEOS: 2, threads: threads)
            _ = try translator.translate(Array(sources.prefix(1)))
            let seconds = medianSeconds(repetitions: 3) { _ = try? translator.translate(sources) }
            print(String(format: "bench %@_decode threads=%d beam=%d sentences_per_s=%.1f", name, threads, beam,
                         Double(sources.count) / seconds))
        }
    }
}
