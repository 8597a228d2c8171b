import Core
import Foundation

/// A tokenizer read from a Hugging Face `tokenizers` file (`tokenizer.json`): added tokens, normalizer,
/// pre-tokenizer, BPE or WordPiece model and decoder, each reproducing the reference exactly. A file
/// with a part SeqLab does not implement is refused with the JSON path of that part, never encoded
/// approximately.
///
/// `post_processor` is read past: it only adds special tokens around a sequence, and `encode` adds
/// none. The reserved roles come from the special added tokens by their usual names (`[PAD]`/`<pad>`,
/// `<s>`/`<bos>`/`[CLS]`, `</s>`/`<eos>`/`[SEP]`/`<|endoftext|>`), since the format does not record them.
public struct HuggingFaceTokenizer: Tokenizer {
    public static let kind = "huggingface"

    private enum Model: Sendable {
        case bpe(BPEModel)
        case wordPiece(WordPieceModel)
    }

    private let table: TokenTable
    private let added: AddedTokens
    private let normalizer: Normalizer?
    private let preTokenizer: PreTokenizer?
    private let model: Model
    private let decoder: TokenDecoder
    /// The file as read, which `save(to:)` writes back unchanged.
    private let source: Foundation.Data

    public let unknownID: Int
    public let paddingID: Int?
    public let bosID: Int?
    public let eosID: Int?

    private static let roleNames = (padding: ["[PAD]", "<pad>", "<|pad|>"],
                                    bos: ["<bos>", "<s>", "[CLS]", "<|begin_of_text|>"],
                                    eos: ["<eos>", "</s>", "[SEP]", "<|endoftext|>", "<|end_of_text|>"])

    public static func load(_ data: Foundation.Data, file: String) throws(TextError) -> HuggingFaceTokenizer {
        try HuggingFaceTokenizer(source: data, file: file)
    }

    /// Reads a `tokenizer.json` held in memory; `file` names it in errors.
    public init(source: Foundation.Data, file: String) throws(TextError) {
        let reader = JSONReader(file: file)
        let root = try reader.parse(source)
        self.source = source
        for key in ["truncation", "padding"] where try reader.nonNull(key, of: root, at: "$") != nil {
            throw .unsupported(file: file, path: "$." + key,
                               reason: "\(key) inside tokenizer.json (it changes what encode returns; set it to null)")
        }
        let modelValue = try reader.required("model", of: root, at: "$")
        var vocabulary = TokenTable()
        let vocabPath = "$.model.vocab"
        guard case .object(let members) = try reader.required("vocab", of: modelValue, at: "$.model") else {
            throw .malformed(file: file, path: vocabPath, reason: "expected an object of token → id")
        }
        for (token, value) in members {
            let path = vocabPath + "[" + doubleQuoted(token) + "]"
            if let problem = vocabulary.insert(token, id: try reader.integer(value, at: path)) {
                throw .malformed(file: file, path: path, reason: problem)
            }
        }
        let type = try reader.string(reader.required("type", of: modelValue, at: "$.model"), at: "$.model.type")
        let model: Model
        switch type {
        case "BPE": model = .bpe(try BPEModel(modelValue, vocabulary: vocabulary, reader: reader))
        case "WordPiece": model = .wordPiece(try WordPieceModel(modelValue, vocabulary: vocabulary, reader: reader))
        default:
            throw .unsupported(file: file, path: "$.model.type", reason: "model '\(type)' (supported: BPE, WordPiece)")
        }
        self.model = model

        added = try AddedTokens(reader.nonNull("added_tokens", of: root, at: "$"), reader: reader)
        var table = vocabulary
        for (index, entry) in added.entries.enumerated() {
            if let problem = table.insert(TokenTable.string(entry.content), id: entry.id) {
                throw .malformed(file: file, path: "$.added_tokens[\(index)]", reason: problem)
            }
        }
        self.table = table

        normalizer = try reader.nonNull("normalizer", of: root, at: "$").map { value throws(TextError) in
            try Normalizer(value, at: "$.normalizer", reader: reader)
        }
        preTokenizer = try reader.nonNull("pre_tokenizer", of: root, at: "$").map { value throws(TextError) in
            try PreTokenizer(value, at: "$.pre_tokenizer", reader: reader)
        }
        decoder = try TokenDecoder(reader.nonNull("decoder", of: root, at: "$"), at: "$.decoder", reader: reader)

        let specials = added.entries.filter(\.special)
        func role(_ names: [String]) -> Int? {
            names.lazy.compactMap { name in specials.first { TokenTable.string($0.content) == name }?.id }.first
        }
        paddingID = role(Self.roleNames.padding)
        bosID = role(Self.roleNames.bos)
        eosID = role(Self.roleNames.eos)
        switch model {
        case .bpe(let bpe) where bpe.unknownID == nil:
            // Byte-level BPE has no unknown token (no input is unknown to it); the protocol wants an id
            // anyway, and GPT-2's convention lets its one special token stand in.
            guard let standIn = specials.first?.id else {
                throw .unsupported(file: file, path: "$.model.unk_token",
                                   reason: "a tokenizer with neither an unknown token nor a special token to stand in for one")
            }
            unknownID = standIn
        case .bpe(let bpe): unknownID = bpe.unknownID!
        case .wordPiece(let wordPiece): unknownID = wordPiece.unknownID
        }
    }

    public func save(to url: URL) throws(TextError) {
        do {
            try source.write(to: url, options: .atomic)
        } catch {
            throw TextError.unwritable(url, error)
        }
    }

    public var vocabularySize: Int { table.count }

    public func token(for id: Int) -> String? { table.token(for: id) }

    public func id(for token: String) -> Int? { table.id(for: Array(token.unicodeScalars)) }

    /// Added tokens found in `text` become their ids; the text between them is normalized, cut into
    /// words and encoded word by word. No special tokens are added around the result.
    public func encode(_ text: String) -> [Int] {
        let scalars = Array(text.unicodeScalars)
        var ids: [Int] = []
        ids.reserveCapacity(scalars.count / 3)
        for segment in added.split(scalars) {
            switch segment {
            case .token(let id):
                ids.append(id)
            case .text(let range):
                var piece = Array(scalars[range])
                if let normalizer { piece = normalizer.apply(piece) }
                let words = preTokenizer?.words(piece) ?? (piece.isEmpty ? [] : [piece])
                for word in words {
                    switch model {
                    case .bpe(let bpe): bpe.encode(word, into: &ids)
                    case .wordPiece(let wordPiece): wordPiece.encode(word, into: &ids)
                    }
                }
            }
        }
        return ids
    }

    /// What the reference decoder gives for these ids, special tokens included as their text.
    public func decode(_ ids: [Int]) -> String {
        let unknown = table.token(for: unknownID) ?? ""
        return decoder.decode(ids.map { table.token(for: $0) ?? unknown })
    }
}

extension JSONReader {
    /// A member that is present and not null; the `tokenizer.json` format writes null for "not set".
    func nonNull(_ key: String, of object: JSONValue, at path: String) throws(TextError) -> JSONValue? {
        guard let value = try member(key, of: object, at: path) else { return nil }
        if case .null = value { return nil }
        return value
    }
}
