import Core

/// One sentence pair as ids, without `<bos>` or `<eos>`.
public struct TranslationPair: Hashable, Sendable {
    public let source: [Int]
    public let target: [Int]

    public init(source: [Int], target: [Int]) {
        (self.source, self.target) = (source, target)
    }
}

/// The ids a batch frames its sentences with: the target's `<pad>`, `<bos>`, `<eos>`, and the
/// source's `<pad>` and `<eos>` (the same ids unless each side has its own tokenizer).
public struct TranslationTokens: Hashable, Sendable {
    public let padding: Int
    public let bos: Int
    public let eos: Int
    public let sourcePadding: Int
    public let sourceEOS: Int

    public init(padding: Int, bos: Int, eos: Int, sourcePadding: Int? = nil, sourceEOS: Int? = nil) {
        (self.padding, self.bos, self.eos) = (padding, bos, eos)
        (self.sourcePadding, self.sourceEOS) = (sourcePadding ?? padding, sourceEOS ?? eos)
    }
}

/// A padded batch of B sentence pairs, batch-major. The source is the sentence and `<eos>` (S
/// positions, `<pad>` after it, masked out); the decoder reads `<bos>` and the target (T positions)
/// and predicts the target and `<eos>`, padding positions ignored by the loss.
public struct TranslationBatch: Hashable, Sendable {
    /// Which of the buckets' shapes the batch has.
    public let bucket: Int
    public let batchSize: Int
    public let sourceLength: Int
    public let targetLength: Int
    /// (B, S) ids.
    public let source: [Int]
    /// (B, S): 1 at a real source position, 0 at padding.
    public let sourceMask: [Float]
    /// (B, T): `<bos>` then the target, `<pad>` after it.
    public let decoderInputs: [Int]
    /// (B, T): the target then `<eos>`, `ignored` after it.
    public let targets: [Int]
    /// Rows that hold a pair; the rest fill the shape and predict nothing.
    public let pairs: Int
    /// Target positions the loss counts: each pair's target and its `<eos>`.
    public let predictions: Int

    /// The id a target takes where nothing is to be predicted: the loss skips it.
    public static let ignored = -100

    /// `pairs` (at most `batchSize`) laid into a (batchSize, sourceLength) / (batchSize, targetLength)
    /// shape. A filler row is a source of `<eos>` alone (so attention has one position to weigh)
    /// with every target ignored.
    public init(_ pairs: [TranslationPair], bucket: Int, batchSize: Int, sourceLength: Int, targetLength: Int,
                tokens: TranslationTokens) {
        precondition(pairs.count <= batchSize, "a batch holds at most batchSize pairs")
        var source = [Int](repeating: tokens.sourcePadding, count: batchSize * sourceLength)
        var mask = [Float](repeating: 0, count: batchSize * sourceLength)
        var inputs = [Int](repeating: tokens.padding, count: batchSize * targetLength)
        var targets = [Int](repeating: Self.ignored, count: batchSize * targetLength)
        for row in 0..<batchSize {
            let pair = row < pairs.count ? pairs[row] : TranslationPair(source: [], target: [])
            let framedSource = pair.source + [tokens.sourceEOS]
            precondition(framedSource.count <= sourceLength && pair.target.count + 1 <= targetLength, "a pair longer than its bucket")
            for (t, id) in framedSource.enumerated() {
                source[row * sourceLength + t] = id
                mask[row * sourceLength + t] = 1
            }
            guard row < pairs.count else { continue }
            for (t, id) in ([tokens.bos] + pair.target).enumerated() { inputs[row * targetLength + t] = id }
            for (t, id) in (pair.target + [tokens.eos]).enumerated() { targets[row * targetLength + t] = id }
        }
        (self.bucket, self.batchSize, self.sourceLength, self.targetLength) = (bucket, batchSize, sourceLength, targetLength)
        (self.source, sourceMask, decoderInputs, self.targets, self.pairs) = (source, mask, inputs, targets, pairs.count)
        predictions = pairs.reduce(0) { $0 + $1.target.count + 1 }
    }
}

/// Sentence pairs sorted into a few length buckets, each with one padded shape (so each is compiled
/// once), and cut into batches of a fixed number of sentences or of about `batchTokens` tokens.
///
/// A bucket's shape is its longest source (+ `<eos>`) and longest target (+ `<bos>`), so every pair
/// in it is padded to those. Pairs are grouped by the length of their longer side and the groups cut
/// into `count` buckets where the padded positions are fewest (`partition`): on Multi30k, 4 buckets
/// pad the training pairs to 1.24× their positions, where 4 of equal size by source length pad them
/// to 1.83× (one bucket of a quarter of the pairs padded to the longest sentence).
public struct TranslationBuckets: Sendable {
    public struct Bucket: Hashable, Sendable {
        public let sourceLength: Int
        public let targetLength: Int
        /// Sentences per batch.
        public let batchSize: Int
        /// Indices of the pairs it holds.
        public let members: [Int]
    }

    public let pairs: [TranslationPair]
    public let buckets: [Bucket]
    public let tokens: TranslationTokens

