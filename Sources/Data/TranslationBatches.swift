import Core

/// One sentence pair as ids, without `<eos>`, the source with `<bos>` first when sources start with one
/// (`TranslationTokens.source(_:)`).
public struct TranslationPair: Hashable, Sendable {
    public let source: [Int]
    public let target: [Int]

    public init(source: [Int], target: [Int]) {
        (self.source, self.target) = (source, target)
    }
}

/// The ids a batch frames its sentences with: the target's `<pad>`, `<bos>`, `<eos>`, and the
/// source's `<pad>` and `<eos>` (the same ids unless each side has its own tokenizer), and the
/// source's `<bos>` when sources start with one (`data.source_bos`).
public struct TranslationTokens: Hashable, Sendable {
    public let padding: Int
    public let bos: Int
    public let eos: Int
    public let sourcePadding: Int
    public let sourceEOS: Int
    /// Starts every source when not nil.
    public let sourceBOS: Int?

    public init(padding: Int, bos: Int, eos: Int, sourcePadding: Int? = nil, sourceEOS: Int? = nil, sourceBOS: Int? = nil) {
        (self.padding, self.bos, self.eos) = (padding, bos, eos)
        (self.sourcePadding, self.sourceEOS, self.sourceBOS) = (sourcePadding ?? padding, sourceEOS ?? eos, sourceBOS)
    }

    /// A source sentence's ids as a pair holds them and the encoder reads them before `<eos>`:
    /// `<bos>` first when sources start with one.
    public func source(_ sentence: [Int]) -> [Int] {
        sourceBOS.map { [$0] + sentence } ?? sentence
    }

    /// The sentence of a pair's source ids: without the `<bos>` that `source(_:)` put first.
    public func sentence(ofSource ids: [Int]) -> [Int] {
        sourceBOS == nil ? ids : Array(ids.dropFirst())
    }
}

