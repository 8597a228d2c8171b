import Engine
import Planner

/// GPT decoding with a key/value cache: each token's keys and values are computed once, when it
/// enters, and kept in `block_size` slots, so that a new token costs one position of work.
///
/// Positions are learned and absolute, so the cache cannot slide: when it is full, it is emptied and
/// the last `refill.length` tokens (half a block) go back in with one forward, then decoding goes on
/// one token at a time — the rule of ../shared/bench's PyTorch reference. (nanoGPT's uncached
/// `generate` crops to the last block instead, which a cache of absolute positions cannot do.)
final class CachedDecoder {
    private let step: (pass: LanguageModelPlan.CachedPass, program: Program)
    private let refill: (pass: LanguageModelPlan.CachedPass, program: Program)
    /// Per layer, (nh, S, hs): slot s of head h at `(h·S + s)·hs`.
    private var keys: [[Float]]
    private var values: [[Float]]
    /// The tokens whose keys and values fill slots 0..<count.
    private var context: [Int] = []

    init(_ passes: (step: LanguageModelPlan.CachedPass, refill: LanguageModelPlan.CachedPass), arena: ParameterArena) throws {
        step = (passes.step, try Engine.compile(passes.step.graph, outputs: [passes.step.logits] + passes.step.keys
                                                    + passes.step.values, arena: arena))
        refill = (passes.refill, try Engine.compile(passes.refill.graph, outputs: [passes.refill.logits]
                                                        + passes.refill.keys + passes.refill.values, arena: arena))
        let size = passes.step.heads * passes.step.slots * passes.step.headSize
        keys = Array(repeating: [Float](repeating: 0, count: size), count: passes.step.keys.count)
        values = keys
    }

    private var slots: Int { step.pass.slots }

    /// The context after `id` joins it under the cache's rule: a full context first drops to its last
    /// half block. Uncached decoding follows the same rule, so both see the same tokens.
    static func append(_ id: Int, to context: inout [Int], slots: Int) {
        if context.count == slots { context = Array(context.suffix(LanguageModelPlan.CachedPass.refillLength(slots: slots))) }
        context.append(id)
    }

    /// Starts a new sequence.
    func reset() {
        context.removeAll()
    }

    /// Appends `ids` to the sequence; returns the logits (V) after the last of them.
    func feed(_ ids: [Int]) throws -> [Float] {
        var pending = ids[...]
        var logits: [Float] = []
        while let next = pending.first {
            if context.count == slots {
                let kept = Array(context.suffix(refill.pass.length))
                context.removeAll()
                _ = try run(refill, kept)
            }
            if pending.count >= refill.pass.length, context.count + refill.pass.length <= slots {
                logits = try run(refill, Array(pending.prefix(refill.pass.length)))
                pending = pending.dropFirst(refill.pass.length)
            } else {
                logits = try run(step, [next])
                pending = pending.dropFirst()
            }
        }
        return logits
    }

    /// Runs `tokens` at the next positions, stores their keys and values, returns the last logits.
    private func run(_ target: (pass: LanguageModelPlan.CachedPass, program: Program), _ tokens: [Int]) throws -> [Float] {
        let (pass, program) = target
        let (start, length, width) = (context.count, tokens.count, slots + tokens.count)
        // Row i sees the filled slots and the new tokens up to itself.
        var mask = [Float](repeating: -.infinity, count: length * width)
        for row in 0..<length {
            for column in 0..<start { mask[row * width + column] = 0 }
            for column in 0...row { mask[row * width + slots + column] = 0 }
        }
        try program.setInput(LanguageModelPlan.tokens, tokens.map(Float.init))
        try program.setInput(LanguageModelPlan.CachedPass.positions, (start..<(start + length)).map(Float.init))
        try program.setInput(LanguageModelPlan.CachedPass.mask, mask)
        for layer in keys.indices {
            try program.setInput(LanguageModelPlan.CachedPass.keysInput(layer: layer), keys[layer])
            try program.setInput(LanguageModelPlan.CachedPass.valuesInput(layer: layer), values[layer])
        }
        program.run()
        let headSize = pass.headSize
        for layer in keys.indices {
            // New (nh, T, hs) rows go to slots start..<start + T of each head.
            let newKeys = try program.read(pass.keys[layer]), newValues = try program.read(pass.values[layer])
            for head in 0..<pass.heads {
                for t in 0..<length {
                    let source = (head * length + t) * headSize, target = (head * slots + start + t) * headSize
                    keys[layer].replaceSubrange(target..<(target + headSize), with: newKeys[source..<(source + headSize)])
                    values[layer].replaceSubrange(target..<(target + headSize), with: newValues[source..<(source + headSize)])
                }
            }
        }
        context += tokens
        let all = try program.read(pass.logits)                                   // (1, T, V)
        let vocabulary = all.count / length
        return Array(all[((length - 1) * vocabulary)...])
    }
}
