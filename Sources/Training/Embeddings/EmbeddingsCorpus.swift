import Data
import Embeddings
import Foundation
import Spec
import Text

/// The text word vectors learn from, as word2vec and gensim read it: every file of `data.corpus`, one
/// sentence per line (`\n`, `\r\n` or `\r`, as Python's universal newlines), words split at whitespace
/// as `str.split()` splits them, lowercased when `data.lowercase`; the words below `min_count` left out.
struct EmbeddingsCorpus {
    let vocabulary: EmbeddingVocabulary
    /// The sentences as vocabulary ids, cut into pieces of at most `Word2VecLearner.maxSentenceLength`
    /// words; sentences left with no word are dropped.
    let sentences: [[Int32]]
    /// Lines with words, and their words, before the vocabulary's cut.
    let rawSentences: Int
    let rawWords: Int

    /// Reads the corpus; learns the vocabulary, or uses `vocabulary` (an opened run's).
    init(_ spec: ExperimentSpec, locator: DataLocator, vocabulary given: EmbeddingVocabulary? = nil) throws {
        var lines: [[String]] = []
        for url in try locator.urls(for: spec.data.corpus) {
            var text = try DataLocator.readText(at: url)
            if spec.data.lowercase { text = text.lowercased() }
            lines += Self.sentences(of: text)
        }
        let vocabulary = given ?? EmbeddingVocabulary(sentences: lines, minCount: spec.model.minCount)
        (rawSentences, rawWords) = (lines.count, lines.reduce(0) { $0 + $1.count })
        guard vocabulary.count >= 2 else {
            throw EmbeddingsError.tooFewWords(corpus: spec.data.corpus, found: vocabulary.count, minCount: spec.model.minCount,
                                              words: rawWords)
        }
        self.vocabulary = vocabulary
        let length = Word2VecLearner.maxSentenceLength
        sentences = lines.flatMap { line in
            let ids = vocabulary.encode(line)
            return stride(from: 0, to: ids.count, by: length).map { Array(ids[$0..<min($0 + length, ids.count)]) }
        }
    }

    /// The non-empty lines of `text` as words.
    static func sentences(of text: String) -> [[String]] {
        text.unicodeScalars.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).compactMap { line in
            let words = line.split(whereSeparator: WordTokenizer.isPythonWhitespace).map { String(String.UnicodeScalarView($0)) }
            return words.isEmpty ? nil : words
        }
    }

    /// Consecutive sentences in groups of at least `words` words (the last group may hold fewer), as
    /// gensim cuts its jobs: a step's rate is set at the start of each group.
    func groups(of words: Int) -> [Range<Int>] {
        var groups: [Range<Int>] = [], (start, count) = (0, 0)
        for (index, sentence) in sentences.enumerated() {
            count += sentence.count
            if count >= words {
                groups.append(start..<index + 1)
                (start, count) = (index + 1, 0)
            }
        }
        if start < sentences.count { groups.append(start..<sentences.count) }
        return groups
    }

    /// Words in the sentences the model trains on.
    var trainingWords: Int { sentences.reduce(0) { $0 + $1.count } }
}
