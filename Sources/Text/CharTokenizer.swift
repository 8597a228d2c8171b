import Foundation

/// One token per Unicode scalar (what Python's `list(str)` gives, so vocabularies match d2l's and
/// nanoGPT's), e.g. d2l's Time Machine vocabulary of 28: `<unk>`, space, a–z.
public struct CharTokenizer: VocabularyTokenizer, Hashable {
    public static let kind = "char"

    public let vocabulary: Vocabulary
    public let preprocessor: Preprocessor
    /// The vocabulary keyed by scalar, so encoding never builds a String per character.
    private let scalarIDs: [Unicode.Scalar: Int]

    public init(vocabulary: Vocabulary, preprocessor: Preprocessor) {
        self.vocabulary = vocabulary
        self.preprocessor = preprocessor
        var scalarIDs: [Unicode.Scalar: Int] = [:]
        for (id, token) in vocabulary.tokens.enumerated() {
            let scalars = token.unicodeScalars
            if scalars.count == 1, !Self.isReserved(id, in: vocabulary) { scalarIDs[scalars.first!] = id }
        }
        self.scalarIDs = scalarIDs
    }

    public static func train(on text: String, options: TokenizerOptions) throws(TextError) -> CharTokenizer {
        let preprocessor = Preprocessor(lowercase: options.lowercase, normalization: options.normalization)
        let stream = preprocessor.lines(of: text).lazy.flatMap(\.unicodeScalars)
        let vocabulary = try Vocabulary.trained(on: stream, options: options) { String($0) }
        return CharTokenizer(vocabulary: vocabulary, preprocessor: preprocessor)
    }

    /// A tokenizer over a fixed table of one-scalar symbols whose first is a boundary (makemore's `.`,
    /// which starts and ends every name) that also stands for any character outside the table.
    public static func framed(symbols: [String]) -> CharTokenizer {
        CharTokenizer(vocabulary: Vocabulary(tokens: symbols, special: SpecialTokenIDs(unknown: 0)),
                      preprocessor: Preprocessor(lowercase: false, normalization: .none))
    }

    public static func load(_ data: Foundation.Data, file: String) throws(TextError) -> CharTokenizer {
        let (vocabulary, preprocessor) = try TokenizerFile.load(kind: kind, data, file: file) { token in
            let count = token.unicodeScalars.count
            return count == 1 ? nil : "a char token is one Unicode scalar, this one has \(count)"
        }
        return CharTokenizer(vocabulary: vocabulary, preprocessor: preprocessor)
    }

    public func encode(_ text: String) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count)
        for line in preprocessor.lines(of: text) {
            for scalar in line.unicodeScalars { ids.append(scalarIDs[scalar] ?? unknownID) }
        }
        return ids
    }

    public func decode(_ ids: [Int]) -> String {
        ids.map { vocabulary.token(for: $0) ?? vocabulary.tokens[unknownID] }.joined()
    }

    /// Reserved tokens never match text: a one-scalar reserved name must not capture that character.
    private static func isReserved(_ id: Int, in vocabulary: Vocabulary) -> Bool {
        let special = vocabulary.special
        return [special.unknown, special.padding, special.bos, special.eos].contains(id)
    }
}
