import Foundation

/// Decoding a batch of sentences with a step function, greedily or by beam search as fairseq does it.
///
/// The model is the `step` function: for rows of (sentence, last token, decoder state) it returns each
/// row's log-probabilities over the target vocabulary and its next state. Every sentence's decoding
/// starts from its own state and `<bos>`, and ends with `<eos>` or after ⌊a·source length + b⌋ tokens,
/// the source counted with its `<eos>` (`<eos>` is then forced, as fairseq forces it at `max_len`).
/// As in fairseq, the first token is never `<eos>` (`min_len` 1) and `banned` tokens (`<pad>`,
/// `<bos>`) are never chosen.
public struct Decoder: Sendable {
    /// 1 decodes greedily.
    public var beam: Int
    /// α: a finished hypothesis scores its summed log-probability / length^α (length counting `<eos>`).
    public var lengthPenalty: Double
    public var maxLengthA: Double
    public var maxLengthB: Int
    /// Hypotheses returned per sentence, best first.
    public var nBest: Int
    /// The most tokens any hypothesis takes before its `<eos>`, whatever a and b allow (a recurrent
    /// decoder would otherwise run as long as `--max-len-a` says); a model with a table of positions
    /// decodes no further than its table.
    public var lengthLimit = 1024
    public let bos: Int
    public let eos: Int
    /// Tokens never generated: `<bos>` and `<pad>`.
    public let banned: Set<Int>

    public init(beam: Int = 1, lengthPenalty: Double = 1, maxLengthA: Double = 0, maxLengthB: Int = 200, nBest: Int = 1,
                bos: Int, eos: Int, padding: Int? = nil) {
        precondition(beam >= 1 && nBest >= 1 && nBest <= beam && maxLengthB >= 0 && maxLengthA >= 0,
                     "Decoder: beam ≥ nBest ≥ 1 and non-negative length limits")
        (self.beam, self.lengthPenalty, self.maxLengthA, self.maxLengthB) = (beam, lengthPenalty, maxLengthA, maxLengthB)
        (self.nBest, self.bos, self.eos) = (nBest, bos, eos)
        banned = Set([bos] + (padding.map { [$0] } ?? []))
    }

    /// A finished translation: its tokens (without `<eos>`), the sum of their log-probabilities (with
    /// `<eos>`'s) and the length-penalised score it was ranked by.
    public struct Hypothesis: Equatable, Sendable {
        public let tokens: [Int]
        public let logProbability: Double
        public let score: Double
    }

    /// One row of a step: which sentence it belongs to, the token it feeds and the state it starts from.
    public struct Row<State> {
        public let sentence: Int
        public let token: Int
        public let state: State
    }

    /// The most tokens (before the `<eos>` that ends them) a sentence of `sourceLength` tokens (its own
    /// `<eos>` not counted) may be given: ⌊a·(sourceLength + 1) + b⌋, at least 1, at most `lengthLimit`.
    public func maxLength(sourceLength: Int) -> Int {
        let limit = (maxLengthA * Double(sourceLength + 1)).rounded(.down) + Double(maxLengthB)
        return Int(min(max(limit, 1), Double(max(1, lengthLimit))))
    }

    private struct Live<State> {
        var tokens: [Int]
        var logProbability: Double
        var state: State
    }

    /// The `nBest` best hypotheses of every sentence. `initial[i]` is sentence i's first decoder state.
    public func decode<State>(initial: [State], sourceLengths: [Int],
                              step: ([Row<State>]) throws -> [(logProbabilities: [Float], state: State)]) rethrows
        -> [[Hypothesis]] {
        precondition(initial.count == sourceLengths.count, "Decoder: one source length per sentence")
        var live: [[Live<State>]] = initial.map { [Live(tokens: [], logProbability: 0, state: $0)] }
        var finished = [[Hypothesis]](repeating: [], count: initial.count)
        var done = [Bool](repeating: false, count: initial.count)
        while done.contains(false) {
            var rows: [Row<State>] = []
            var owners: [(sentence: Int, beam: Int)] = []
            for sentence in initial.indices where !done[sentence] {
                for (index, hypothesis) in live[sentence].enumerated() {
                    rows.append(Row(sentence: sentence, token: hypothesis.tokens.last ?? bos, state: hypothesis.state))
                    owners.append((sentence, index))
                }
            }
            let outputs = try step(rows)
            var candidates: [Int: [(beam: Int, token: Int, logProbability: Double, state: State)]] = [:]
            for ((sentence, index), output) in zip(owners, outputs) {
                let parent = live[sentence][index]
                let forceEnd = parent.tokens.count >= maxLength(sourceLength: sourceLengths[sentence])
                let excluded = parent.tokens.isEmpty ? banned.union([eos]) : banned
                for (token, logProbability) in Self.top(output.logProbabilities, 2 * beam, only: forceEnd ? eos : nil,
                                                        excluding: excluded) {
                    candidates[sentence, default: []].append((index, token, parent.logProbability + logProbability, output.state))
                }
            }
            for (sentence, expansions) in candidates {
                var next: [Live<State>] = []
                // Best first (ties broken by beam, then token, so that the search is deterministic). As
                // in fairseq, an `<eos>` finishes a hypothesis only from among the best `beam` candidates.
                let ranked = expansions.sorted { ($0.logProbability, -$0.beam, -$0.token) > ($1.logProbability, -$1.beam, -$1.token) }
                for (rank, candidate) in ranked.enumerated() {
                    let tokens = live[sentence][candidate.beam].tokens
                    if candidate.token == eos {
                        guard rank < beam else { continue }
                        let length = Double(tokens.count + 1)
                        finished[sentence].append(Hypothesis(tokens: tokens, logProbability: candidate.logProbability,
                                                             score: candidate.logProbability / Foundation.pow(length, lengthPenalty)))
                        if finished[sentence].count == beam { break }
                    } else if next.count < beam {
                        next.append(Live(tokens: tokens + [candidate.token], logProbability: candidate.logProbability,
                                         state: candidate.state))
                    }
                }
                live[sentence] = next
                done[sentence] = finished[sentence].count >= beam || next.isEmpty
            }
        }
        return finished.map { hypotheses in
            Array(hypotheses.enumerated().sorted { ($0.element.score, -$0.offset) > ($1.element.score, -$1.offset) }
                .map(\.element).prefix(nBest))
        }
    }

    /// The `count` likeliest (token, log-probability) pairs but the `excluded` ones, best first and
    /// the lower id first among equals, or `only` alone when given. One pass over the vocabulary:
    /// a token is placed only when it beats the worst of those kept so far.
    static func top(_ logProbabilities: [Float], _ count: Int, only: Int?, excluding excluded: Set<Int>) -> [(Int, Double)] {
        if let only { return [(only, Double(logProbabilities[only]))] }
        var best: [(token: Int, value: Float)] = []
        best.reserveCapacity(count + 1)
        for (token, value) in logProbabilities.enumerated() {
            if best.count == count, !(value > best[count - 1].value) { continue }
            if value.isNaN || excluded.contains(token) { continue }
            var position = best.count
            while position > 0, best[position - 1].value < value { position -= 1 }
            best.insert((token, value), at: position)
            if best.count > count { best.removeLast() }
        }
        return best.map { ($0.token, Double($0.value)) }
    }
}