    /// - Parameters:
    ///   - count: buckets wanted (fewer when there are fewer pairs).
    ///   - batchSize: sentences per batch, or with `batchTokens`, the most tokens (the longer side of
    ///     the bucket's shape times its sentences) a batch may hold.
    public init(_ pairs: [TranslationPair], count: Int, batchSize: Int, batchTokens: Int?, tokens: TranslationTokens)
        throws(DataError) {
        guard !pairs.isEmpty else { throw .invalidOption("no sentence pairs are left to batch") }
        guard count >= 1 else { throw .invalidOption("at least one length bucket is needed") }
        buckets = Self.partition(pairs, count: count).map { members in
            let sourceLength = (members.map { pairs[$0].source.count }.max() ?? 0) + 1
            let targetLength = (members.map { pairs[$0].target.count }.max() ?? 0) + 1
            let size = batchTokens.map { max(1, $0 / max(sourceLength, targetLength)) } ?? batchSize
            return Bucket(sourceLength: sourceLength, targetLength: targetLength, batchSize: size, members: members)
        }
        self.pairs = pairs
        self.tokens = tokens
    }

    /// The pairs' indices in at most `count` buckets, each a range of the longer side's length, cut
    /// where the padded positions (each pair padded to its bucket's longest source and target) are
    /// fewest: a dynamic programme over the distinct lengths. Members are ordered by source length,
    /// then target length, then index.
    static func partition(_ pairs: [TranslationPair], count: Int) -> [[Int]] {
        let longer = { (pair: TranslationPair) in max(pair.source.count, pair.target.count) }
        let groups = Dictionary(grouping: pairs.indices) { longer(pairs[$0]) }
        let lengths = groups.keys.sorted()
        let n = lengths.count
        // Each length's pairs: how many, and their longest source and target as padded (+ <eos>, + <bos>).
        let extents = lengths.map { length in
            (groups[length] ?? []).reduce((members: 0, source: 0, target: 0)) { extent, index in
                (extent.members + 1, max(extent.source, pairs[index].source.count + 1),
                 max(extent.target, pairs[index].target.count + 1))
            }
        }
        // padded[i][j - i]: positions of lengths[i...j] as one bucket.
        let padded = (0..<n).map { i in
            var (source, target, members) = (0, 0, 0)
            return (i..<n).map { j in
                (source, target, members) = (max(source, extents[j].source), max(target, extents[j].target),
                                             members + extents[j].members)
                return members * (source + target)
            }
        }
        // best[b][j]: the fewest positions of lengths[0..<j] in b buckets; cut[b][j]: where its last starts.
        let buckets = min(count, n)
        var best = [[Int]](repeating: [Int](repeating: .max, count: n + 1), count: buckets + 1)
        var cut = [[Int]](repeating: [Int](repeating: 0, count: n + 1), count: buckets + 1)
        best[0][0] = 0
        for b in 1...buckets {
            for j in b...n {
                for i in (b - 1)..<j where best[b - 1][i] != .max {
                    let total = best[b - 1][i] + padded[i][j - 1 - i]
                    if total < best[b][j] { (best[b][j], cut[b][j]) = (total, i) }
                }
            }
        }
        var ranges: [Range<Int>] = []
        var end = n
        for b in stride(from: buckets, to: 0, by: -1) {
            ranges.insert(cut[b][end]..<end, at: 0)
            end = cut[b][end]
        }
        return ranges.map { range in
            range.flatMap { groups[lengths[$0]] ?? [] }.sorted {
                (pairs[$0].source.count, pairs[$0].target.count, $0) < (pairs[$1].source.count, pairs[$1].target.count, $1)
            }
        }
    }

    /// The batches of one training epoch: each bucket's pairs shuffled and cut into batches (the last
    /// filled up with empty rows), then all batches shuffled together.
    public func epoch(using generator: inout SeededGenerator) -> [TranslationBatch] {
        var batches: [TranslationBatch] = []
        for (index, bucket) in buckets.enumerated() {
            batches += self.batches(of: index, members: bucket.members.shuffled(with: &generator))
        }
        return batches.shuffled(with: &generator)
    }

    /// Every pair once, bucket after bucket, in a fixed order: for evaluation.
    public var ordered: [TranslationBatch] {
        buckets.indices.flatMap { batches(of: $0, members: buckets[$0].members) }
    }

    public var batchesPerEpoch: Int {
        buckets.map { ($0.members.count + $0.batchSize - 1) / $0.batchSize }.reduce(0, +)
    }

    private func batches(of index: Int, members: [Int]) -> [TranslationBatch] {
        let bucket = buckets[index]
        return stride(from: 0, to: members.count, by: bucket.batchSize).map { start in
            let rows = members[start..<min(start + bucket.batchSize, members.count)].map { pairs[$0] }
            return TranslationBatch(rows, bucket: index, batchSize: bucket.batchSize, sourceLength: bucket.sourceLength,
                                    targetLength: bucket.targetLength, tokens: tokens)
        }
    }
}

extension Array where Element == TranslationPair {
    /// The pairs both of whose sides have at most `maxLength` tokens, and how many were longer.
    public func limited(to maxLength: Int?) -> (pairs: [TranslationPair], dropped: Int) {
        guard let maxLength else { return (self, 0) }
        let kept = filter { $0.source.count <= maxLength && $0.target.count <= maxLength }
        return (kept, count - kept.count)
    }
}
