import Core
import Foundation

/// The BPE model of a Hugging Face `tokenizer.json`: a word starts as one symbol per character and the
/// listed merges are applied lowest rank first (leftmost first among equal ranks), the way the
/// reference's `Word::merge_all` does it — with its priority queue, so that even its handling of a
/// stale queue entry whose pair now yields the same token is reproduced.
struct BPEModel: Sendable {
    /// A merge's rank (its position in `merges`) and the id of the token it makes.
    private struct Merge { let rank: Int32; let result: Int32 }

    private let vocabulary: TokenTable
    /// Keyed by the two ids side by side in one `UInt64`: hashing one integer beats hashing a pair.
    private let merges: [UInt64: Merge]
    let unknownID: Int?
    private let fuseUnknown: Bool
    private let prefix: [Unicode.Scalar]
    private let suffix: [Unicode.Scalar]
    /// Words already in the vocabulary skip the merges (Llama 3 sets this).
    private let ignoreMerges: Bool
    /// The single-character tokens, for the common case with neither prefix nor suffix.
    private let characterIDs: [Unicode.Scalar: Int32]
    private let cache = WordCache()

    init(_ model: JSONValue, vocabulary: TokenTable, reader: JSONReader) throws(TextError) {
        let path = "$.model"
        self.vocabulary = vocabulary
        if let dropout = try reader.nonNull("dropout", of: model, at: path) {
            guard dropout.number == 0 else {
                throw .unsupported(file: reader.file, path: path + ".dropout",
                                   reason: "BPE dropout (it makes encoding random; set it to null)")
            }
        }
        if let fallback = try reader.nonNull("byte_fallback", of: model, at: path),
           try reader.bool(fallback, at: path + ".byte_fallback") {
            throw .unsupported(file: reader.file, path: path + ".byte_fallback", reason: "BPE byte fallback")
        }
        func affix(_ key: String) throws(TextError) -> [Unicode.Scalar] {
            guard let value = try reader.nonNull(key, of: model, at: path) else { return [] }
            return Array(try reader.string(value, at: path + "." + key).unicodeScalars)
        }
        prefix = try affix("continuing_subword_prefix")
        suffix = try affix("end_of_word_suffix")
        func flag(_ key: String) throws(TextError) -> Bool {
            guard let value = try reader.nonNull(key, of: model, at: path) else { return false }
            return try reader.bool(value, at: path + "." + key)
        }
        fuseUnknown = try flag("fuse_unk")
        ignoreMerges = try flag("ignore_merges")
        if let unknown = try reader.nonNull("unk_token", of: model, at: path) {
            let token = try reader.string(unknown, at: path + ".unk_token")
            guard let id = vocabulary.id(for: Array(token.unicodeScalars)) else {
                throw .malformed(file: reader.file, path: path + ".unk_token",
                                 reason: "\(doubleQuoted(token)) is not in $.model.vocab")
            }
            unknownID = id
        } else {
            unknownID = nil
        }

        var characterIDs: [Unicode.Scalar: Int32] = [:]
        for (id, token) in vocabulary.scalars.enumerated() where token.count == 1 {
            characterIDs[token[0]] = Int32(id)
        }
        self.characterIDs = characterIDs
        merges = try Self.parseMerges(reader.required("merges", of: model, at: path), vocabulary: vocabulary,
                                 prefix: prefix, reader: reader)
    }

    /// Merges come either as `"a b"` strings (older files) or as `["a", "b"]` pairs (tokenizers ≥ 0.20).
    /// A later duplicate of a pair replaces the earlier one, as in the reference's hash map.
    private static func parseMerges(_ value: JSONValue, vocabulary: TokenTable, prefix: [Unicode.Scalar],
                               reader: JSONReader) throws(TextError) -> [UInt64: Merge] {
        let path = "$.model.merges"
        var merges: [UInt64: Merge] = [:]
        for (rank, item) in try reader.array(value, at: path).enumerated() {
            let itemPath = "\(path)[\(rank)]"
            let parts: [String]
            if case .array(let pair) = item {
                parts = try pair.enumerated().map { index, part throws(TextError) in
                    try reader.string(part, at: "\(itemPath)[\(index)]")
                }
            } else {
                parts = try reader.string(item, at: itemPath).split(separator: " ", omittingEmptySubsequences: false)
                    .map(String.init)
            }
            guard parts.count == 2 else {
                throw .malformed(file: reader.file, path: itemPath,
                                 reason: "a merge is two tokens, \"a b\" or [\"a\", \"b\"]; found \(parts.count)")
            }
            let left = Array(parts[0].unicodeScalars), right = Array(parts[1].unicodeScalars)
            // The right half of a merge carries the continuation prefix, which the merged token has only once.
            let merged = left + (right.starts(with: prefix) ? Array(right.dropFirst(prefix.count)) : right)
            var ids: [Int] = []
            for token in [left, right, merged] {
                guard let id = vocabulary.id(for: token) else {
                    throw .malformed(file: reader.file, path: itemPath,
                                     reason: "\(doubleQuoted(TokenTable.string(token))) is not in $.model.vocab")
                }
                ids.append(id)
            }
            merges[key(Int32(ids[0]), Int32(ids[1]))] = Merge(rank: Int32(rank), result: Int32(ids[2]))
        }
        return merges
    }

