import Core
import Foundation

/// makemore's names dataset (REPRODUCE.md §1): one word per line, characters as symbols, and `.` as
/// the one boundary symbol that both starts and ends every word, at id 0. The other symbols follow in
/// code-point order (`sorted(set(''.join(words)))`, ids 1…), so names.txt gives 27: `.`, a–z.
/// This is makemore's own table, not a `CharTokenizer`: it has no `<unk>`, because every symbol of
/// the file is in it.
public struct NamesCorpus: Hashable, Sendable {
    public static let boundary: Unicode.Scalar = "."

    /// The words in file order; empty lines are skipped, surrounding whitespace is trimmed.
    public let words: [String]
    /// `symbols[id]`; `symbols[0]` is the boundary.
    public let symbols: [Unicode.Scalar]
    private let ids: [Unicode.Scalar: Int]

    /// `source` names the text in messages (its file path).
    public init(text: String, source: String) throws(DataError) {
        var words: [String] = []
        for (index, line) in DataLocator.lines(of: text).enumerated() {
            let word = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if word.isEmpty { continue }
            if word.unicodeScalars.contains(Self.boundary) {
                throw .malformed(file: source, line: index + 1,
                                 reason: "'\(word)' contains '.', the start/end symbol of every name")
            }
            words.append(word)
        }
        guard !words.isEmpty else { throw .malformed(file: source, line: 1, reason: "no names in the file") }
        self.words = words
        symbols = [Self.boundary] + Set(words.flatMap(\.unicodeScalars)).sorted { $0.value < $1.value }
        ids = Dictionary(uniqueKeysWithValues: symbols.enumerated().map { ($1, $0) })
    }

    public var symbolCount: Int { symbols.count }

    /// The ids of a word's characters, without boundaries; nil if it has a symbol outside the table.
    public func encode(_ word: String) -> [Int]? {
        var out: [Int] = []
        for scalar in word.unicodeScalars {
            guard let id = ids[scalar] else { return nil }
            out.append(id)
        }
        return out
    }

    /// The words shuffled with `seed` and cut into train / valid / test, 80/10/10 by default as in the
    /// makemore lectures (which use Python's `random.seed(42)`; our generator differs, so the
    /// membership of each split differs, the sizes do not).
    public func split(seed: UInt64, fractions: SplitFractions = .eightyTenTen)
        -> (train: [String], valid: [String], test: [String]) {
        var generator = SeededGenerator(seed: seed)
        let shuffled = words.shuffled(with: &generator)
        let ranges = fractions.ranges(count: words.count)
        return (Array(shuffled[ranges.train]), Array(shuffled[ranges.valid]), Array(shuffled[ranges.test]))
    }
}
