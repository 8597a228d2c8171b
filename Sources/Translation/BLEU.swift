import Foundation

/// BLEU-4 (Papineni et al. 2002) exactly as sacreBLEU 2.6 computes it, one reference per segment:
/// each segment right-stripped, optionally lowercased, tokenised (`none` or `13a`) and split on white
/// space; n-gram matches clipped by the reference's counts and summed over the corpus; precisions
/// with sacreBLEU's default `exp` smoothing (the k-th order without a match scores 1 / (2^k · total));
/// the brevity penalty exp(1 − r/c) when c < r; the geometric mean over orders 1–4 (or, for sentence
/// BLEU, up to the highest order the hypothesis has n-grams of: sacreBLEU's effective order).
public struct BLEU: Sendable {
    public enum Tokenization: String, Sendable, CaseIterable {
        /// The text is already tokenised: split on white space only.
        case none
        /// mteval-v13a, sacreBLEU's default for raw text.
        case mteval13a = "13a"
    }

    public static let maxOrder = 4
    public var tokenization: Tokenization
    public var lowercase: Bool

    public init(tokenization: Tokenization = .mteval13a, lowercase: Bool = false) {
        self.tokenization = tokenization
        self.lowercase = lowercase
    }

    /// Matched and total n-grams of each order, and the hypothesis and reference lengths in tokens:
    /// everything a score is computed from; the statistics of a corpus are the sums of its segments'.
    public struct Statistics: Equatable, Sendable {
        public var matches = [Int](repeating: 0, count: BLEU.maxOrder)
        public var totals = [Int](repeating: 0, count: BLEU.maxOrder)
        public var hypothesisLength = 0
        public var referenceLength = 0

        public static func + (a: Statistics, b: Statistics) -> Statistics {
            Statistics(matches: zip(a.matches, b.matches).map(+), totals: zip(a.totals, b.totals).map(+),
                       hypothesisLength: a.hypothesisLength + b.hypothesisLength,
                       referenceLength: a.referenceLength + b.referenceLength)
        }
    }

    /// A score with what it is made of, in sacreBLEU's units (score and precisions in percent).
    public struct Score: Equatable, Sendable, CustomStringConvertible {
        public let score: Double
        public let precisions: [Double]
        public let brevityPenalty: Double
        public let statistics: Statistics
        public var ratio: Double { Double(statistics.hypothesisLength) / Double(max(statistics.referenceLength, 1)) }

        /// sacreBLEU's line: `BLEU = 70.89 92.1/83.2/74.9/67.5 (BP = 0.898 ratio = 0.903 hyp_len = 11702 ref_len = 12955)`.
        public var description: String {
            String(format: "BLEU = %.2f ", score) + precisions.map { String(format: "%.1f", $0) }.joined(separator: "/")
                + String(format: " (BP = %.3f ratio = %.3f hyp_len = %d ref_len = %d)", brevityPenalty, ratio,
                         statistics.hypothesisLength, statistics.referenceLength)
        }
    }

    /// The tokens BLEU counts in a segment.
    public func tokens(_ segment: String) -> [String] {
        var text = String(segment.reversed().drop { $0.unicodeScalars.allSatisfy(MtevalTokenizer.isWhitespace) }.reversed())
        if lowercase { text = Self.lowercased(text) }
        if tokenization == .mteval13a { text = MtevalTokenizer.tokenize(text) }
        return MtevalTokenizer.words(in: text)
    }

