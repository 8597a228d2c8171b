import Data
import Foundation
import Text

/// GPT-3's multiple-choice evaluation (Brown et al. 2020, §2): after an item's prompt, each choice is
/// scored by the log-probability the model gives its tokens, summed, and per token (length-normalised,
/// which does not favour the shorter choices); the prediction is the best-scoring choice, the first on
/// a tie.
public struct PromptedEvaluation {
    let sampler: Sampler

    /// Evaluates the model `sampler` runs (`Sampler.open` gives a run's latest checkpoint).
    public init(_ sampler: Sampler) {
        self.sampler = sampler
    }

    /// A fraction of items right, with its binomial standard error √(p(1 − p) / n).
    public struct Accuracy: Equatable, Sendable {
        public let correct: Int
        public let count: Int
        public var value: Double { Double(correct) / Double(count) }
        public var standardError: Double { (value * (1 - value) / Double(count)).squareRoot() }
    }

    /// What `runner eval --task` prints.
    public struct Report: Sendable, CustomStringConvertible {
        public let task: String
        public let shots: Int
        /// By the summed log-probability of a choice's tokens.
        public let accuracy: Accuracy
        /// By their mean log-probability.
        public let normalisedAccuracy: Accuracy
        /// The accuracy of guessing: the mean over items of 1 / choices.
        public let chance: Double

        public var description: String {
            "\(task): \(accuracy.count) items, \(shots) shot\(shots == 1 ? "" : "s"): accuracy "
                + String(format: "%.3f ± %.3f (length-normalised %.3f ± %.3f), chance %.3f", accuracy.value,
                         accuracy.standardError, normalisedAccuracy.value, normalisedAccuracy.standardError, chance)
        }
    }

    /// One choice's score: the summed log-probability of its tokens and how many there are.
    struct Score {
        let sum: Double
        let tokens: Int
        var mean: Double { sum / Double(tokens) }
    }

    /// Scores every item of `task` after `shots` demonstrations drawn from `demos` with `seed` (see
    /// `PromptedTask.prompts`). Every item is tokenised and checked before the first is scored, so a
    /// bad item is reported at once rather than after minutes of scoring.
    public func evaluate(_ task: PromptedTask, shots: Int, demos: PromptedTask, seed: UInt64) throws -> Report {
        let prompts = try task.prompts(shots: shots, demos: demos, seed: seed)
        let encoded = try zip(task.items, prompts).map { item, prompt throws(DataError) in
            try encode(item, prompt: prompt, path: task.path)
        }
        var (summed, normalised) = (0, 0)
        for (item, (context, choices)) in zip(task.items, encoded) {
            let scores = try scores(of: choices, after: context)
            if scores.indices.max(by: { scores[$0].sum < scores[$1].sum }) == item.answer { summed += 1 }
            if scores.indices.max(by: { scores[$0].mean < scores[$1].mean }) == item.answer { normalised += 1 }
        }
        let chance = task.items.map { 1 / Double($0.choices.count) }.reduce(0, +) / Double(task.items.count)
        return Report(task: task.path, shots: shots, accuracy: Accuracy(correct: summed, count: task.items.count),
                      normalisedAccuracy: Accuracy(correct: normalised, count: task.items.count), chance: chance)
    }

    /// The prompt's ids and each choice's ids after them, or the item's line and what is wrong.
    func encode(_ item: PromptedTask.Item, prompt: String, path: String) throws(DataError) -> (context: [Int], choices: [[Int]]) {
        func malformed(_ reason: String) -> DataError { .malformed(file: path, line: item.line, reason: reason) }
        let context = sampler.tokenizer.encode(prompt)
        guard !context.isEmpty else {
            throw malformed("the prompt has no tokens after the tokenizer's preprocessing, so the first token of a choice "
                + "has nothing to follow; give the item a context")
        }
        let choices = try item.choices.enumerated().map { index, choice throws(DataError) in
            let ids = Self.continuation(choice, after: prompt, context: context, tokenizer: sampler.tokenizer)
            guard !ids.isEmpty else { throw malformed("choice \(index) has no tokens after the tokenizer's preprocessing") }
            // A GPT predicts a choice's first token from the position before it, inside one block.
            if let block, ids.count >= block {
                throw malformed("choice \(index) is \(ids.count) tokens; the model reads \(block) at a time (a GPT's "
                    + "block_size, else train.seq_len) and scores at most \(block - 1), after at least one token of the prompt")
            }
            return ids
        }
        return (context, choices)
    }

