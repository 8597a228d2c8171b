/// What can go wrong with word vectors and their evaluation files; each says what to do.
public enum EmbeddingsError: Error, Equatable, CustomStringConvertible {
    case malformedLine(file: String, line: Int, expected: String)
    case unknownWord(String, vocabularySize: Int)
    case tooFewWords(corpus: String, found: Int, minCount: Int, words: Int)
    case noCooccurrences(window: Int)

    /// Each is a mistake in what the user gave (a corpus, an evaluation file, a query word): 64.
    public var exitCode: Int32 { 64 }

    public var description: String {
        switch self {
        case .malformedLine(let file, let line, let expected):
            "\(file):\(line): expected \(expected)"
        case .unknownWord(let word, let size):
            "'\(word)' is not in the model's vocabulary (\(size) words)\n  hint: words below min_count are left out; "
                + "`runner similar RUN WORD` takes a word as the corpus writes it (lowercased when data.lowercase)"
        case .tooFewWords(let corpus, let found, let minCount, let words):
            "the corpus \(corpus) has \(found) distinct word\(found == 1 ? "" : "s") seen at least min_count = \(minCount) times "
                + "(of \(words) words in all); word vectors need at least 2\n  hint: lower model.min_count or use a larger corpus"
        case .noCooccurrences(let window):
            "no two vocabulary words of the corpus share a sentence within window \(window): GloVe has nothing to fit\n"
                + "  hint: lower model.min_count, or use a corpus with more than one known word a line"
        }
    }
}
