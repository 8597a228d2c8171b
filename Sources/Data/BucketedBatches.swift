import Core

/// Examples in length buckets (`LengthPartition`), each bucket one padded shape, cut into batches:
/// what translation's sentence pairs and classification's texts share. A conforming type says which
/// examples each bucket holds and how many a batch takes, and builds one batch; the epochs, the fixed
/// evaluation order and the count follow.
public protocol BucketedBatches {
    associatedtype Batch
    /// Each bucket's example indices, in their fixed order, and its examples per batch.
    var bucketMembers: [(members: [Int], batchSize: Int)] { get }
    /// A batch of `members` (at most the bucket's batch size) in bucket `bucket`'s shape.
    func batch(of members: ArraySlice<Int>, bucket: Int) -> Batch
}

extension BucketedBatches {
    /// One training epoch: each bucket's examples shuffled and cut into batches (the last filled up
    /// with empty rows), then all batches shuffled together.
    public func epoch(using generator: inout SeededGenerator) -> [Batch] {
        var batches: [Batch] = []
        for (index, bucket) in bucketMembers.enumerated() {
            batches += self.batches(of: index, members: bucket.members.shuffled(with: &generator), size: bucket.batchSize)
        }
        return batches.shuffled(with: &generator)
    }

    /// Every example once, bucket after bucket, in a fixed order: for evaluation.
    public var ordered: [Batch] {
        bucketMembers.enumerated().flatMap { index, bucket in batches(of: index, members: bucket.members, size: bucket.batchSize) }
    }

    /// The results `perBatch` gives for each batch of `ordered` (one per example it holds, in its rows'
    /// order) put back in the order of the examples themselves.
    public func inExampleOrder<Result>(_ perBatch: (Batch) throws -> [Result]) rethrows -> [Result] {
        let results = try ordered.flatMap(perBatch)
        return zip(bucketMembers.flatMap(\.members), results).sorted { $0.0 < $1.0 }.map(\.1)
    }

    public var batchesPerEpoch: Int {
        bucketMembers.map { ($0.members.count + $0.batchSize - 1) / $0.batchSize }.reduce(0, +)
    }

    private func batches(of index: Int, members: [Int], size: Int) -> [Batch] {
        stride(from: 0, to: members.count, by: size).map { start in
            batch(of: members[start..<min(start + size, members.count)], bucket: index)
        }
    }
}
