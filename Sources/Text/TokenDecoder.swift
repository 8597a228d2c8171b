import Core
import Foundation

/// The decoders of a Hugging Face `tokenizer.json` that SeqLab implements: they turn tokens back into
/// text. Any other type is refused when the file is read.
enum TokenDecoder: Sendable, Equatable {
    /// No decoder in the file: the reference joins the tokens with single spaces.
    case spaces
    /// Stand-in characters back to bytes, bytes to UTF-8 (see `ByteLevel`).
    case byteLevel
    /// A token with the continuation prefix joins the one before it, any other is preceded by a space;
    /// `cleanup` undoes BERT's spacing around punctuation and contractions.
    case wordPiece(prefix: String, cleanup: Bool)

    static let supportedTypes = ["ByteLevel", "WordPiece"]

    init(_ value: JSONValue?, at path: String, reader: JSONReader) throws(TextError) {
        guard let value else {
            self = .spaces
            return
        }
        let type = try reader.string(reader.required("type", of: value, at: path), at: path + ".type")
        switch type {
        case "ByteLevel":
            self = .byteLevel
        case "WordPiece":
            let prefix = try reader.string(reader.nonNull("prefix", of: value, at: path) ?? .string(WordPieceModel.defaultPrefix),
                                           at: path + ".prefix")
            let cleanup = try reader.bool(reader.nonNull("cleanup", of: value, at: path) ?? .bool(true),
                                          at: path + ".cleanup")
            self = .wordPiece(prefix: prefix, cleanup: cleanup)
        default:
            throw .unsupported(file: reader.file, path: path + ".type",
                               reason: "decoder '\(type)' (supported: \(Self.supportedTypes.joined(separator: ", ")))")
        }
    }

    /// This decoder as `tokenizer.json` writes it.
    var document: JSONValue {
        switch self {
        case .spaces: .null
        case .byteLevel:
            .object([("type", .string("ByteLevel")), ("add_prefix_space", .bool(true)), ("trim_offsets", .bool(true)),
                     ("use_regex", .bool(true))])
        case .wordPiece(let prefix, let cleanup):
            .object([("type", .string("WordPiece")), ("prefix", .string(prefix)), ("cleanup", .bool(cleanup))])
        }
    }

    func decode(_ tokens: [String]) -> String {
        switch self {
        case .spaces:
            return tokens.joined(separator: " ")
        case .byteLevel:
            return ByteLevel.decode(tokens)
        case .wordPiece(let prefix, let cleanup):
            var text = ""
            for (index, token) in tokens.enumerated() {
                var piece = token
                if index > 0 {
                    if piece.hasPrefix(prefix) { piece.removeFirst(prefix.count) } else { piece = " " + piece }
                }
                // The reference cleans each token on its own, so only a space the token itself carries
                // (the one just added) can be removed.
                text += cleanup ? Self.cleaned(piece) : piece
            }
            return text
        }
    }

    private static let cleanups = [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                                   (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")]

    private static func cleaned(_ piece: String) -> String {
        cleanups.reduce(piece) { $0.replacingOccurrences(of: $1.0, with: $1.1, options: .literal) }
    }
}
