import Core
import Engine
import Foundation
import Graph
import Models
import Planner
import Spec

/// `transformer_mt` of ../shared/bench/torch_reference.py: the encoder–decoder Transformer, d 256, 3 + 3
/// post-LN layers, 8 heads, FFN 512 ReLU, dropout 0.1, sinusoidal positions, vocabularies 7853 → 5893,
/// 128 sentences of 14 source and 14 target positions, Adam 5e-4, clip 1 (the reference's
/// `nn.Transformer` adds a LayerNorm at the end of each stack, two (B, T, C) norms a step that ours,
/// the paper's, does not have). Training is timed as Seq2SeqBench times it; decoding in sentences/s,
/// greedy and beam 5 over the cache, and greedy without it: the teacher-forced pass rerun over the
/// whole prefix at every step, as a decoder without a cache must.
enum TransformerBench {
    static func spec(threads: Int) -> ExperimentSpec {
        var spec = ExperimentSpec()
        (spec.task, spec.model.kind, spec.model.width, spec.model.heads, spec.model.ffn) = (.translation, .transformer, 256, 8, 512)
        (spec.model.encoderLayers, spec.model.decoderLayers, spec.model.norm, spec.model.activation) = (3, 3, .post, .relu)
        (spec.model.dropout, spec.model.attentionDropout, spec.model.positions, spec.model.maxPositions) = (0.1, 0.1, .sinusoidal, 128)
        (spec.train.batchSize, spec.train.clipGradNorm, spec.train.threads) = (Seq2SeqBench.batchSize, 1, threads)
        (spec.train.optimizer.kind, spec.train.optimizer.lr) = (.adam, 5e-4)
        return spec
    }

    static func run(references: [Reference], threads: [Int]) throws {
        for (reference, threads) in zip(references, threads) {
            let (plan, arena) = try Seq2SeqBench.train(name: "transformer_mt", spec: spec(threads: threads), reference: reference)
            try decodeUncached(plan: plan, arena: arena, threads: threads)
        }
    }

    /// Greedy decoding of the bench's sources without a cache: at step t the whole model runs over the
    /// sources and the t tokens so far (one program per t), and the last position's argmax is the next
    /// token. It does the work of t positions at step t where the cached decoder does one.
    static func decodeUncached(plan: TranslationPlan, arena: ParameterArena, threads: Int) throws {
        guard let config = plan.model as? TranslationTransformer.Config else { return }
        let (sources, rows, steps) = (Seq2SeqBench.sources, Seq2SeqBench.batchSize, Seq2SeqBench.targetLength)
        let sourceLength = Seq2SeqBench.sourceLength
        let programs = try (1...steps).map { t -> (Program, Tensor) in
            let g = Graph(training: false)
            let logits = try TranslationTransformer(g, config: config)(
                g.input(TranslationPlan.source, shape: [rows, sourceLength], dtype: .int32),
                mask: g.input(TranslationPlan.mask, shape: [rows, sourceLength]),
                decoderInputs: g.input(TranslationPlan.inputs, shape: [rows, t], dtype: .int32))
            let last = try logits.sliced(axis: 1, (t - 1)..<t).reshaped(to: [rows, config.targetVocabularySize]).argmax()
            return (try Engine.compile(g, outputs: [last], arena: arena, threads: threads), last)
        }
        let source: [Float] = sources.flatMap { $0.map(Float.init) + [2] }                     // each ends in <eos>
        func decode() throws {
            var tokens = [[Float]](repeating: [1], count: rows)                 // <bos>
            for (program, last) in programs {
                try program.setInput(TranslationPlan.source, source)
                try program.setInput(TranslationPlan.mask, [Float](repeating: 1, count: rows * sourceLength))
                try program.setInput(TranslationPlan.inputs, tokens.flatMap { $0 })
                program.run()
                for (row, next) in try program.read(last).enumerated() { tokens[row].append(next) }
            }
        }
        try decode()
        var failure: (any Error)?
        let seconds = medianSeconds(repetitions: 3) {
            do { try decode() } catch { failure = error }
        }
        if let failure { throw failure }
        print(String(format: "bench transformer_mt_decode threads=%d beam=1 cache=none sentences_per_s=%.1f", threads,
                     Double(rows) / seconds))
    }
}