    /// `text` lowercased as Python's `str.lower()` does it, which sacreBLEU calls: Unicode's full
    /// lowercase mapping, with capital sigma becoming final sigma ς after a cased letter and before
    /// none (case-ignorable characters such as `'` and `.` passed over), and σ elsewhere. Swift's
    /// `lowercased()` maps every Σ to σ, so each Σ is mapped here and the text between them by it.
    static func lowercased(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        guard scalars.contains("\u{03A3}") else { return text.lowercased() }
        // The nearest scalar from `index` on in direction `step` that is not case-ignorable, if cased.
        let casedNeighbour = { (index: Int, step: Int) -> Bool in
            var position = index
            while scalars.indices.contains(position), scalars[position].properties.isCaseIgnorable { position += step }
            return scalars.indices.contains(position) && scalars[position].properties.isCased
        }
        var result = "", start = 0
        for (index, scalar) in scalars.enumerated() where scalar == "\u{03A3}" {
            result += String(String.UnicodeScalarView(scalars[start..<index])).lowercased()
            result += casedNeighbour(index - 1, -1) && !casedNeighbour(index + 1, 1) ? "\u{03C2}" : "\u{03C3}"
            start = index + 1
        }
        return result + String(String.UnicodeScalarView(scalars[start...])).lowercased()
    }

    /// The statistics of one hypothesis against its reference.
    public func statistics(hypothesis: String, reference: String) -> Statistics {
        let (hypothesis, reference) = (tokens(hypothesis), tokens(reference))
        var statistics = Statistics(hypothesisLength: hypothesis.count, referenceLength: reference.count)
        for order in 1...Self.maxOrder {
            let available = Self.ngrams(reference, order: order)
            for (ngram, count) in Self.ngrams(hypothesis, order: order) {
                statistics.matches[order - 1] += min(count, available[ngram] ?? 0)
                statistics.totals[order - 1] += count
            }
        }
        return statistics
    }

    /// Corpus BLEU of `hypotheses` against `references`, line by line (the counts must agree).
    public func corpus(hypotheses: [String], references: [String]) -> Score {
        precondition(hypotheses.count == references.count, "BLEU: one reference per hypothesis")
        let total = zip(hypotheses, references).reduce(Statistics()) { $0 + statistics(hypothesis: $1.0, reference: $1.1) }
        return Self.score(total, effectiveOrder: false)
    }

    /// Sentence BLEU, with the effective order as `sacrebleu.sentence_bleu` uses it.
    public func sentence(hypothesis: String, reference: String) -> Score {
        Self.score(statistics(hypothesis: hypothesis, reference: reference), effectiveOrder: true)
    }

    /// sacreBLEU's `compute_bleu` with `exp` smoothing: orders are scored until one has no n-grams
    /// at all; a zero precision counts as log 0 ≈ −10^10, so the score is 0 then.
    public static func score(_ statistics: Statistics, effectiveOrder: Bool) -> Score {
        var precisions = [Double](repeating: 0, count: maxOrder)
        var (smoothing, order) = (1.0, maxOrder)
        for n in 0..<maxOrder {
            let total = Double(statistics.totals[n])
            guard total > 0 else { break }
            if effectiveOrder { order = n + 1 }
            if statistics.matches[n] == 0 {
                smoothing *= 2
                precisions[n] = 100 / (smoothing * total)
            } else {
                precisions[n] = 100 * Double(statistics.matches[n]) / total
            }
        }
        let (c, r) = (Double(statistics.hypothesisLength), Double(statistics.referenceLength))
        let brevityPenalty = c < r ? (c > 0 ? Foundation.exp(1 - r / c) : 0) : 1
        // No match of any order scores 0 with zero precisions, before any smoothing (sacreBLEU's rule).
        if statistics.matches.allSatisfy({ $0 == 0 }) {
            return Score(score: 0, precisions: [Double](repeating: 0, count: maxOrder), brevityPenalty: brevityPenalty,
                         statistics: statistics)
        }
        let logMean = precisions[..<order].map { $0 == 0 ? -9_999_999_999 : Foundation.log($0) }.reduce(0, +) / Double(order)
        return Score(score: brevityPenalty * Foundation.exp(logMean), precisions: precisions, brevityPenalty: brevityPenalty,
                     statistics: statistics)
    }

    /// Each n-gram of `tokens` of length `order` with its count.
    static func ngrams(_ tokens: [String], order: Int) -> [ArraySlice<String>: Int] {
        var counts: [ArraySlice<String>: Int] = [:]
        guard tokens.count >= order else { return counts }
        for start in 0...(tokens.count - order) { counts[tokens[start..<(start + order)], default: 0] += 1 }
        return counts
    }
}
