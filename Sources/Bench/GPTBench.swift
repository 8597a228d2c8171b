import Core
import Engine
import Foundation
import Optim
import Planner
import Spec
import Text
import Training

/// nanoGPT's GPTs as ../shared/bench/torch_reference.py times them: a training step of the baby
/// (4 layers, 4 heads, width 128, 12 × 64) and small (6, 6, 384, 8 × 256) char models — forward,
/// backward, clip 1, AdamW 1e-3 with decay on matrices — and 256 sampled tokens of the baby model
/// from a one-token prompt, with and without the KV cache. Batches are random ids, as there.
enum GPTBench {
    static let vocabulary = 65

    /// `references[t]` holds PyTorch's figures at t + 1 threads; training runs at each of those counts.
    static func run(references: [Reference]) throws {
        for (index, reference) in references.enumerated() {
            try train("gpt_baby_cpu", layers: 4, heads: 4, width: 128, block: 64, batch: 12, warmup: 5, steps: 30,
                      threads: index + 1, reference: reference)
        }
        try sample(reference: references[0])
        // Last, so that the peak RSS printed is this model's.
        for (index, reference) in references.enumerated() {
            try train("gpt_small_char", layers: 6, heads: 6, width: 384, block: 256, batch: 8, warmup: 2, steps: 8,
                      threads: index + 1, reference: reference)
        }
    }

    private static func spec(layers: Int, heads: Int, width: Int, block: Int, batch: Int) -> ExperimentSpec {
        var spec = ExperimentSpec()
        spec.model.kind = .gpt
        (spec.model.layers, spec.model.heads, spec.model.width, spec.model.blockSize) = (layers, heads, width, block)
        (spec.model.bias, spec.model.tieEmbeddings, spec.model.dropout) = (false, true, 0)
        (spec.train.batchSize, spec.train.seqLen) = (batch, block)
        spec.sample.length = 256
        return spec
    }

    private static func train(_ name: String, layers: Int, heads: Int, width: Int, block: Int, batch: Int, warmup: Int,
                              steps: Int, threads: Int, reference: Reference) throws {
        try StepBench(name: name, spec: trainingSpec(layers: layers, heads: heads, width: width, block: block, batch: batch),
                      vocabulary: vocabulary, warmup: warmup, steps: steps, threads: threads)
            .run(reference: reference)
    }

    /// A training step of a GPT: clip 1, AdamW 1e-3 with decay on matrices, as torch_reference.py's.
    static func trainingSpec(layers: Int, heads: Int, width: Int, block: Int, batch: Int) -> ExperimentSpec {
        var spec = spec(layers: layers, heads: heads, width: width, block: block, batch: batch)
        spec.train.optimizer = OptimizerSpec()
        (spec.train.optimizer.kind, spec.train.optimizer.lr, spec.train.optimizer.betas) = (.adamW, 1e-3, [0.9, 0.99])
        (spec.train.optimizer.weightDecay, spec.train.optimizer.decay, spec.train.clipGradNorm) = (0.1, .matrices, 1)
        return spec
    }

    /// 256 tokens at temperature 1 from a one-token prompt, with and without the KV cache.
    private static func sample(reference: Reference) throws {
        let plan = try LanguageModelPlan(spec(layers: 4, heads: 4, width: 128, block: 64, batch: 1), vocabularySize: vocabulary)
        let alphabet = String((0..<(vocabulary - 1)).map { Character(Unicode.Scalar(UInt8(0x21 + $0))) })
        let tokenizer = try CharTokenizer.train(on: alphabet, options: TokenizerOptions())
        let sampler = try Sampler(plan, arena: ParameterArena(graph: plan.decode.graph, seed: 1), tokenizer: tokenizer)
        for (name, cached) in [("gpt_sample_kv", true), ("gpt_sample_nocache", false)] {
            let decoding = Decoding(length: 256, useCache: cached)
            _ = try sampler.generate(prompt: "a", decoding)
            var failure: (any Error)?
            let seconds = medianSeconds(repetitions: 5) {
                do { _ = try sampler.generate(prompt: "a", decoding) }
                catch { failure = error }
            }
            if let failure { throw failure }
            let tokensPerSecond = 256 / seconds
            print(String(format: "bench %@ ms_per_256_tokens=%.1f tokens_per_s=%.0f", name, seconds * 1e3, tokensPerSecond)
                  + reference.comparison(name, tokensPerSecond: tokensPerSecond))
        }
    }
}
