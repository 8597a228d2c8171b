import Core
import Engine
import Planner
import Runs
import Spec
import Foundation
import Text

/// Generates text one token at a time with the decode pass (batch 1, one step), carrying the
/// recurrent state: the prompt is fed through first, then each sampled token is fed back.
public final class Sampler {
    let pass: LanguageModelPlan.Pass
    let program: Program
    let tokenizer: any Tokenizer
    let hidden: Int
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
        let sampler = try Sampler(plan.decode, arena: arena, tokenizer: tokenizer)
        sampler.warnings = latest.skipped.map { "warning: skipped \($0)" }
        return sampler
    }

    init(_ pass: LanguageModelPlan.Pass, arena: ParameterArena, tokenizer: any Tokenizer) throws {
        self.pass = pass
        self.tokenizer = tokenizer
        program = try Engine.compile(pass.graph, outputs: [pass.logits] + pass.stateOutputs, arena: arena)
        hidden = pass.stateOutputs.first?.shape[1] ?? 0
    }

    /// The prompt followed by `length` sampled tokens. Temperature scales the logits; top-k keeps
    /// the k likeliest (k = 1 is greedy decoding).
    public func generate(prompt: String, length: Int, temperature: Float, topK: Int?, seed: UInt64) throws -> String {
        var rng = SeededGenerator(seed: seed)
        var state = [[Float]](repeating: [Float](repeating: 0, count: hidden), count: pass.stateInputs.count)
        var ids = tokenizer.encode(prompt)
        guard !ids.isEmpty else { throw TrainingError.emptyPrompt(prompt) }
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
