import Foundation

/// One token per whitespace-separated word; decoding joins words with one space. With
/// `normalization: .letters` this is d2l's word-level Time Machine (`tokenize(lines, 'word')`):
/// each cleaned line is split on spaces and the lines' words are concatenated.
public struct WordTokenizer: VocabularyTokenizer, Hashable {
    public static let kind = "word"

    public let vocabulary: Vocabulary
    public let preprocessor: Preprocessor

    public init(vocabulary: Vocabulary, preprocessor: Preprocessor) {
        self.vocabulary = vocabulary
        self.preprocessor = preprocessor
    }

    public static func train(on text: String, options: TokenizerOptions) throws(TextError) -> WordTokenizer {
        let preprocessor = Preprocessor(lowercase: options.lowercase, normalization: options.normalization)
        let vocabulary = try Vocabulary.trained(on: words(of: text, preprocessor), options: options) { $0 }
        return WordTokenizer(vocabulary: vocabulary, preprocessor: preprocessor)
    }

    public static func load(_ data: Foundation.Data, file: String) throws(TextError) -> WordTokenizer {
        let (vocabulary, preprocessor) = try TokenizerFile.load(kind: kind, data, file: file) { token in
            if token.isEmpty { return "a word token cannot be empty" }
            return token.unicodeScalars.contains(where: isPythonWhitespace)
                ? "a word token cannot contain whitespace (it could never be matched)" : nil
        }
        return WordTokenizer(vocabulary: vocabulary, preprocessor: preprocessor)
    }

    public func encode(_ text: String) -> [Int] {
        Self.words(of: text, preprocessor).map { vocabulary.id(for: $0) ?? unknownID }
    }

    public func decode(_ ids: [Int]) -> String {
        ids.map { vocabulary.token(for: $0) ?? vocabulary.tokens[unknownID] }.joined(separator: " ")
    }

    /// Python's `str.split()`: runs of whitespace separate words, none are empty. By scalars, as
    /// Python splits code points: a combining mark after a space (WikiText's lone virama "्") is a
    /// word, where a split on Characters would fold it into the space's grapheme cluster.
    static func words(of text: String, _ preprocessor: Preprocessor) -> [String] {
        preprocessor.lines(of: text).flatMap { line in
            line.unicodeScalars.split(whereSeparator: isPythonWhitespace).map { String(String.UnicodeScalarView($0)) }
        }
    }

    /// `str.isspace()` of one code point: Unicode's White_Space, and the separators U+001C…U+001F.
    public static func isPythonWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
    }
}