/// A padded batch of B sentence pairs, batch-major. The source is the sentence and `<eos>` (S
/// positions, `<pad>` after it, masked out); the decoder reads `<bos>` and the target (T positions)
/// and predicts the target and `<eos>`, padding positions ignored by the loss.
///
/// A batch that reads its padding marks every row real up to the batch's longest source, so the
/// encoder and attention read the `<pad>`s of the shorter ones as an RNN over a padded batch without
/// packing does (bentrevett's tutorials); positions past the longest (the bucket shape's) stay masked.
public struct TranslationBatch: Hashable, Sendable {
    /// Which of the buckets' shapes the batch has.
    public let bucket: Int
    public let batchSize: Int
    public let sourceLength: Int
    public let targetLength: Int
    /// (B, S) ids.
    public let source: [Int]
    /// (B, S): 1 at a source position the encoder reads, 0 at padding it passes over.
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
    /// - Parameter readsPadding: whether a pair's row is read up to the longest source of `pairs`.
    public init(_ pairs: [TranslationPair], bucket: Int, batchSize: Int, sourceLength: Int, targetLength: Int,
                tokens: TranslationTokens, readsPadding: Bool = false) {
        precondition(pairs.count <= batchSize, "a batch holds at most batchSize pairs")
        let longestSource = (pairs.map(\.source.count).max() ?? 0) + 1
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
            if readsPadding {
                for t in framedSource.count..<longestSource { mask[row * sourceLength + t] = 1 }
            }
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
/// Batches drawn across buckets are laid into shapes cut for random batches' lengths instead.
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
    public let composition: BatchComposition
    /// Whether a batch's rows are read up to its longest source (`TranslationBatch`).
    public let readsPadding: Bool

    /// - Parameters:
    ///   - count: buckets wanted (fewer when there are fewer pairs).
    ///   - batchSize: sentences per batch, or with `batchTokens`, the most tokens (the longer side of
    ///     the bucket's shape times its sentences) a batch may hold.
    ///   - composition: batches within buckets, or across them (then of `batchSize` sentences).
    ///   - fitsSmallBuckets: whether a bucket of fewer pairs than a batch takes batches of as many rows
    ///     as it has pairs (a long outlier alone is a batch of one), within buckets. Scoring does;
    ///     training keeps its shapes, so that a run resumes bit for bit across versions.
    public init(_ pairs: [TranslationPair], count: Int, batchSize: Int, batchTokens: Int?, tokens: TranslationTokens,
                composition: BatchComposition = .withinBuckets, readsPadding: Bool = false, fitsSmallBuckets: Bool = true)
        throws(DataError) {
        guard !pairs.isEmpty else { throw .invalidOption("no sentence pairs are left to batch") }
        guard count >= 1 else { throw .invalidOption("at least one length bucket is needed") }
        try composition.check(batchTokens: batchTokens)
        let lengths = pairs.map { [$0.source.count + 1, $0.target.count + 1] }      // with <eos>, with <bos>
        buckets = composition == .withinBuckets ? LengthPartition.buckets(lengths, count: count).map { members in
            let shape = Self.shape(holding: members, pairs)
            let size = batchTokens.map { max(1, $0 / max(shape.source, shape.target)) } ?? batchSize
            return Bucket(sourceLength: shape.source, targetLength: shape.target,
                          batchSize: fitsSmallBuckets ? min(size, members.count) : size, members: members)
        } : Self.shapesForRandomBatches(lengths, count: count, batchSize: batchSize)
        (self.pairs, self.tokens, self.composition, self.readsPadding) = (pairs, tokens, composition, readsPadding)
    }

    /// Shapes cut where random batches' lengths pad least, each at least as long as the one before on
    /// both sides, so the last holds any batch; a pair is a member of the first that holds it alone.
    private static func shapesForRandomBatches(_ lengths: [[Int]], count: Int, batchSize: Int) -> [Bucket] {
        let batchLengths = LengthPartition.randomBatchLengths(lengths, batchSize: batchSize)
        var longest = [0, 0]
        let shapes = LengthPartition.buckets(batchLengths, count: count).map { group in
            longest = zip(longest, LengthPartition.longest(group, in: batchLengths)).map { max($0, $1) }
            return longest
        }
        let sides = shapes.map { (source: $0[0], target: $0[1]) }
        var members = [[Int]](repeating: [], count: shapes.count)
        for (index, length) in lengths.enumerated() { members[first(of: sides, holding: (length[0], length[1]))].append(index) }
        return zip(shapes, members).map { shape, members in
            Bucket(sourceLength: shape[0], targetLength: shape[1], batchSize: batchSize, members: members)
        }
    }

    public var bucketMembers: [(members: [Int], batchSize: Int)] { buckets.map { ($0.members, $0.batchSize) } }

    public func batch(of members: ArraySlice<Int>, bucket index: Int) -> TranslationBatch {
        let bucket = buckets[index]
        return TranslationBatch(members.map { pairs[$0] }, bucket: index, batchSize: bucket.batchSize, sourceLength: bucket.sourceLength,
                                targetLength: bucket.targetLength, tokens: tokens, readsPadding: readsPadding)
    }

    public func bucket(fitting members: ArraySlice<Int>) -> Int {
        Self.first(of: buckets.map { ($0.sourceLength, $0.targetLength) }, holding: Self.shape(holding: members, pairs))
    }

    /// The index of the first of `shapes` that holds `shape` on both sides; the last when none does.
    private static func first(of shapes: [(source: Int, target: Int)], holding shape: (source: Int, target: Int)) -> Int {
        shapes.firstIndex { $0.source >= shape.source && $0.target >= shape.target } ?? shapes.count - 1
    }

    /// The longest source (+ `<eos>`) and target (+ `<bos>`) of the pairs `members`: the least shape
    /// that holds them.
    private static func shape(holding members: some Collection<Int>, _ pairs: [TranslationPair]) -> (source: Int, target: Int) {
        ((members.map { pairs[$0].source.count }.max() ?? 0) + 1, (members.map { pairs[$0].target.count }.max() ?? 0) + 1)
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
