import Foundation

/// A word-similarity benchmark (WordSim-353, SimLex-999): word pairs with human similarity scores,
/// and how well a model's cosines rank them, as gensim's `evaluate_word_pairs` measures it.
public struct WordPairs: Sendable {
    public struct Pair: Sendable, Equatable {
        public let first: String
        public let second: String
        public let score: Double
    }

    public let pairs: [Pair]

    /// Lines of `word<TAB>word<TAB>score`; `#` lines and blank lines are comments. A line that is not
    /// three tab-separated fields with a numeric score is named by file and line.
    public init(text: String, path: String) throws(EmbeddingsError) {
        var pairs: [Pair] = []
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            guard !line.allSatisfy(\.isWhitespace), !line.hasPrefix("#") else { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3, !fields[0].isEmpty, !fields[1].isEmpty,
                  let score = Double(fields[2].trimmingCharacters(in: .whitespaces)) else {
                throw .malformedLine(file: path, line: number + 1, expected: "two words and a score, separated by tabs")
            }
            pairs.append(Pair(first: String(fields[0]), second: String(fields[1]), score: score))
        }
        self.pairs = pairs
    }

    public struct Score: Sendable, Equatable {
        /// Spearman's ρ between the human scores and the cosines of the pairs the model knows.
        public let spearman: Double
        /// The pairs left out because a word is not in the vocabulary, in percent of all.
        public let oovPercent: Double
        public let scored: Int
    }

    /// The score of `vectors`; words are compared case-insensitively, the most frequent spelling
    /// winning (gensim's `case_insensitive=True`), and pairs with an unknown word are skipped.
    public func score(_ vectors: WordVectors) -> Score {
        let folded = CaseFoldedVocabulary(vectors.words)
        var human: [Double] = [], model: [Double] = []
        for pair in pairs {
            guard let a = folded[pair.first], let b = folded[pair.second],
                  let similarity = try? vectors.similarity(vectors.words[a], vectors.words[b]) else { continue }
            human.append(pair.score)
            model.append(Double(similarity))
        }
        let oov = pairs.isEmpty ? 0 : Double(pairs.count - human.count) / Double(pairs.count) * 100
        return Score(spearman: Self.spearman(human, model), oovPercent: oov, scored: human.count)
    }

    /// Spearman's ρ: Pearson's correlation of the ranks, tied values sharing their mean rank
    /// (scipy's `spearmanr`); NaN for fewer than two pairs or a constant side.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double {
        guard x.count == y.count, x.count >= 2 else { return .nan }
        return pearson(ranks(x), ranks(y))
    }

    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count, values[order[end + 1]] == values[order[start]] { end += 1 }
            let mean = Double(start + end) / 2 + 1
            for k in start...end { ranks[order[k]] = mean }
            start = end + 1
        }
        return ranks
    }

    static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count)
        let (mx, my) = (x.reduce(0, +) / n, y.reduce(0, +) / n)
        var (sxy, sxx, syy) = (0.0, 0.0, 0.0)
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : .nan
    }
}

/// A vocabulary looked up case-insensitively: each upper-cased spelling maps to its most frequent
/// word (the lowest id), as gensim builds `ok_vocab` from the reversed word list.
struct CaseFoldedVocabulary {
    private let index: [String: Int]

    init(_ words: [String], limit: Int? = nil) {
        var index: [String: Int] = [:]
        for (id, word) in words.prefix(limit ?? words.count).enumerated() where index[word.uppercased()] == nil {
            index[word.uppercased()] = id
        }
        self.index = index
    }

    subscript(word: String) -> Int? { index[word.uppercased()] }
}
