import Core

/// One labelled text as ids: its tokens and its class.
public struct LabelledText: Hashable, Sendable {
    public let tokens: [Int]
    public let label: Int

    public init(tokens: [Int], label: Int) {
        (self.tokens, self.label) = (tokens, label)
    }
}

/// A padded batch of B texts, batch-major: `tokens` (B, T) with `<pad>` after each text, `mask` (B, T)
/// 1 at a real position, and `labels` (B). A filler row, which completes the last batch of a bucket,
/// is one real `<pad>` position whose label is ignored by the loss and the metrics.
public struct ClassificationBatch: Hashable, Sendable {
    public let bucket: Int
    public let batchSize: Int
    public let length: Int
    public let tokens: [Int]
    public let mask: [Float]
    public let labels: [Int]
    /// Rows that hold a text.
    public let examples: Int

    /// The label of a filler row: the loss skips it.
    public static let ignored = -100

    public init(_ texts: [LabelledText], bucket: Int, batchSize: Int, length: Int, padding: Int) {
        precondition(texts.count <= batchSize, "a batch holds at most batchSize texts")
        var tokens = [Int](repeating: padding, count: batchSize * length)
        var mask = [Float](repeating: 0, count: batchSize * length)
        var labels = [Int](repeating: Self.ignored, count: batchSize)
        for row in 0..<batchSize {
            guard row < texts.count else {
                mask[row * length] = 1
                continue
            }
            let text = texts[row]
            precondition(text.tokens.count <= length, "a text longer than its bucket")
            for (t, id) in text.tokens.enumerated() {
                tokens[row * length + t] = id
                mask[row * length + t] = 1
            }
            labels[row] = text.label
        }
        (self.bucket, self.batchSize, self.length) = (bucket, batchSize, length)
        (self.tokens, self.mask, self.labels, examples) = (tokens, mask, labels, texts.count)
    }
}

/// Labelled texts sorted into a few length buckets (`LengthPartition`), each one padded shape, and
/// cut into batches of a fixed number of texts or of about `batchTokens` positions. The buckets' lengths
/// grow, so the last holds any batch drawn across them.
public struct ClassificationBuckets: BucketedBatches, Sendable {
    public struct Bucket: Hashable, Sendable {
        public let length: Int
        public let batchSize: Int
        public let members: [Int]
    }

    public let texts: [LabelledText]
    public let buckets: [Bucket]
    public let padding: Int
    public let composition: BatchComposition

    /// - Parameter fitsSmallBuckets: whether a bucket of fewer texts than a batch takes batches of as
    ///   many rows as it has texts, within buckets (across them, the last bucket must hold any batch).
    ///   Scoring does; training keeps its shapes, so that a run resumes bit for bit across versions.
    public init(_ texts: [LabelledText], count: Int, batchSize: Int, batchTokens: Int?, padding: Int,
                composition: BatchComposition = .withinBuckets, fitsSmallBuckets: Bool = true) throws(DataError) {
        guard !texts.isEmpty else { throw .invalidOption("no labelled texts are left to batch") }
        guard count >= 1 else { throw .invalidOption("at least one length bucket is needed") }
        try composition.check(batchTokens: batchTokens)
        guard !texts.contains(where: \.tokens.isEmpty) else {
            throw .invalidOption("a text with no tokens cannot be classified")
        }
        buckets = LengthPartition.buckets(texts.map { [$0.tokens.count] }, count: count).map { members in
            let length = Self.longest(members, texts)
            let size = batchTokens.map { max(1, $0 / length) } ?? batchSize
            let fits = fitsSmallBuckets && composition == .withinBuckets
            return Bucket(length: length, batchSize: fits ? min(size, members.count) : size, members: members)
        }
        (self.texts, self.padding, self.composition) = (texts, padding, composition)
    }

    public var bucketMembers: [(members: [Int], batchSize: Int)] { buckets.map { ($0.members, $0.batchSize) } }

    public func batch(of members: ArraySlice<Int>, bucket index: Int) -> ClassificationBatch {
        let bucket = buckets[index]
        return ClassificationBatch(members.map { texts[$0] }, bucket: index, batchSize: bucket.batchSize, length: bucket.length,
                                   padding: padding)
    }

    public func bucket(fitting members: ArraySlice<Int>) -> Int {
        let length = Self.longest(members, texts)
        return buckets.firstIndex { $0.length >= length } ?? buckets.count - 1
    }

    /// The most tokens among the texts `members`: the least length that holds them.
    private static func longest(_ members: some Collection<Int>, _ texts: [LabelledText]) -> Int {
        members.map { texts[$0].tokens.count }.max() ?? 1
    }
}
