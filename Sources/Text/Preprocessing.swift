/// How raw text is cleaned before it is split into tokens. Training and encoding apply the same
/// preprocessing, so a prompt is cleaned exactly like the corpus was.
public enum TextNormalization: String, Hashable, Sendable, CaseIterable {
    /// The text as it is (then lowercased if asked).
    case none
    /// Dive into Deep Learning's Time Machine cleaning (`d2l.read_time_machine`): every line becomes
    /// `re.sub('[^A-Za-z]+', ' ', line).strip().lower()`. The lines are then concatenated with nothing
    /// between them, as d2l's corpus is the concatenation of every line's tokens, so the last word of
    /// one line touches the first word of the next at char level.
    case letters
}

/// Everything that decides how text becomes tokens and which tokens make the vocabulary. The
/// vocabulary options (`minFrequency`, `maxSize`, `reserved`) matter only when training; the
/// preprocessing options (`lowercase`, `normalization`) are saved with the tokenizer and applied on
/// every encode.
public struct TokenizerOptions: Hashable, Sendable {
    /// Lowercase the text before tokenizing. `normalization: .letters` lowercases anyway.
    public var lowercase: Bool
    public var normalization: TextNormalization
    /// Tokens seen fewer times than this in the training text are left out (and encode to `<unk>`).
    public var minFrequency: Int
    /// The most entries the vocabulary may hold, reserved tokens included; nil for no limit. The least
    /// frequent tokens are dropped first; a subword tokenizer merges until it has this many (its
    /// `vocab_size`, required).
    public var maxSize: Int?
    /// Reserved tokens besides `<unk>`, which is always present at id 0. They follow it in the fixed
    /// order `<pad>`, `<bos>`, `<eos>`, whatever order they are listed in.
    public var reserved: Set<ReservedToken>
    /// Which pipeline `HuggingFaceTokenizer.train` builds; the char and word tokenizers ignore it.
    public var pipeline: SubwordPipeline
    /// A subword tokenizer's special tokens, which take the first ids in this order; nil for the
    /// pipeline's usual ones. The char and word tokenizers use `reserved` instead.
    public var specialTokens: [String]?

    public init(lowercase: Bool = false, normalization: TextNormalization = .none, minFrequency: Int = 1,
                maxSize: Int? = nil, reserved: Set<ReservedToken> = [], pipeline: SubwordPipeline = .byteLevelBPE,
                specialTokens: [String]? = nil) {
        self.lowercase = lowercase
        self.normalization = normalization
        self.minFrequency = minFrequency
        self.maxSize = maxSize
        self.reserved = reserved
        self.pipeline = pipeline
        self.specialTokens = specialTokens
    }
}

/// The reserved tokens, in the order they take the first ids.
public enum ReservedToken: String, Hashable, Sendable, CaseIterable {
    case unknown = "<unk>"
    case padding = "<pad>"
    case bos = "<bos>"
    case eos = "<eos>"
}

/// The preprocessing half of `TokenizerOptions`, the part a trained tokenizer keeps.
public struct Preprocessor: Hashable, Sendable {
    public var lowercase: Bool
    public var normalization: TextNormalization

    public init(lowercase: Bool, normalization: TextNormalization) {
        self.lowercase = lowercase
        self.normalization = normalization
    }

    /// The cleaned lines whose tokens, concatenated, form the token stream. Without normalization the
    /// whole text is one "line", so a char tokenizer sees its newlines as tokens (tinyshakespeare's 65
    /// symbols include `\n`).
    public func lines(of text: String) -> [String] {
        switch normalization {
        case .none:
            return [lowercase ? text.lowercased() : text]
        case .letters:
            // Split by scalars: "\r\n" is one Character, which a split on Characters would not cut.
            return text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { Self.lettersOnly($0) }
        }
    }

    /// `re.sub('[^A-Za-z]+', ' ', line).strip().lower()`: only ASCII letters count as letters, as in
    /// the regular expression, so accented letters become spaces too.
    static func lettersOnly(_ line: Substring.UnicodeScalarView) -> String {
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in line {
            switch scalar.value {
            case 0x41...0x5A, 0x61...0x7A:
                if pendingSpace && !scalars.isEmpty { scalars.append(" ") }
                pendingSpace = false
                // ASCII lowercase is `| 0x20`, exactly Python's lower() on these letters.
                scalars.append(Unicode.Scalar(scalar.value | 0x20)!)
            default:
                pendingSpace = true
            }
        }
        return String(scalars)
    }
}
