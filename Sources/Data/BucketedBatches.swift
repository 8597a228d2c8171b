import Core

/// How bucketed examples are cut into batches.
public enum BatchComposition: Sendable, Equatable {
    /// Each batch from one length bucket, padded to the bucket's shape: the least padding.
    case withinBuckets
    /// Batches of a fixed number of examples drawn from all of them (shuffled for training, in their
    /// order for evaluation), as a PyTorch DataLoader forms them; each is laid into the smallest bucket
    /// shape that holds it, so the shapes compiled stay the buckets'.
    case acrossBuckets

    /// Refuses a budget of tokens per batch across buckets, where every batch holds one number of examples.
    func check(batchTokens: Int?) throws(DataError) {
        guard self == .withinBuckets || batchTokens == nil else {
            throw .invalidOption("batches drawn across length buckets hold a number of examples, not of tokens")
        }
    }
}

/// Examples in length buckets (`LengthPartition`), each bucket one padded shape, cut into batches:
/// what translation's sentence pairs and classification's texts share. A conforming type says which
/// examples each bucket holds and how many a batch takes, and builds one batch; the epochs, the fixed
/// evaluation order and the count follow.
public protocol BucketedBatches {
    associatedtype Batch
    /// Each bucket's example indices, in their fixed order, and its examples per batch. Together the
    /// buckets hold the indices 0..<N once each.
    var bucketMembers: [(members: [Int], batchSize: Int)] { get }
    var composition: BatchComposition { get }
    /// A batch of `members` (at most the bucket's batch size) in bucket `bucket`'s shape.
    func batch(of members: ArraySlice<Int>, bucket: Int) -> Batch
    /// The first bucket whose shape holds every example of `members`; with `.acrossBuckets` the last
    /// bucket's shape holds any.
    func bucket(fitting members: ArraySlice<Int>) -> Int
}

extension BucketedBatches {
    /// One training epoch. Within buckets: each bucket's examples shuffled and cut into batches (the
    /// last filled up with empty rows), then all batches shuffled together. Across buckets: all
    /// examples shuffled and cut into batches.
    public func epoch(using generator: inout SeededGenerator) -> [Batch] {
        guard composition == .withinBuckets else { return batchesAcrossBuckets(Array(0..<exampleCount).shuffled(with: &generator)) }
        var batches: [Batch] = []
        for (index, bucket) in bucketMembers.enumerated() {
            batches += self.batches(of: index, members: bucket.members.shuffled(with: &generator), size: bucket.batchSize)
        }
        return batches.shuffled(with: &generator)
    }

    /// Every example once in a fixed order, bucket after bucket or (across buckets) as numbered: for
    /// evaluation.
    public var ordered: [Batch] {
        guard composition == .withinBuckets else { return batchesAcrossBuckets(Array(0..<exampleCount)) }
        return bucketMembers.enumerated().flatMap { index, bucket in batches(of: index, members: bucket.members, size: bucket.batchSize) }
    }

    /// The results `perBatch` gives for each batch of `ordered` (one per example it holds, in its rows'
    /// order) put back in the order of the examples themselves.
    public func inExampleOrder<Result>(_ perBatch: (Batch) throws -> [Result]) rethrows -> [Result] {
        let results = try ordered.flatMap(perBatch)
        guard composition == .withinBuckets else { return results }
        return zip(bucketMembers.flatMap(\.members), results).sorted { $0.0 < $1.0 }.map(\.1)
    }

    public var batchesPerEpoch: Int {
        guard composition == .withinBuckets else { return (exampleCount + acrossSize - 1) / acrossSize }
        return bucketMembers.map { ($0.members.count + $0.batchSize - 1) / $0.batchSize }.reduce(0, +)
    }

    private var exampleCount: Int { bucketMembers.map(\.members.count).reduce(0, +) }

    /// Examples per batch across buckets: every bucket takes the same number then.
    private var acrossSize: Int { bucketMembers.first?.batchSize ?? 1 }

    private func batches(of index: Int, members: [Int], size: Int) -> [Batch] {
        stride(from: 0, to: members.count, by: size).map { start in
            batch(of: members[start..<min(start + size, members.count)], bucket: index)
        }
    }

    private func batchesAcrossBuckets(_ order: [Int]) -> [Batch] {
        stride(from: 0, to: order.count, by: acrossSize).map { start in
            let members = order[start..<min(start + acrossSize, order.count)]
            return batch(of: members, bucket: bucket(fitting: members))
        }
    }
}
