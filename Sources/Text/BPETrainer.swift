/// Learns BPE merges from word counts exactly as Hugging Face's `BpeTrainer` does, so that the same
/// corpus gives the same vocabulary and the same merges in the same order:
///
/// 1. the special tokens take the first ids, then every character seen (and the initial alphabet),
///    in code point order;
/// 2. each word becomes one symbol per known character (later ones with the continuation prefix, which
///    WordPiece uses);
/// 3. the most frequent adjacent pair is merged everywhere it occurs, ties going to the pair of smaller
///    ids (left id first), until the vocabulary is full or the best pair is rarer than `minFrequency`.
///
/// The reference's bookkeeping is reproduced too, quirks included, because it decides the order of
/// merges: a pair's queue entry holds the words it occurred in when it was queued and is refreshed
/// lazily (a popped entry whose count went stale is pushed back with the current count), and merging a
/// pair does not lower that pair's own count.
struct BPETrainer {
    var vocabularySize: Int
    var minFrequency: Int
    var specialTokens: [String]
    /// Characters in the vocabulary even when the corpus lacks them (byte-level BPE's 256).
    var initialAlphabet: [Unicode.Scalar] = []
    /// Carried by every symbol but a word's first (`##` for WordPiece); empty for none.
    var continuingPrefix: [Unicode.Scalar] = []

    struct Result {
        /// Token by id.
        var tokens: [[Unicode.Scalar]]
        /// The merges in rank order, as pairs of ids.
        var merges: [(left: Int, right: Int)]
    }

    func train(_ corpus: WordCounts) -> Result {
        var vocabulary = Vocabulary()
        for token in specialTokens { vocabulary.add(Array(token.unicodeScalars)) }
        var alphabet = Set(initialAlphabet)
        for word in corpus.words { alphabet.formUnion(word) }
        for scalar in alphabet.sorted(by: { $0.value < $1.value }) { vocabulary.add([scalar]) }

        var words: [[Int32]] = corpus.words.map { word in
            var symbols: [Int32] = []
            symbols.reserveCapacity(word.count)
            for (index, scalar) in word.enumerated() {
                symbols.append(vocabulary.add(index > 0 ? continuingPrefix + [scalar] : [scalar]))
            }
            return symbols
        }
        let counts = corpus.counts

        var pairCounts: [UInt64: Int] = [:]
        var fresh = PairPositions()
        for (index, symbols) in words.enumerated() where symbols.count > 1 {
            for position in 0..<(symbols.count - 1) {
                let pair = Self.pair(symbols[position], symbols[position + 1])
                pairCounts[pair, default: 0] += counts[index]
                fresh.insert(Int32(index), for: pair)
            }
        }
        var queue = PairQueue()
        fresh.drain(into: &queue, counts: pairCounts)

        var merges: [(left: Int, right: Int)] = []
        while vocabulary.count < vocabularySize, var top = queue.pop() {
            let current = pairCounts[top.pair] ?? 0
            if top.count != current {
                top.count = current
                queue.push(top)
                continue
            }
            if top.count < 1 || top.count < minFrequency { break }
            let left = Int32(truncatingIfNeeded: top.pair >> 32), right = Int32(truncatingIfNeeded: top.pair)
            var rightPart = vocabulary.tokens[Int(right)][...]
            if !continuingPrefix.isEmpty, rightPart.starts(with: continuingPrefix) {
                rightPart = rightPart.dropFirst(continuingPrefix.count)
            }
            let merged = vocabulary.add(vocabulary.tokens[Int(left)] + rightPart)
            merges.append((Int(left), Int(right)))

            for index in queue.positions(of: top) {
                Self.merge(left, right, into: merged, in: &words[Int(index)]) { pair, change in
                    pairCounts[pair, default: 0] += change * counts[Int(index)]
                    if change > 0 { fresh.insert(index, for: pair) }
                }
            }
            fresh.drain(into: &queue, counts: pairCounts)
        }
        return Result(tokens: vocabulary.tokens, merges: Self.lastOfEachPair(merges))
    }

