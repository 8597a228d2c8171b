import Foundation
import Kernels

/// GloVe's co-occurrence counts (Pennington et al. 2014, as `cooccur.c` counts them): within each
/// sentence, every pair of words at most `window` apart adds 1/distance to both (i, j) and (j, i).
public struct Cooccurrences: Sendable {
    public struct Entry: Sendable, Equatable {
        public let row: Int32
        public let column: Int32
        public let count: Float
    }

    /// Every non-zero count, ordered by (row, column).
    public let entries: [Entry]

    public init<C: Collection>(_ sentences: C, vocabularySize: Int, window: Int) where C.Element == [Int32] {
        var counts: [Int: Double] = [:]
        for sentence in sentences {
            for (i, word) in sentence.enumerated() {
                for distance in stride(from: 1, through: min(window, i), by: 1) {
                    let other = sentence[i - distance]
                    let weight = 1 / Double(distance)
                    counts[Int(word) * vocabularySize + Int(other), default: 0] += weight
                    counts[Int(other) * vocabularySize + Int(word), default: 0] += weight
                }
            }
        }
        entries = counts.keys.sorted().map { key in
            Entry(row: Int32(key / vocabularySize), column: Int32(key % vocabularySize), count: Float(counts[key]!))
        }
    }
}

/// GloVe's training (`glove.c`): weighted least squares w_i·w̃_j + b_i + b̃_j ≈ log X_ij with weight
/// f(x) = min(1, (x / x_max)^power), by AdaGrad from rate `rate`, one entry at a time. Each table row
/// is a vector followed by its bias; each has a row of squared-gradient sums beside it.
public struct GloVeLearner: Sendable {
    public let dimensions: Int
    public let xMax: Float
    public let power: Float
    public let rate: Float

    public init(dimensions: Int, xMax: Float, power: Float, rate: Float) {
        (self.dimensions, self.xMax, self.power, self.rate) = (dimensions, xMax, power, rate)
    }

    /// f(x), GloVe's weight of a count.
    public func weight(_ count: Float) -> Float { count >= xMax ? 1 : Foundation.pow(count / xMax, power) }

    /// Trains on `entries`; `words` and `contexts` are (V, D + 1) tables, `wordSums` and `contextSums`
    /// their AdaGrad sums. Returns the summed cost ½·f(x)·diff².
    public func train<C: Collection>(_ entries: C, words: UnsafeMutablePointer<Float>, contexts: UnsafeMutablePointer<Float>,
                                     wordSums: UnsafeMutablePointer<Float>, contextSums: UnsafeMutablePointer<Float>) -> Double
        where C.Element == Cooccurrences.Entry {
        let (d, width) = (dimensions, dimensions + 1)
        var cost = 0.0
        for entry in entries {
            let (w, c) = (words + Int(entry.row) * width, contexts + Int(entry.column) * width)
            let (wSum, cSum) = (wordSums + Int(entry.row) * width, contextSums + Int(entry.column) * width)
            let diff = rowDot(w, c, d) + w[d] + c[d] - Foundation.log(entry.count)
            var scaled = weight(entry.count) * diff
            cost += Double(0.5 * scaled * diff)
            scaled *= rate
            for k in 0..<d {
                let (gw, gc) = (scaled * c[k], scaled * w[k])
                w[k] -= gw / wSum[k].squareRoot()
                c[k] -= gc / cSum[k].squareRoot()
                wSum[k] += gw * gw
                cSum[k] += gc * gc
            }
            w[d] -= scaled / wSum[d].squareRoot()
            c[d] -= scaled / cSum[d].squareRoot()
            wSum[d] += scaled * scaled
            cSum[d] += scaled * scaled
        }
        return cost
    }
}
