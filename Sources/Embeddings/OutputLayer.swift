import Kernels

/// What a hidden vector is trained to predict, and the output table it trains: negative sampling
/// (one row per word; the target against `negatives` noise words) or hierarchical softmax (one row per
/// inner node of the Huffman tree; the target's path). Codes and points are kept flat so that the
/// innermost loop touches no nested arrays.
public struct OutputLayer: Sendable {
    public enum Kind: Sendable {
        case negativeSampling(NoiseDistribution, negatives: Int)
        case hierarchicalSoftmax(HuffmanTree)
    }

    public let kind: Kind
    /// Rows of the output table: the vocabulary, or its V − 1 inner nodes.
    public let rows: Int
    private let pathStart: [Int32]
    private let codes: [Float]
    private let points: [Int32]

    public init(_ kind: Kind, vocabularySize: Int) {
        self.kind = kind
        switch kind {
        case .negativeSampling:
            rows = vocabularySize
            (pathStart, codes, points) = ([], [], [])
        case .hierarchicalSoftmax(let tree):
            rows = vocabularySize - 1
            var start: [Int32] = [0]
            for path in tree.codes { start.append(start[start.count - 1] + Int32(path.count)) }
            (pathStart, codes, points) = (start, tree.codes.flatMap { $0.map(Float.init) }, tree.points.flatMap { $0 })
        }
    }

    /// One SGD step of the target's prediction from `hidden`: the output rows move by alpha·g·hidden,
    /// and alpha·Σ g·row is added to `work` (the hidden vector's update, applied by the caller).
    /// Returns the step's loss, −Σ log σ(±hidden·row).
    @inline(__always)
    func learn(hidden: UnsafePointer<Float>, target: Int32, output: UnsafeMutablePointer<Float>,
               work: UnsafeMutablePointer<Float>, dimensions d: Int, alpha: Float, sigmoid: SigmoidTable,
               random: inout WordRandom) -> Float {
        var loss: Float = 0
        // label 1 for the target (or branch 0), 0 for a noise word (or branch 1), as word2vec's `1 − code`.
        @inline(__always) func step(_ row: Int32, label: Float) {
            let weights = output + Int(row) * d
            let f = rowDot(hidden, weights, d)
            loss -= sigmoid.log(label > 0 ? f : -f)
            // A saturated prediction teaches nothing here: gensim skips it (word2vec.c would clamp σ).
            guard abs(f) < SigmoidTable.bound else { return }
            let g = (label - sigmoid(f)) * alpha
            rowAxpy(g, weights, work, d)
            rowAxpy(g, hidden, weights, d)
        }
        switch kind {
        case .negativeSampling(let noise, let negatives):
            step(target, label: 1)
            for _ in 0..<negatives {
                let word = noise.draw(&random)
                if word != target { step(word, label: 0) }
            }
        case .hierarchicalSoftmax:
            codes.withUnsafeBufferPointer { codes in
                points.withUnsafeBufferPointer { points in
                    for n in Int(pathStart[Int(target)])..<Int(pathStart[Int(target) + 1]) {
                        step(points[n], label: 1 - codes[n])
                    }
                }
            }
        }
        return loss
    }
}
