import Core
import Engine
import Planner
import Runs
import Spec
import Foundation
import Text

/// Generates text one token at a time with the decode pass (one sequence). A recurrent model takes
/// one token per run and carries its state: the prompt is fed through first, then each sampled token
/// is fed back. GPT reruns its last `block_size` tokens and reads the logits after the newest one.
public final class Sampler {
    let pass: LanguageModelPlan.Pass
    let program: Program
    let tokenizer: any Tokenizer
    let hidden: Int
    /// GPT's KV-cached decoder; nil for recurrent models.
    let cached: CachedDecoder?
    /// Newer checkpoints that could not be read and were passed over: never silent.
    public private(set) var warnings: [String] = []

    /// The sampler of a finished (or checkpointed) run: its spec, tokenizer and latest weights; no data needed.
    public static func open(_ run: RunDirectory) throws -> Sampler {
        let spec = try ExperimentSpec.load(path: run.specURL.path)
        let tokenizer = try TokenizerFile.load(from: run.tokenizerURL)
        let latest = try run.checkpoints.latest()
        try latest.checkpoint.verify(specHash: spec.hash, path: latest.url.path)
        let plan = try LanguageModelPlan(spec, vocabularySize: tokenizer.vocabularySize)
        let arena = ParameterArena(graph: plan.decode.graph, seed: 0)
        _ = arena.values.update(fromContentsOf: try latest.checkpoint.parameters(for: arena.layout, path: latest.url.path))
        let sampler = try Sampler(plan, arena: arena, tokenizer: tokenizer)
        sampler.warnings = latest.skipped.map { "warning: skipped \($0)" }
        return sampler
    }

    public init(_ plan: LanguageModelPlan, arena: ParameterArena, tokenizer: any Tokenizer) throws {
        let pass = plan.decode
        self.pass = pass
        cached = try plan.cachedDecode.map { try CachedDecoder($0, arena: arena) }
        self.tokenizer = tokenizer
        program = try Engine.compile(pass.graph, outputs: [pass.logits] + pass.stateOutputs, arena: arena)
        hidden = pass.stateOutputs.first?.shape[1] ?? 0
    }

    /// The prompt followed by `length` sampled tokens. Temperature scales the logits; top-k keeps
    /// the k likeliest (k = 1 is greedy decoding). GPT decodes with its KV cache unless `useCache` is
    /// false; both give the same text for the same seed.
    public func generate(prompt: String, length: Int, temperature: Float, topK: Int?, seed: UInt64,
                         useCache: Bool = true) throws -> String {
        var rng = SeededGenerator(seed: seed)
        var state = [[Float]](repeating: [Float](repeating: 0, count: hidden), count: pass.stateInputs.count)
        var ids = tokenizer.encode(prompt)
        guard !ids.isEmpty else { throw TrainingError.emptyPrompt(prompt) }
        if let cached, useCache {
            cached.reset()
            var logits = try cached.feed(ids)
            for index in 0..<length {
                ids.append(Self.draw(logits, temperature: temperature, topK: topK, using: &rng))
                if index < length - 1 { logits = try cached.feed([ids[ids.count - 1]]) }
            }
            return tokenizer.decode(ids)
        }
        if pass.length > 1 {
            // The context the cache would hold, recomputed in full every token.
            var context: [Int] = []
            for id in ids { CachedDecoder.append(id, to: &context, slots: pass.length) }
            for _ in 0..<length {
                let next = Self.draw(try logits(of: context), temperature: temperature, topK: topK, using: &rng)
                ids.append(next)
                CachedDecoder.append(next, to: &context, slots: pass.length)
            }
            return tokenizer.decode(ids)
        }
        var logits: [Float] = []
        func feed(_ id: Int) throws {
            try program.setInput(LanguageModelPlan.tokens, [Float(id)])
            for (name, values) in zip(pass.stateInputs, state) { try program.setInput(name, values) }
            program.run()
            logits = try program.read(pass.logits)
            state = try pass.stateOutputs.map { try program.read($0) }
        }
        for id in ids { try feed(id) }
        for _ in 0..<length {
            let next = Self.draw(logits, temperature: temperature, topK: topK, using: &rng)
            ids.append(next)
            try feed(next)
        }
        return tokenizer.decode(ids)
    }

    /// The logits after the last token of `context` (at most the pass's length). Positions after the
    /// context hold token 0; causal attention never lets them reach the positions read.
    private func logits(of context: [Int]) throws -> [Float] {
        var window = context.map(Float.init)
        window += [Float](repeating: 0, count: pass.length - window.count)
        try program.setInput(LanguageModelPlan.tokens, window)
        program.run()
        let all = try program.read(pass.logits)                     // (1, T, V)
        let vocabulary = all.count / pass.length
        return Array(all[((context.count - 1) * vocabulary)..<(context.count * vocabulary)])
    }

    /// One id from softmax(logits / temperature) restricted to the top k.
    static func draw(_ logits: [Float], temperature: Float, topK: Int?, using rng: inout SeededGenerator) -> Int {
        var order = Array(logits.indices).sorted { logits[$0] > logits[$1] }
        if let topK { order = Array(order.prefix(max(1, topK))) }
        let top = logits[order[0]]
        let weights = order.map { Double(((logits[$0] - top) / max(temperature, 1e-6))).exponentiated }
        var target = Double(rng.nextFloat()) * weights.reduce(0, +)
        for (index, weight) in zip(order, weights) {
            target -= weight
            if target < 0 { return index }
        }
        return order[0]
    }
}

private extension Double {
    var exponentiated: Double { Foundation.exp(self) }
}
