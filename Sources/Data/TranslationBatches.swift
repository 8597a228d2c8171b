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
/// in it is padded to those; `LengthPartition` cuts the buckets where the padded positions are fewest.
public struct TranslationBuckets: BucketedBatches, Sendable {
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
        let lengths = pairs.map { [$0.source.count + 1, $0.target.count + 1] }      // with <eos>, with <bos>
        buckets = LengthPartition.buckets(lengths, count: count).map { members in
            let sourceLength = (members.map { pairs[$0].source.count }.max() ?? 0) + 1
            let targetLength = (members.map { pairs[$0].target.count }.max() ?? 0) + 1
            let size = batchTokens.map { max(1, $0 / max(sourceLength, targetLength)) } ?? batchSize
            return Bucket(sourceLength: sourceLength, targetLength: targetLength, batchSize: size, members: members)
        }
        self.pairs = pairs
        self.tokens = tokens
    }

    public var bucketMembers: [(members: [Int], batchSize: Int)] { buckets.map { ($0.members, $0.batchSize) } }

    public func batch(of members: ArraySlice<Int>, bucket index: Int) -> TranslationBatch {
        let bucket = buckets[index]
        return TranslationBatch(members.map { pairs[$0] }, bucket: index, batchSize: bucket.batchSize, sourceLength: bucket.sourceLength,
                                targetLength: bucket.targetLength, tokens: tokens)
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
