import Core

/// Examples cut into a few length buckets, each padded to its longest example (so each bucket is one
/// shape, compiled once), where the padded positions are fewest. An example has one or more sides
/// (a text; a source and a target), each with its padded length; a bucket pads every side to that
/// side's longest in it.
///
/// Examples are grouped by their longest side and the groups cut into ranges by a dynamic programme
/// over the distinct lengths: on Multi30k, 4 buckets pad the training pairs to 1.24× their positions,
/// where 4 of equal size by source length pad them to 1.83× (one bucket of a quarter of the pairs
/// padded to the longest sentence).
public enum LengthPartition {
    /// The examples' indices in at most `count` buckets, shortest first; members are ordered by their
    /// sides' lengths in order, then by index.
    /// - Parameter lengths: each example's padded length of each side (as many sides for all).
    public static func buckets(_ lengths: [[Int]], count: Int) -> [[Int]] {
        let groups = Dictionary(grouping: lengths.indices) { lengths[$0].max() ?? 0 }
        let keys = groups.keys.sorted()
        let n = keys.count
        let sides = lengths.first?.count ?? 0
        // Each key's examples: how many, and each side's longest.
        let extents = keys.map { key in
            (groups[key] ?? []).reduce((members: 0, sides: [Int](repeating: 0, count: sides))) { extent, index in
                (extent.members + 1, zip(extent.sides, lengths[index]).map { Swift.max($0, $1) })
            }
        }
        // padded[i][j - i]: positions of keys[i...j] as one bucket.
        let padded = (0..<n).map { i in
            var (longest, members) = ([Int](repeating: 0, count: sides), 0)
            return (i..<n).map { j in
                (longest, members) = (zip(longest, extents[j].sides).map { Swift.max($0, $1) }, members + extents[j].members)
                return members * longest.reduce(0, +)
            }
        }
        // best[b][j]: the fewest positions of keys[0..<j] in b buckets; cut[b][j]: where its last starts.
        let bucketCount = Swift.min(count, n)
        guard bucketCount > 0 else { return [] }
        var best = [[Int]](repeating: [Int](repeating: .max, count: n + 1), count: bucketCount + 1)
        var cut = [[Int]](repeating: [Int](repeating: 0, count: n + 1), count: bucketCount + 1)
        best[0][0] = 0
        for b in 1...bucketCount {
            for j in b...n {
                for i in (b - 1)..<j where best[b - 1][i] != .max {
                    let total = best[b - 1][i] + padded[i][j - 1 - i]
                    if total < best[b][j] { (best[b][j], cut[b][j]) = (total, i) }
                }
            }
        }
        var ranges: [Range<Int>] = []
        var end = n
        for b in stride(from: bucketCount, to: 0, by: -1) {
            ranges.insert(cut[b][end]..<end, at: 0)
            end = cut[b][end]
        }
        return ranges.map { range in
            range.flatMap { groups[keys[$0]] ?? [] }.sorted { a, b in
                lengths[a] == lengths[b] ? a < b : lengths[a].lexicographicallyPrecedes(lengths[b])
            }
        }
    }

    /// Each side's longest in batches of `batchSize` examples drawn at random: `epochs` shuffles with
    /// a fixed seed, cut into batches. Partitioned like examples, they give the shapes that pad batches
    /// drawn across buckets least; every example is in some batch, so the longest of them all is too.
    public static func randomBatchLengths(_ lengths: [[Int]], batchSize: Int, epochs: Int = 10) -> [[Int]] {
        precondition(batchSize >= 1 && epochs >= 1, "sampling random batches needs a batch size and an epoch")
        var generator = SeededGenerator(seed: 0)
        return (0..<epochs).flatMap { _ in
            let order = Array(lengths.indices).shuffled(with: &generator)
            return stride(from: 0, to: order.count, by: batchSize).map { start in
                longest(order[start..<Swift.min(start + batchSize, order.count)], in: lengths)
            }
        }
    }

    /// Each side's longest over the examples `members` of `lengths` (zeros for none).
    public static func longest(_ members: some Sequence<Int>, in lengths: [[Int]]) -> [Int] {
        members.reduce([Int](repeating: 0, count: lengths.first?.count ?? 0)) { longest, index in
            zip(longest, lengths[index]).map { Swift.max($0, $1) }
        }
    }
}