    /// The ids `choice` adds after `prompt`, whose own ids are `context`: those of `prompt + choice`
    /// past the prefix `context`, so that the choice is tokenised as in running text, the tokenizer's
    /// preprocessing applied across the join. A subword tokenizer may merge across the join (the
    /// prompt's last token then changes), and `context` is no prefix: the choice is then encoded on its
    /// own and appended. Either way every choice follows the same `context`, so the scores compare.
    static func continuation(_ choice: String, after prompt: String, context: [Int], tokenizer: any Tokenizer) -> [Int] {
        let joined = tokenizer.encode(prompt + choice)
        return joined.starts(with: context) ? Array(joined.dropFirst(context.count)) : tokenizer.encode(choice)
    }

    /// GPT's block size: its decode pass takes a window of that many tokens. Nil for a model that
    /// takes one token a run and carries a state (a GPT of block_size 1 too: it sees only that token),
    /// and for a window model, which scores each token of a choice from a window of its own.
    private var block: Int? {
        sampler.window == nil && sampler.pass.length > 1 ? sampler.pass.length : nil
    }

    /// Each choice's log-probability after `context`. GPT runs one window per choice; a window model
    /// (MLP, WaveNet, n-gram) one window per choice token, the tokens before it padded with id 0 as
    /// its sampler pads them; a recurrent model feeds the context once and then each choice from the
    /// state it left.
    func scores(of choices: [[Int]], after context: [Int]) throws -> [Score] {
        if let window = sampler.window {
            return try choices.map { choice in
                let padded = [Int](repeating: 0, count: window) + context + choice
                var sum = 0.0
                for (offset, id) in choice.enumerated() {
                    let position = padded.count - choice.count + offset            // of the token scored
                    let logits = try sampler.logits(ofWindow: Array(padded[(position - window)..<position]))   // (V)
                    sum += Self.logProbability(of: id, in: logits[...])
                }
                return Score(sum: sum, tokens: choice.count)
            }
        }
        if let block {
            return try choices.map { choice in
                // nanoGPT's crop: the window ends with the choice and keeps what fits of the context.
                let window = Array((context + choice).suffix(block))
                let logits = try sampler.logits(ofWindow: window)                 // (n, V)
                let vocabulary = logits.count / window.count
                var sum = 0.0
                for (offset, id) in choice.enumerated() {
                    let row = window.count - choice.count + offset - 1            // the position before the token
                    sum += Self.logProbability(of: id, in: logits[(row * vocabulary)..<((row + 1) * vocabulary)])
                }
                return Score(sum: sum, tokens: choice.count)
            }
        }
        var state = sampler.pass.zeroState
        var afterContext: [Float] = []
        for id in context { afterContext = try sampler.step(id, state: &state) }
        return try choices.map { choice in
            var (carried, logits, sum) = (state, afterContext, 0.0)
            for (offset, id) in choice.enumerated() {
                sum += Self.logProbability(of: id, in: logits[...])
                // The last token is only scored: what would follow it is not asked.
                if offset < choice.count - 1 { logits = try sampler.step(id, state: &carried) }
            }
            return Score(sum: sum, tokens: choice.count)
        }
    }

    /// log softmax(logits)[id] = logits[id] − max − log Σ exp(logits − max), in Double, so that a sum
    /// over many tokens loses nothing to rounding.
    static func logProbability(of id: Int, in logits: ArraySlice<Float>) -> Double {
        let top = Double(logits.max() ?? 0)
        let total = logits.reduce(0.0) { $0 + exp(Double($1) - top) }
        return Double(logits[logits.startIndex + id]) - top - log(total)
    }
}