    private static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    /// Appends the ids of one pre-tokenized word.
    func encode(_ word: [Unicode.Scalar], into ids: inout [Int]) {
        if let cached = cache[word] {
            ids.append(contentsOf: cached)
            return
        }
        let result: [Int]
        if ignoreMerges, let id = vocabulary.id(for: word) {
            result = [id]
        } else {
            result = merged(symbols(of: word))
        }
        cache[word] = result
        ids.append(contentsOf: result)
    }

    /// One id per character, affixes applied; an unknown character becomes the unknown token (runs of
    /// them one token with `fuse_unk`) or, without an unknown token, is left out as the reference does.
    private func symbols(of word: [Unicode.Scalar]) -> [Int32] {
        var symbols: [Int32] = []
        symbols.reserveCapacity(word.count)
        var previousUnknown = false
        for (index, scalar) in word.enumerated() {
            let id: Int32?
            if prefix.isEmpty && suffix.isEmpty {
                id = characterIDs[scalar]
            } else {
                let token = (index > 0 ? prefix : []) + [scalar] + (index == word.count - 1 ? suffix : [])
                id = vocabulary.id(for: token).map { Int32($0) }
            }
            if let id {
                symbols.append(id)
                previousUnknown = false
            } else if let unknownID {
                if !(fuseUnknown && previousUnknown) { symbols.append(Int32(unknownID)) }
                previousUnknown = true
            }
        }
        return symbols
    }

    /// The reference's merge loop: a min-queue of (rank, position) candidates; a popped candidate is
    /// used only if its left symbol still exists, has a right neighbour, and that pair still makes the
    /// same token.
    private func merged(_ start: [Int32]) -> [Int] {
        var ids = start
        let count = ids.count
        guard count > 1 else { return ids.map(Int.init) }
        var next = Array(1...count)
        var previous = Array(-1..<(count - 1))
        var alive = [Bool](repeating: true, count: count)
        var queue = BinaryHeap<MergeCandidate>()
        for position in 0..<(count - 1) {
            if let merge = merges[Self.key(ids[position], ids[position + 1])] {
                queue.push(MergeCandidate(rank: merge.rank, position: Int32(position), result: merge.result))
            }
        }
        while let top = queue.pop() {
            let position = Int(top.position)
            guard alive[position], next[position] < count else { continue }
            let right = next[position]
            guard merges[Self.key(ids[position], ids[right])]?.result == top.result else { continue }
            ids[position] = top.result
            alive[right] = false
            next[position] = next[right]
            if next[right] < count { previous[next[right]] = position }
            if previous[position] >= 0, let merge = merges[Self.key(ids[previous[position]], ids[position])] {
                queue.push(MergeCandidate(rank: merge.rank, position: Int32(previous[position]), result: merge.result))
            }
            if next[position] < count, let merge = merges[Self.key(ids[position], ids[next[position]])] {
                queue.push(MergeCandidate(rank: merge.rank, position: Int32(position), result: merge.result))
            }
        }
        var result: [Int] = []
        var position = 0
        while position < count {
            result.append(Int(ids[position]))
            position = next[position]
        }
        return result
    }
}

/// A merge candidate of one word: lowest rank first, then leftmost.
private struct MergeCandidate: HeapOrdered {
    let rank: Int32
    let position: Int32
    let result: Int32

    static func before(_ a: MergeCandidate, _ b: MergeCandidate) -> Bool {
        a.rank != b.rank ? a.rank < b.rank : a.position < b.position
    }
}

/// Encoded words, shared by all copies of a tokenizer: natural text repeats its words, so most are
/// merged once. Bounded, since a stream of distinct words must not grow memory without limit; once
/// full it stops taking new words, as the reference's cache does.
final class WordCache: @unchecked Sendable {
    private static let capacity = 100_000
    private let lock = NSLock()
    private var words: [[Unicode.Scalar]: [Int]] = [:]

    subscript(word: [Unicode.Scalar]) -> [Int]? {
        get { lock.withLock { words[word] } }
        set {
            lock.withLock {
                if words.count < Self.capacity { words[word] = newValue }
            }
        }
    }
}
