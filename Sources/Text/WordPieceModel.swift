import Core

/// The WordPiece model of a Hugging Face `tokenizer.json` (BERT): each word is cut greedily into the
/// longest vocabulary entries from the left, every piece after the first carrying the continuation
/// prefix (`##`). A word with any part that matches nothing, or longer than `max_input_chars_per_word`
/// characters, becomes the unknown token as a whole.
struct WordPieceModel: Sendable {
    static let defaultPrefix = "##"
    static let defaultMaxCharacters = 100

    private let vocabulary: TokenTable
    let unknownID: Int
    private let prefix: [Unicode.Scalar]
    private let maxCharacters: Int

    init(_ model: JSONValue, vocabulary: TokenTable, reader: JSONReader) throws(TextError) {
        let path = "$.model"
        self.vocabulary = vocabulary
        let unknown = try reader.string(reader.nonNull("unk_token", of: model, at: path) ?? .string("[UNK]"),
                                        at: path + ".unk_token")
        guard let unknownID = vocabulary.id(for: Array(unknown.unicodeScalars)) else {
            throw .malformed(file: reader.file, path: path + ".unk_token",
                             reason: "\(doubleQuoted(unknown)) is not in $.model.vocab")
        }
        self.unknownID = unknownID
        prefix = Array(try reader.string(reader.nonNull("continuing_subword_prefix", of: model, at: path)
            ?? .string(Self.defaultPrefix), at: path + ".continuing_subword_prefix").unicodeScalars)
        maxCharacters = try reader.integer(reader.nonNull("max_input_chars_per_word", of: model, at: path)
            ?? .int(Self.defaultMaxCharacters), at: path + ".max_input_chars_per_word")
    }

    /// Appends the ids of one pre-tokenized word.
    func encode(_ word: [Unicode.Scalar], into ids: inout [Int]) {
        guard word.count <= maxCharacters else {
            ids.append(unknownID)
            return
        }
        var pieces: [Int] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int?
            while start < end {
                let candidate = start > 0 ? prefix + word[start..<end] : Array(word[start..<end])
                if let id = vocabulary.id(for: candidate) {
                    found = id
                    break
                }
                end -= 1
            }
            guard let found else {
                ids.append(unknownID)
                return
            }
            pieces.append(found)
            start = end
        }
        ids.append(contentsOf: pieces)
    }
}
