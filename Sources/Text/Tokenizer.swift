import Core
import Foundation

/// Turns text into token ids and back: char and word tokenizers, and Hugging Face `tokenizer.json`
/// pipelines (BPE, byte-level BPE, WordPiece), so everything downstream (data, training, sampling,
/// `runner tokenize`) talks to this protocol only.
///
/// Every tokenizer has an unknown token that unseen input encodes to (byte-level BPE, which has none,
/// names its first special token); the other reserved tokens are optional. A tokenizer saves itself
/// as one JSON file (`tokenizer.json` in a run directory): SeqLab's own format with a `"kind"` for char
/// and word, Hugging Face's (with a `"model"`) for the subword pipelines; `TokenizerFile.load(from:)`
/// tells them apart. Subword tokenizers train through `HuggingFaceTokenizer.train`, which reads the
/// pipeline from `TokenizerOptions.pipeline`.
public protocol Tokenizer: Sendable {
    /// The `"kind"` written to `tokenizer.json`, and the spec's `tokenizer.kind`.
    static var kind: String { get }

    /// Learns a vocabulary from `text`.
    static func train(on text: String, options: TokenizerOptions) throws(TextError) -> Self

    /// Reads a tokenizer saved by `save(to:)` from its bytes; `file` names it in errors.
    static func load(_ data: Foundation.Data, file: String) throws(TextError) -> Self

    func save(to url: URL) throws(TextError)

    /// The number of ids, reserved tokens included: the model's vocabulary dimension V.
    var vocabularySize: Int { get }

    /// The token an id stands for; nil outside `0..<vocabularySize`.
    func token(for id: Int) -> String?

    /// The id of a token exactly as stored (already preprocessed); nil when it is not in the vocabulary.
    func id(for token: String) -> Int?

    var unknownID: Int { get }
    var paddingID: Int? { get }
    var bosID: Int? { get }
    var eosID: Int? { get }

    /// Preprocesses `text` as in training and maps each token to its id, unseen ones to `unknownID`.
    func encode(_ text: String) -> [Int]

    /// The text of `ids`. Reserved tokens are written as themselves (`<unk>`); an id outside the
    /// vocabulary is written as the unknown token, since a sampler can never produce one and a
    /// display should not crash on one.
    func decode(_ ids: [Int]) -> String
}

extension Tokenizer {
    /// Reads a tokenizer saved by `save(to:)`.
    public static func load(from url: URL) throws(TextError) -> Self {
        try load(TokenizerFile.read(url), file: url.path)
    }
}

/// The `tokenizer.json` format of the char and word tokenizers (SeqLab's own; BPE and WordPiece use
/// Hugging Face's `tokenizers` format, see `HuggingFaceTokenizer`). Keys, in the order written:
///
///     {
///       "format": "seqlab-tokenizer",     fixed; tells this file apart from a Hugging Face one
///       "version": 1,                     bumped on any incompatible change
///       "kind": "char",                   "char" | "word"
///       "lowercase": true,                preprocessing applied on every encode
///       "normalize": "letters",           "none" | "letters" (see `TextNormalization`)
///       "special_tokens": {               roles → token text; "unknown" is required, the rest optional
///         "unknown": "<unk>", "padding": "<pad>", "bos": "<bos>", "eos": "<eos>"
///       },
///       "vocabulary": ["<unk>", " ", "e", …]   id = position; char tokens are one Unicode scalar each
///     }
public enum TokenizerFile {
    public static let format = "seqlab-tokenizer"
    public static let version = 1
    public static let knownKinds = [CharTokenizer.kind, WordTokenizer.kind]

    /// Reads any tokenizer file, whatever its kind.
    public static func load(from url: URL) throws(TextError) -> any Tokenizer {
        try load(read(url), file: url.path)
    }

    /// Any tokenizer file's bytes; `file` names it in errors. A Hugging Face `tokenizer.json` has a
    /// `"model"` object where SeqLab's own files have a `"kind"`.
    public static func load(_ data: Foundation.Data, file: String) throws(TextError) -> any Tokenizer {
        let reader = JSONReader(file: file)
        let root = try reader.parse(data)
        if try reader.member("model", of: root, at: "$") != nil { return try HuggingFaceTokenizer(source: data, file: file) }
        let kind = try reader.string(reader.required("kind", of: root, at: "$"), at: "$.kind")
        switch kind {
        case CharTokenizer.kind: return try CharTokenizer.load(data, file: file)
        case WordTokenizer.kind: return try WordTokenizer.load(data, file: file)
        default: throw .unknownKind(file: file, kind: kind, known: knownKinds)
        }
    }

    /// The bytes of the tokenizer file at `url`.
    static func read(_ url: URL) throws(TextError) -> Foundation.Data {
        do {
            return try readFileBytes(atPath: url.path)
        } catch {
            throw .unreadable(file: url.path, reason: error.reason)
        }
    }

