import Foundation

/// The ids of the reserved tokens a vocabulary holds. `<unk>` is always there, at id 0.
public struct SpecialTokenIDs: Hashable, Sendable {
    public var unknown: Int
    public var padding: Int?
    public var bos: Int?
    public var eos: Int?

    public init(unknown: Int, padding: Int? = nil, bos: Int? = nil, eos: Int? = nil) {
        self.unknown = unknown
        self.padding = padding
        self.bos = bos
        self.eos = eos
    }

    public func id(of token: ReservedToken) -> Int? {
        switch token {
        case .unknown: unknown
        case .padding: padding
        case .bos: bos
        case .eos: eos
        }
    }
}

/// A token ↔ id table shared by the char and word tokenizers.
///
/// Order, as in d2l's `Vocab`: the reserved tokens first (`<unk>`, then `<pad>`, `<bos>`, `<eos>` when
/// asked for), then the corpus tokens by frequency, most frequent first. Ties keep the order in which
/// the tokens first appear in the training text: d2l sorts a `collections.Counter` (which remembers
/// first-insertion order) with Python's stable sort, so this is its rule, and it makes the ids depend on
/// the text alone, never on hashing.
public struct Vocabulary: Hashable, Sendable {
    public let tokens: [String]
    public let special: SpecialTokenIDs
    private let ids: [String: Int]

    /// A vocabulary from a saved token list; `special` must point at tokens in it.
    init(tokens: [String], special: SpecialTokenIDs) {
        self.tokens = tokens
        self.special = special
        var ids: [String: Int] = [:]
        for (id, token) in tokens.enumerated() where ids[token] == nil { ids[token] = id }
        self.ids = ids
    }

    public var count: Int { tokens.count }
    public func token(for id: Int) -> String? { tokens.indices.contains(id) ? tokens[id] : nil }
    public func id(for token: String) -> Int? { ids[token] }

    /// Builds the vocabulary from a training stream of tokens.
    static func trained<S: Sequence>(on stream: S, options: TokenizerOptions,
                                     spelling: (S.Element) -> String) throws(TextError) -> Vocabulary
    where S.Element: Hashable {
        let reserved = ReservedToken.allCases.filter { $0 == .unknown || options.reserved.contains($0) }
        // At least one token of the text besides them: a vocabulary of reserved tokens alone reads every
        // text as <unk>, and a model of it scores a perfect, meaningless loss of 0.
        if let maxSize = options.maxSize, maxSize <= reserved.count {
            throw .invalidOption("max_size \(maxSize) leaves no room besides the \(reserved.count) reserved tokens "
                + "(\(reserved.map(\.rawValue).joined(separator: ", "))); raise max_size")
        }
        guard options.minFrequency >= 0 else {
            throw .invalidOption("min_frequency \(options.minFrequency) is negative; use 1 to keep every token")
        }
        var counts: [S.Element: (count: Int, first: Int)] = [:]
        for (position, token) in stream.enumerated() {
            counts[token, default: (0, position)].count += 1
        }
        let ranked = counts.filter { $0.value.count >= options.minFrequency }
            .sorted { ($1.value.count, $0.value.first) < ($0.value.count, $1.value.first) }
        // A vocabulary of reserved tokens alone would turn every token into <unk>.
        if ranked.isEmpty, let most = counts.values.map(\.count).max() {
            throw .invalidOption("min_frequency \(options.minFrequency) keeps no token of the training text: the most "
                + "frequent appears \(most) time\(most == 1 ? "" : "s"); lower min_frequency to at most \(most)")
        }

        var tokens = reserved.map(\.rawValue)
        var seen = Set(tokens)
        let limit = options.maxSize ?? Int.max
        for (token, _) in ranked where tokens.count < limit {
            // A corpus word spelled like a reserved token ("<unk>" in the text) keeps the reserved id.
            let spelled = spelling(token)
            if seen.insert(spelled).inserted { tokens.append(spelled) }
        }
        let position = { (token: ReservedToken) in reserved.firstIndex(of: token) }
        let special = SpecialTokenIDs(unknown: 0, padding: position(.padding), bos: position(.bos),
                                      eos: position(.eos))
        return Vocabulary(tokens: tokens, special: special)
    }
}

/// A tokenizer that is a `Vocabulary` plus a `Preprocessor` (char and word): the vocabulary answers
/// every lookup, and the file format is the same for all of them.
public protocol VocabularyTokenizer: Tokenizer {
    var vocabulary: Vocabulary { get }
    var preprocessor: Preprocessor { get }
}

extension VocabularyTokenizer {
    public func save(to url: URL) throws(TextError) {
        try TokenizerFile.save(kind: Self.kind, vocabulary: vocabulary, preprocessor: preprocessor, to: url)
    }

    public var vocabularySize: Int { vocabulary.count }
    public func token(for id: Int) -> String? { vocabulary.token(for: id) }
    public func id(for token: String) -> Int? { vocabulary.id(for: token) }
    public var unknownID: Int { vocabulary.special.unknown }
    public var paddingID: Int? { vocabulary.special.padding }
    public var bosID: Int? { vocabulary.special.bos }
    public var eosID: Int? { vocabulary.special.eos }
}
