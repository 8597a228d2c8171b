import Foundation

/// The noise words of negative sampling: unigram counts raised to 0.75 (Mikolov et al. 2013), drawn
/// in constant time by Walker's alias method: a uniform column, then that column's word or its alias
/// by a second draw. The distribution is the exact one, like gensim's cumulative table, without its
/// binary search (a quarter of a skip-gram step) or word2vec.c's 10⁸-entry (400 MB) table.
public struct NoiseDistribution: Sendable {
    /// Per column, the chance (on a 2³² scale) that the column's own word is drawn rather than its alias.
    private let threshold: [UInt64]
    private let alias: [Int32]
    public init(counts: [Int], power: Double = 0.75) {
        // Relative to the largest count, so that a large power cannot overflow.
        let largest = Double(counts.max() ?? 1)
        let weights = counts.map { Foundation.pow(Double($0) / largest, power) }
        let total = weights.reduce(0, +)
        let probabilities = weights.map { $0 / total }
        // Vose's construction: columns over-full give their excess to columns under-full.
        let size = counts.count
        var scaled = probabilities.map { $0 * Double(size) }
        var alias = [Int32](repeating: 0, count: size)
        var small = scaled.indices.filter { scaled[$0] < 1 }, large = scaled.indices.filter { scaled[$0] >= 1 }
        while !small.isEmpty, let high = large.last {
            let low = small.removeLast()
            alias[low] = Int32(high)
            scaled[high] -= 1 - scaled[low]
            if scaled[high] < 1 {
                large.removeLast()
                small.append(high)
            }
        }
        // What is left is full up to rounding.
        for column in small + large { (scaled[column], alias[column]) = (1, Int32(column)) }
        threshold = scaled.map { UInt64(min(1, $0) * 4_294_967_296) }
        self.alias = alias
    }

    /// A noise word.
    @inline(__always)
    public func draw(_ random: inout WordRandom) -> Int32 {
        let column = Int((UInt64(random.next32()) &* UInt64(threshold.count)) >> 32)
        return UInt64(random.next32()) < threshold[column] ? Int32(column) : alias[column]
    }
}
