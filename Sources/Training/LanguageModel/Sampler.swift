import Core
import Engine
import Planner
import Runs
import Foundation
import Text

/// Generates text one token at a time with the decode pass (one sequence). A recurrent model takes
/// one token per run and carries its state: the prompt is fed through first, then each sampled token
/// is fed back. GPT reruns its last `block_size` tokens and reads the logits after the newest one; a
/// window model reads its last `window` tokens, boundaries (id 0) before the start, as makemore samples.
public final class Sampler {
    let pass: LanguageModelPlan.Pass
    let program: Program
    let tokenizer: any Tokenizer
    /// GPT's KV-cached decoder; nil for recurrent models.
    let cached: CachedDecoder?
    /// Tokens of context a window model reads; nil for sequence models.
    let window: Int?
    /// The token that ends a line in the run's stream (`data.line_end: eos`), shown as a line break;
    /// nil when lines are not marked.
    let lineEnd: Int?
    /// Newer checkpoints that could not be read and were passed over: never silent.
    public private(set) var warnings: [String] = []

    /// The sampler of a finished (or checkpointed) run: its spec, tokenizer and the chosen weights; no data
    /// needed. `command` names what asks, in the refusal of a run of another task.
    public static func open(_ run: RunDirectory, checkpoint: CheckpointChoice = .latest, command: String = "sample") throws
        -> Sampler {
        let context = try RunContext.open(run, for: .inference, checkpoint: checkpoint, command: command)
        let sampler = try context.sampler()
        sampler.warnings = context.warnings
        return sampler
    }

    public init(_ plan: LanguageModelPlan, arena: ParameterArena, tokenizer: any Tokenizer, lineEnd: Int? = nil) throws {
        let pass = plan.decode
        self.pass = pass
        cached = try plan.cachedDecode.map { try CachedDecoder($0, arena: arena) }
        self.tokenizer = tokenizer
        program = try Engine.compile(pass.graph, outputs: [pass.logits] + pass.stateOutputs, arena: arena)
        window = plan.window
        self.lineEnd = lineEnd
    }

    /// The prompt and the generated text cut before the first stop string the generated part holds;
    /// nil when it holds none. The two are decoded together, as the whole sample is (a word tokenizer
    /// puts a space between them), and the stops are looked for after the prompt's own text.
    private func stopped(_ prompt: [Int], _ generated: [Int], at stops: [String]) -> String? {
        let (whole, head) = (text(prompt + generated), text(prompt))
        // A tokenizer whose text of the prompt is not where the whole text starts: the two apart.
        let sample = whole.hasPrefix(head) ? whole : head + text(generated)
        let after = sample[(sample.index(sample.startIndex, offsetBy: head.count, limitedBy: sample.endIndex) ?? sample.endIndex)...]
        return stops.compactMap { after.range(of: $0) }.min { $0.lowerBound < $1.lowerBound }.map { String(sample[..<$0.lowerBound]) }
    }

    /// The text of `ids`, each line-end token a line break rather than the word `<eos>`.
    func text(_ ids: [Int]) -> String {
        guard let lineEnd else { return tokenizer.decode(ids) }
        return ids.split(separator: lineEnd, omittingEmptySubsequences: false).map { tokenizer.decode(Array($0)) }
            .joined(separator: "\n")
    }

    /// The prompt followed by up to `decoding.length` sampled tokens, cut before the first stop string
    /// the generated text contains. GPT decodes with its KV cache unless `decoding.useCache` is false;
    /// both give the same text for the same seed.
    public func generate(prompt: String, _ decoding: Decoding) throws -> Generation {
        var rng = SeededGenerator(seed: decoding.seed)
        let promptIDs = tokenizer.encode(prompt)
        guard !promptIDs.isEmpty else { throw TrainingError.emptyPrompt(prompt) }
        let feed = try feeder(useCache: decoding.useCache)
        var logits = try feed(promptIDs)
        var generated: [Int] = []
        while generated.count < decoding.length {
            generated.append(Self.draw(logits, decoding, using: &rng))
            if !decoding.stop.isEmpty, let cut = stopped(promptIDs, generated, at: decoding.stop) {
                return Generation(text: cut, tokens: generated.count)
            }
            if generated.count < decoding.length { logits = try feed([generated[generated.count - 1]]) }
        }
        return Generation(text: text(promptIDs + generated), tokens: generated.count)
    }

