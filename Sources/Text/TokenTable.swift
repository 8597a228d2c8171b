import Core

/// Token ↔ id for the vocabulary of a Hugging Face `tokenizer.json`, keyed by Unicode scalars rather
/// than `String`: Swift compares strings up to canonical equivalence, so a `String` key would make the
/// distinct tokens `é` (U+00E9) and `e` + U+0301 one entry, where the reference keeps them apart.
struct TokenTable: Sendable {
    /// Token by id; nil for an id no token has (a file may leave gaps).
    private(set) var tokens: [String?] = []
    /// The scalars of each token by id, empty for a gap.
    private(set) var scalars: [[Unicode.Scalar]] = []
    private var ids: [[Unicode.Scalar]: Int] = [:]

    var count: Int { tokens.count }

    /// The largest id taken: ids index a table (and a model's embedding), so an id of 10^10 in a
    /// damaged file must be refused, not allocated. 2^24 is over 60 times the largest vocabularies in use.
    static let maximumID = 1 << 24 - 1

    func id(for token: [Unicode.Scalar]) -> Int? { ids[token] }

    func token(for id: Int) -> String? { tokens.indices.contains(id) ? tokens[id] : nil }

    /// Adds `token` at `id`, or says why it cannot be: the id is negative, too large or another token
    /// holds it, or the token already has another id.
    mutating func insert(_ token: String, id: Int) -> String? {
        let key = Array(token.unicodeScalars)
        guard id >= 0 else { return "a negative id (\(id))" }
        guard id <= Self.maximumID else { return "id \(id) is beyond \(Self.maximumID), the largest a vocabulary may use" }
        if let existing = ids[key] {
            return existing == id ? nil : "\(doubleQuoted(token)) already has id \(existing)"
        }
        if id < tokens.count, let holder = tokens[id] {
            return "id \(id) already belongs to \(doubleQuoted(holder))"
        }
        if id >= tokens.count {
            tokens += [String?](repeating: nil, count: id + 1 - tokens.count)
            scalars += [[Unicode.Scalar]](repeating: [], count: id + 1 - scalars.count)
        }
        tokens[id] = token
        scalars[id] = key
        ids[key] = id
        return nil
    }

    static func string(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