    /// Replaces every `left right` in `symbols` by `merged`, left to right, reporting each pair that
    /// disappears (-1) or appears (+1) around a merge, as the reference's `Word::merge` does.
    private static func merge(_ left: Int32, _ right: Int32, into merged: Int32, in symbols: inout [Int32],
                              change: (UInt64, Int) -> Void) {
        var index = 0
        while index + 1 < symbols.count {
            if symbols[index] == left && symbols[index + 1] == right {
                if index > 0 {
                    change(pair(symbols[index - 1], left), -1)
                    change(pair(symbols[index - 1], merged), 1)
                }
                symbols[index] = merged
                symbols.remove(at: index + 1)
                if index + 1 < symbols.count {
                    change(pair(right, symbols[index + 1]), -1)
                    change(pair(merged, symbols[index + 1]), 1)
                }
            }
            index += 1
        }
    }

    /// The reference keeps merges in a map from pair to rank, so a pair merged twice (possible when a
    /// merge makes a token that already existed) keeps only its later rank.
    private static func lastOfEachPair(_ merges: [(left: Int, right: Int)]) -> [(left: Int, right: Int)] {
        var last: [UInt64: Int] = [:]
        for (rank, merge) in merges.enumerated() { last[pair(Int32(merge.left), Int32(merge.right))] = rank }
        return merges.enumerated().filter { last[pair(Int32($1.left), Int32($1.right))] == $0 }.map(\.element)
    }

    /// Two ids in one key; comparing keys compares the pairs left id first, as the reference's tuples.
    static func pair(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    /// Tokens by id and id by token, growing as merges add tokens.
    private struct Vocabulary {
        private(set) var tokens: [[Unicode.Scalar]] = []
        private var ids: [[Unicode.Scalar]: Int32] = [:]

        var count: Int { tokens.count }

        /// The id of `token`, added at the end if it is new.
        @discardableResult
        mutating func add(_ token: [Unicode.Scalar]) -> Int32 {
            if let id = ids[token] { return id }
            let id = Int32(tokens.count)
            tokens.append(token)
            ids[token] = id
            return id
        }
    }
}

/// The words of a corpus with how often each occurs, in order of first occurrence (the order in which
/// WordPiece's `##` symbols get their ids).
struct WordCounts {
    private(set) var words: [[Unicode.Scalar]] = []
    private(set) var counts: [Int] = []
    private var indices: [[Unicode.Scalar]: Int] = [:]

    mutating func add(_ word: [Unicode.Scalar]) {
        if let index = indices[word] {
            counts[index] += 1
        } else {
            indices[word] = words.count
            words.append(word)
            counts.append(1)
        }
    }
}

/// Pairs that gained words during one step, with those words in increasing order (each word once).
private struct PairPositions {
    private var positions: [UInt64: [Int32]] = [:]

    mutating func insert(_ word: Int32, for pair: UInt64) {
        positions[pair, default: []].appendIfNew(word)
    }

    /// Queues every pair whose total count is positive, with the words it gained, and starts afresh.
    mutating func drain(into queue: inout PairQueue, counts: [UInt64: Int]) {
        for (pair, words) in positions {
            let count = counts[pair] ?? 0
            if count > 0 { queue.push(pair: pair, count: count, words: words) }
        }
        positions.removeAll(keepingCapacity: true)
    }
}

private extension Array where Element == Int32 {
    /// Words arrive in increasing order, so a repeat can only be the last one.
    mutating func appendIfNew(_ word: Int32) {
        if last != word { append(word) }
    }
}

/// Candidate merges, highest count first, then the smaller pair. The word lists live beside the heap
/// so that sifting moves small values only.
private struct PairQueue {
    struct Entry: HeapOrdered {
        var count: Int
        let pair: UInt64
        let words: Int32

        static func before(_ a: Entry, _ b: Entry) -> Bool {
            a.count != b.count ? a.count > b.count : a.pair < b.pair
        }
    }

    private var heap = BinaryHeap<Entry>()
    private var wordLists: [[Int32]] = []

    func positions(of entry: Entry) -> [Int32] { wordLists[Int(entry.words)] }

    mutating func push(pair: UInt64, count: Int, words: [Int32]) {
        wordLists.append(words)
        heap.push(Entry(count: count, pair: pair, words: Int32(wordLists.count - 1)))
    }

    mutating func push(_ entry: Entry) { heap.push(entry) }

    mutating func pop() -> Entry? { heap.pop() }
}
