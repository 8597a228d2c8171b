import Core
import Foundation

/// The normalizers of a Hugging Face `tokenizer.json` that SeqLab implements; they rewrite the text
/// before it is split into words. Any other type is refused when the file is read, since skipping a
/// normalizer would silently give different ids.
enum Normalizer: Sendable, Equatable {
    /// Unicode default lowercase mapping, one character at a time (no context rules such as final
    /// sigma), as the reference does.
    case lowercase
    /// BERT's cleanup: drop control characters and turn whitespace into spaces, pad CJK ideographs
    /// with spaces so that each becomes a word, strip accents, lowercase.
    case bert(cleanText: Bool, chineseCharacters: Bool, stripAccents: Bool, lowercase: Bool)
    case sequence([Normalizer])

    static let supportedTypes = ["BertNormalizer", "Lowercase", "Sequence"]

    init(_ value: JSONValue, at path: String, reader: JSONReader) throws(TextError) {
        let type = try reader.string(reader.required("type", of: value, at: path), at: path + ".type")
        switch type {
        case "Lowercase":
            self = .lowercase
        case "BertNormalizer":
            func flag(_ key: String, default fallback: Bool) throws(TextError) -> Bool {
                guard let member = try reader.nonNull(key, of: value, at: path) else { return fallback }
                return try reader.bool(member, at: path + "." + key)
            }
            let lowercase = try flag("lowercase", default: true)
            // A null `strip_accents` follows `lowercase`: uncased BERT strips accents, cased BERT keeps them.
            self = .bert(cleanText: try flag("clean_text", default: true),
                         chineseCharacters: try flag("handle_chinese_chars", default: true),
                         stripAccents: try flag("strip_accents", default: lowercase), lowercase: lowercase)
        case "Sequence":
            let items = try reader.array(reader.required("normalizers", of: value, at: path), at: path + ".normalizers")
            var normalizers: [Normalizer] = []
            for (index, item) in items.enumerated() {
                normalizers.append(try Normalizer(item, at: "\(path).normalizers[\(index)]", reader: reader))
            }
            self = .sequence(normalizers)
        default:
            throw .unsupported(file: reader.file, path: path + ".type",
                               reason: "normalizer '\(type)' (supported: \(Self.supportedTypes.joined(separator: ", ")))")
        }
    }

    /// This normalizer as `tokenizer.json` writes it.
    var document: JSONValue {
        switch self {
        case .lowercase:
            .object([("type", .string("Lowercase"))])
        case .bert(let cleanText, let chineseCharacters, let stripAccents, let lowercase):
            .object([("type", .string("BertNormalizer")), ("clean_text", .bool(cleanText)),
                     ("handle_chinese_chars", .bool(chineseCharacters)), ("strip_accents", .bool(stripAccents)),
                     ("lowercase", .bool(lowercase))])
        case .sequence(let normalizers):
            .object([("type", .string("Sequence")), ("normalizers", .array(normalizers.map(\.document)))])
        }
    }

    func apply(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        switch self {
        case .lowercase:
            return Self.lowercased(text)
        case .bert(let cleanText, let chineseCharacters, let stripAccents, let lowercase):
            var out = text
            if cleanText { out = Self.cleaned(out) }
            if chineseCharacters { out = Self.spacedIdeographs(out) }
            if stripAccents { out = Self.accentsStripped(out) }
            if lowercase { out = Self.lowercased(out) }
            return out
        case .sequence(let normalizers):
            return normalizers.reduce(text) { $1.apply($0) }
        }
    }

    private static func lowercased(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        for scalar in text {
            if scalar.isASCII {
                let value = scalar.value
                out.append((0x41...0x5A).contains(value) ? Unicode.Scalar(value + 0x20)! : scalar)
            } else {
                out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return out
    }

    /// NUL, U+FFFD and control, format and private-use characters removed, then whitespace made a
    /// space. BERT keeps TAB, LF and CR as whitespace although they are control characters; the other
    /// controls that are whitespace (VT, FF, NEL) are removed, joining their neighbours, and
    /// unassigned code points are kept, as Hugging Face's `BertNormalizer` does.
    private static func cleaned(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.count)
        for scalar in text {
            if scalar == "\t" || scalar == "\n" || scalar == "\r" {
                out.append(" ")
                continue
            }
            if scalar.value == 0 || scalar.value == 0xFFFD { continue }
            switch scalar.properties.generalCategory {
            case .control, .format, .privateUse, .surrogate: continue
            default: out.append(scalar.properties.isWhitespace ? " " : scalar)
            }
        }
        return out
    }

    /// The CJK blocks of BERT's `_is_chinese_char`; Hangul and kana are not in them.
    static func isIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }

    private static func spacedIdeographs(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains(where: isIdeograph) else { return text }
        var out: [Unicode.Scalar] = []
        for scalar in text {
            if isIdeograph(scalar) { out += [" ", scalar, " "] } else { out.append(scalar) }
        }
        return out
    }

    /// Canonical decomposition, then every nonspacing mark dropped: `é` → `e`.
    private static func accentsStripped(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains(where: { !$0.isASCII }) else { return text }
        var string = String.UnicodeScalarView()
        string.append(contentsOf: text)
        return String(string).decomposedStringWithCanonicalMapping.unicodeScalars.filter {
            $0.properties.generalCategory != .nonspacingMark
        }
    }
}