    /// A function that takes the next ids of the sequence and returns the logits after the last one;
    /// a new one starts a new sequence.
    private func feeder(useCache: Bool) throws -> ([Int]) throws -> [Float] {
        if let cached, useCache {
            cached.reset()
            return { try cached.feed($0) }
        }
        if let window {
            var context = [Int](repeating: 0, count: window)
            return { ids in
                context = Array((context + ids).suffix(window))
                return try self.logits(ofWindow: context)
            }
        }
        if pass.length > 1 {
            // The context the cache would hold, recomputed in full every token.
            var context: [Int] = []
            return { ids in
                for id in ids { CachedDecoder.append(id, to: &context, slots: self.pass.length) }
                return try self.logits(of: context)
            }
        }
        var state = pass.zeroState
        return { ids in
            var logits: [Float] = []
            for id in ids { logits = try self.step(id, state: &state) }
            return logits
        }
    }

    /// A recurrent model's step: feeds `id` with `state`, leaves the state after it there, and returns
    /// the logits (V) of the token that follows.
    func step(_ id: Int, state: inout [[Float]]) throws -> [Float] {
        try program.setInput(LanguageModelPlan.tokens, [Float(id)])
        for (name, values) in zip(pass.stateInputs, state) { try program.setInput(name, values) }
        program.run()
        state = try pass.stateOutputs.map { try program.read($0) }
        return try program.read(pass.logits)
    }

    /// GPT's logits (n, V) at every position of `window` (n ≤ the pass's length, its block size), in
    /// one run: row t is the distribution of the token after `window[t]`. Positions after the window
    /// hold token 0; causal attention never lets them reach the positions read.
    func logits(ofWindow window: [Int]) throws -> [Float] {
        try program.setInput(LanguageModelPlan.tokens, window.map(Float.init)
                                 + [Float](repeating: 0, count: pass.length - window.count))
        program.run()
        let all = try program.read(pass.logits)                     // (1, T, V)
        return Array(all[..<(window.count * all.count / pass.length)])
    }

    /// The logits after the last token of `context` (at most the pass's length).
    private func logits(of context: [Int]) throws -> [Float] {
        Array(try logits(ofWindow: context).suffix(tokenizer.vocabularySize))
    }

    /// One id from softmax(logits / temperature), restricted to the top k and then to the smallest
    /// set of likeliest tokens whose probability reaches top-p (Hugging Face's order of the filters).
    static func draw(_ logits: [Float], _ decoding: Decoding, using rng: inout SeededGenerator) -> Int {
        var order = Array(logits.indices).sorted { logits[$0] > logits[$1] }
        if let topK = decoding.topK { order = Array(order.prefix(max(1, topK))) }
        let top = logits[order[0]]
        var weights = order.map { Double(((logits[$0] - top) / max(decoding.temperature, 1e-6))).exponentiated }
        if let topP = decoding.topP {
            let total = weights.reduce(0, +)
            var cumulative = 0.0
            let kept = weights.firstIndex { weight in
                cumulative += weight
                return cumulative >= topP * total
            }.map { $0 + 1 } ?? weights.count
            order = Array(order.prefix(kept))
            weights = Array(weights.prefix(kept))
        }
        var target = Double(rng.nextFloat()) * weights.reduce(0, +)
        for (index, weight) in zip(order, weights) {
            target -= weight
            if target < 0 { return index }
        }
        return order[0]
    }
}

/// How to sample: `length` new tokens at most, temperature, top-k, top-p, strings that end the text
/// early, the seed (the same seed gives the same text), and whether GPT uses its KV cache.
public struct Decoding: Equatable, Sendable {
    public var length: Int
    public var temperature: Float
    public var topK: Int?
    public var topP: Double?
    public var stop: [String]
    public var seed: UInt64
    public var useCache: Bool

    public init(length: Int, temperature: Float = 1, topK: Int? = nil, topP: Double? = nil, stop: [String] = [],
                seed: UInt64 = 0, useCache: Bool = true) {
        (self.length, self.temperature, self.topK, self.topP) = (length, temperature, topK, topP)
        (self.stop, self.seed, self.useCache) = (stop, seed, useCache)
    }
}

/// Generated text (the prompt included) and how many tokens were sampled.
public struct Generation: Equatable, Sendable {
    public let text: String
    public let tokens: Int
}

private extension Double {
    var exponentiated: Double { Foundation.exp(self) }
}
