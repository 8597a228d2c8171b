import Foundation

/// The words a word-vector model learns, as word2vec and gensim keep them: every word seen at least
/// `min_count` times, most frequent first, with its count. Equal counts keep their order of first
/// appearance (the references sort unstably; a stable order makes runs repeatable).
/// Words below the threshold are dropped from the sentences, not replaced.
public struct EmbeddingVocabulary: Sendable, Equatable {
    public let words: [String]
    public let counts: [Int]
    private let index: [String: Int32]

    public init(words: [String], counts: [Int]) {
        self.words = words
        self.counts = counts
        index = Dictionary(words.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { first, _ in first })
    }

    /// The vocabulary of `sentences` at `minCount`.
    public init<S: Sequence>(sentences: S, minCount: Int) where S.Element == [String] {
        var counts: [String: Int] = [:], order: [String] = []
        for sentence in sentences {
            for word in sentence {
                if let count = counts[word] {
                    counts[word] = count + 1
                } else {
                    counts[word] = 1
                    order.append(word)
                }
            }
        }
        // A stable sort over first appearance keeps equal counts in that order.
        let kept = order.filter { counts[$0, default: 0] >= minCount }
        let sorted = kept.enumerated().sorted { a, b in
            let (x, y) = (counts[a.element]!, counts[b.element]!)
            return x != y ? x > y : a.offset < b.offset
        }.map(\.element)
        self.init(words: sorted, counts: sorted.map { counts[$0]! })
    }

    public var count: Int { words.count }
    /// Occurrences of the vocabulary's words in the corpus: the words a pass trains on before subsampling.
    public var totalCount: Int { counts.reduce(0, +) }

    public subscript(word: String) -> Int32? { index[word] }

    /// A sentence as ids, its out-of-vocabulary words left out (word2vec's rule).
    public func encode(_ sentence: [String]) -> [Int32] { sentence.compactMap { index[$0] } }

    /// word2vec's down-sampling of frequent words (Mikolov et al. 2013, as word2vec.c and gensim
    /// compute it): a word of count c is kept with probability (√(c/t) + 1)·t/c, t = `sample` × the
    /// total count, capped at 1; `sample` 0 keeps every word.
    public func keepProbabilities(sample: Double) -> [Double] {
        guard sample > 0 else { return counts.map { _ in 1 } }
        let threshold = sample * Double(totalCount)
        return counts.map { count in
            let c = Double(count)
            return min(1, ((c / threshold).squareRoot() + 1) * threshold / c)
        }
    }

    /// `word<TAB>count` lines, most frequent first: a run's `vocabulary.tsv`.
    public var tsv: String { zip(words, counts).map { "\($0)\t\($1)\n" }.joined() }

    /// The vocabulary a `tsv` wrote; a malformed line is named.
    public static func read(tsv text: String, path: String) throws(EmbeddingsError) -> EmbeddingVocabulary {
        var words: [String] = [], counts: [Int] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2, !fields[0].isEmpty, let count = Int(fields[1]), count > 0 else {
                throw .malformedLine(file: path, line: number + 1, expected: "a word, a tab and its count")
            }
            words.append(String(fields[0]))
            counts.append(count)
        }
        guard words.count >= 2 else { throw .malformedLine(file: path, line: 1, expected: "at least two words") }
        return EmbeddingVocabulary(words: words, counts: counts)
    }
}
