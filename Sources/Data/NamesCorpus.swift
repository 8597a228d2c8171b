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
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
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

    /// makemore's `build_dataset`: for every character of every word, and the end boundary after it,
    /// one example whose context is the `block` previous ids (boundaries before the word's start) and
    /// whose target is that character. A word of n characters gives n + 1 examples.
    public func windows(of words: [String], block: Int) throws(DataError) -> ContextWindows {
        guard block >= 1 else { throw .invalidOption("block_size must be at least 1, got \(block)") }
        var contexts: [Int] = []
        var targets: [Int] = []
        for word in words {
            guard let encoded = encode(word) else {
                throw .invalidOption("'\(word)' has a character outside this corpus's \(symbolCount) symbols")
            }
            var context = [Int](repeating: 0, count: block)
            for id in encoded + [0] {
                contexts += context
                targets.append(id)
                context.removeFirst()
                context.append(id)
            }
        }
        return ContextWindows(contexts: contexts, targets: targets, block: block)
    }
}

/// Fixed-width examples for window models (Bengio's MLP, makemore's WaveNet): N contexts of `block`
/// ids each, row-major (N, block), and the N ids they predict.
public struct ContextWindows: Hashable, Sendable {
    public let contexts: [Int]
    public let targets: [Int]
    public let block: Int

    public var count: Int { targets.count }

    /// The `index`-th context.
    public func context(_ index: Int) -> ArraySlice<Int> { contexts[(index * block)..<((index + 1) * block)] }
}
