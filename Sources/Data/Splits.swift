import Core

/// Train / valid / test fractions of a corpus. Splits are contiguous and in this order, as nanoGPT
/// (`data[:int(n*0.9)]`) and makemore (`words[:n1]`, `words[n1:n2]`, `words[n2:]`) cut theirs: the
/// boundaries are `Int(n × train)` and `Int(n × (train + valid))`, truncated like Python's `int()`.
/// When the fractions add up to 1 the last split runs to the end, so rounding never drops an item.
public struct SplitFractions: Hashable, Sendable {
    public let train: Double
    public let valid: Double
    public let test: Double

    public init(train: Double, valid: Double, test: Double = 0) throws(DataError) {
        for (name, value) in [("train", train), ("valid", valid), ("test", test)] where !(0...1).contains(value) {
            throw .invalidOption("split fraction \(name) = \(value) is outside 0…1")
        }
        guard train > 0 else { throw .invalidOption("split fraction train must be above 0") }
        guard train + valid + test <= 1 + Self.tolerance else {
            throw .invalidOption("split fractions add up to \(train + valid + test), more than 1")
        }
        self.init(known: train, valid, test)
    }

    /// makemore's 80/10/10 of the words.
    public static let eightyTenTen = SplitFractions(known: 0.8, 0.1, 0.1)

    /// For constants already known to be valid.
    private init(known train: Double, _ valid: Double, _ test: Double) {
        self.train = train
        self.valid = valid
        self.test = test
    }

    /// The three index ranges of a corpus of `count` items.
    public func ranges(count: Int) -> (train: Range<Int>, valid: Range<Int>, test: Range<Int>) {
        let whole = train + valid + test >= 1 - Self.tolerance
        let trainEnd = min(count, Int(Double(count) * train))
        let validEnd = whole && test == 0 ? count : max(trainEnd, min(count, Int(Double(count) * (train + valid))))
        let testEnd = whole ? count : max(validEnd, min(count, Int(Double(count) * (train + valid + test))))
        return (0..<trainEnd, trainEnd..<validEnd, validEnd..<testEnd)
    }

    /// Sums like 0.8 + 0.1 + 0.1 are not exactly 1 in binary.
    private static let tolerance = 1e-9
}

/// A token stream cut into the splits a language model trains and evaluates on.
public struct TokenSplits: Hashable, Sendable {
    public let train: [Int]
    public let valid: [Int]
    public let test: [Int]

    /// Splits given as separate files (multi30k's train / val / test), each already encoded.
    public init(train: [Int], valid: [Int], test: [Int]) {
        self.train = train
        self.valid = valid
        self.test = test
    }

    /// Contiguous splits of one stream: the first `fractions.train` for training, then valid, then test.
    public init(tokens: [Int], fractions: SplitFractions) {
        let ranges = fractions.ranges(count: tokens.count)
        self.init(train: Array(tokens[ranges.train]), valid: Array(tokens[ranges.valid]),
                  test: Array(tokens[ranges.test]))
    }

    /// d2l's `load_corpus_time_machine(max_tokens)`: the stream of the whole text (encoded with a
    /// tokenizer trained on the whole text) is cut to its first `maxTokens` (the spec's `max_chars`),
    /// and that is split.
    public init(stream: [Int], maxTokens: Int?, fractions: SplitFractions) {
        self.init(tokens: maxTokens.map { Array(stream.prefix($0)) } ?? stream, fractions: fractions)
    }
}

extension SeededGenerator {
    /// Uniform in `0..<bound` by a multiply-high (Lemire), written out here rather than taken from
    /// the standard library so that shuffles stay bit-identical across Swift versions.
    mutating func index(below bound: Int) -> Int {
        precondition(bound > 0, "an empty range has no index")
        return Int(UInt64(bound).multipliedFullWidth(by: next()).high)
    }
}

extension Array {
    /// Fisher–Yates with `SeededGenerator.index(below:)`: the same seed gives the same order everywhere.
    public func shuffled(with generator: inout SeededGenerator) -> [Element] {
        var items = self
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, generator.index(below: i + 1))
        }
        return items
    }
}
