import Foundation

/// The noise words of negative sampling: unigram counts raised to 0.75 (Mikolov et al. 2013), drawn
/// as gensim does from a cumulative table over 0 ..< 2³¹ − 1 by binary search, so a draw costs
/// log V comparisons and the table V integers (word2vec.c's 10⁸-entry table would be 400 MB).
public struct NoiseDistribution: Sendable {
    /// cumulative[w] = round(domain · Σ_{v ≤ w} count(v)^power / Σ count^power).
    public let cumulative: [UInt32]

    static let domain: Double = Double(Int32.max)

    public init(counts: [Int], power: Double = 0.75) {
        let weights = counts.map { Foundation.pow(Double($0), power) }
        let total = weights.reduce(0, +)
        var running = 0.0
        cumulative = weights.map { weight in
            running += weight
            return UInt32((running / total * Self.domain).rounded())
        }
    }

    /// A noise word: the first w whose cumulative value exceeds a uniform draw below the last one.
    @inline(__always)
    public func draw(_ random: inout WordRandom) -> Int32 {
        let last = cumulative[cumulative.count - 1]
        let x = UInt32(truncatingIfNeeded: (random.state >> 16) % UInt64(max(last, 1)))
        _ = random.next32()
        // Word w takes the draws in [cumulative[w − 1], cumulative[w]): exactly its share. (gensim's
        // bisect_left gives word 0 one draw more.)
        var (low, high) = (0, cumulative.count)
        cumulative.withUnsafeBufferPointer { table in
            while low < high {
                let middle = (low + high) >> 1
                if table[middle] <= x { low = middle + 1 } else { high = middle }
            }
        }
        return Int32(min(low, cumulative.count - 1))
    }
}