    /// Writes a vocabulary-based tokenizer atomically (a reader never sees half a file).
    static func save(kind: String, vocabulary: Vocabulary, preprocessor: Preprocessor,
                     to url: URL) throws(TextError) {
        let roles: [(String, Int?)] = [("unknown", vocabulary.special.unknown), ("padding", vocabulary.special.padding),
                                       ("bos", vocabulary.special.bos), ("eos", vocabulary.special.eos)]
        let document = JSONValue.object([
            ("format", .string(format)),
            ("version", .int(version)),
            ("kind", .string(kind)),
            ("lowercase", .bool(preprocessor.lowercase)),
            ("normalize", .string(preprocessor.normalization.rawValue)),
            ("special_tokens", .object(JSONObject(ordered: roles.compactMap { role, id in
                id.map { (role, JSONValue.string(vocabulary.tokens[$0])) }
            }))),
            ("vocabulary", .array(vocabulary.tokens.map { .string($0) })),
        ])
        do {
            try Foundation.Data((document.pretty + "\n").utf8).write(to: url, options: .atomic)
        } catch {
            throw TextError.unwritable(url, error)
        }
    }

    /// Reads and checks a vocabulary-based tokenizer of the given kind. `validate` vets each ordinary
    /// (non-reserved) token and returns why it is unacceptable, or nil.
    static func load(kind: String, _ data: Foundation.Data, file: String,
                     validate: (String) -> String? = { _ in nil }) throws(TextError) -> (Vocabulary, Preprocessor) {
        let reader = JSONReader(file: file)
        let root = try reader.parse(data)
        let formatName = try reader.string(reader.required("format", of: root, at: "$"), at: "$.format")
        guard formatName == format else {
            throw .malformed(file: file, path: "$.format", reason: "expected \"\(format)\", found \"\(formatName)\"")
        }
        let fileVersion = try reader.integer(reader.required("version", of: root, at: "$"), at: "$.version")
        guard fileVersion == version else {
            throw .unsupportedVersion(file: file, version: fileVersion, supported: version)
        }
        let fileKind = try reader.string(reader.required("kind", of: root, at: "$"), at: "$.kind")
        guard fileKind == kind else {
            throw knownKinds.contains(fileKind)
                ? .malformed(file: file, path: "$.kind", reason: "this is a '\(fileKind)' tokenizer, not '\(kind)'")
                : .unknownKind(file: file, kind: fileKind, known: knownKinds)
        }
        let lowercase = try reader.bool(reader.required("lowercase", of: root, at: "$"), at: "$.lowercase")
        let normalizeName = try reader.string(reader.required("normalize", of: root, at: "$"), at: "$.normalize")
        guard let normalization = TextNormalization(rawValue: normalizeName) else {
            throw .malformed(file: file, path: "$.normalize", reason: "unknown normalization '\(normalizeName)' "
                + "(known: \(TextNormalization.allCases.map(\.rawValue).joined(separator: ", ")))")
        }

        let items = try reader.array(reader.required("vocabulary", of: root, at: "$"), at: "$.vocabulary")
        var tokens: [String] = []
        var positions: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let token = try reader.string(item, at: "$.vocabulary[\(index)]")
            if let earlier = positions.updateValue(index, forKey: token) {
                throw .malformed(file: file, path: "$.vocabulary[\(index)]",
                                 reason: "\(doubleQuoted(token)) already appears at index \(earlier)")
            }
            tokens.append(token)
        }

        let specialPath = "$.special_tokens"
        let specials = try reader.required("special_tokens", of: root, at: "$")
        func roleID(_ role: String) throws(TextError) -> Int? {
            guard let value = try reader.member(role, of: specials, at: specialPath) else { return nil }
            let token = try reader.string(value, at: "\(specialPath).\(role)")
            guard let id = positions[token] else {
                throw .malformed(file: file, path: "\(specialPath).\(role)",
                                 reason: "\(doubleQuoted(token)) is not in $.vocabulary")
            }
            return id
        }
        guard let unknown = try roleID("unknown") else {
            throw .malformed(file: file, path: "\(specialPath).unknown", reason: "missing; every tokenizer needs one")
        }
        let special = SpecialTokenIDs(unknown: unknown, padding: try roleID("padding"), bos: try roleID("bos"),
                                      eos: try roleID("eos"))
        let reservedIDs = Set([special.unknown, special.padding, special.bos, special.eos].compactMap { $0 })
        for (index, token) in tokens.enumerated() where !reservedIDs.contains(index) {
            if let problem = validate(token) {
                throw .malformed(file: file, path: "$.vocabulary[\(index)]", reason: problem)
            }
        }
        return (Vocabulary(tokens: tokens, special: special),
                Preprocessor(lowercase: lowercase, normalization: normalization))
    }
}
