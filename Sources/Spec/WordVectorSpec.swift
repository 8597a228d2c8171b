/// The keys of the word-vector kinds (`word2vec`, `fasttext`, `glove`) beyond their shared ones.
extension ModelSpec {
    /// How word2vec and fastText predict: each context word the centre (skip-gram), or their mean the
    /// centre (CBOW).
    public enum Architecture: String, SpecChoice {
        case skipgram, cbow
        static let label = "architecture"
    }

    /// word2vec's output layer.
    public enum OutputLoss: String, SpecChoice {
        case negativeSampling = "negative_sampling"
        case hierarchicalSoftmax = "hierarchical_softmax"
        static let label = "loss"
    }

    /// The learning rate word vectors start from: `alpha`, or the kind's usual one (word2vec's and
    /// fastText's 0.025, GloVe's 0.05).
    public var startingAlpha: Double { alpha ?? (kind == .glove ? 0.05 : 0.025) }

    /// Negative sampling needs noise words, n-grams a range, and a rate must fall, not rise.
    static func checkWordVectors(_ value: ModelSpec, _ node: Node, section: String) throws(SpecError) {
        guard value.kind.task == .embeddings else { return }
        let mark = { (key: String) in node.entry(key)?.value.mark ?? node.mark }
        let sampling = value.kind == .fasttext || value.loss == .negativeSampling
        if sampling, value.negatives == 0 {
            throw mark("negatives").error("'\(section).negatives' is 0, but negative sampling needs noise words",
                                          hint: "use 5 (word2vec's default), or loss: hierarchical_softmax")
        }
        // Rows are 32-bit, as fastText's: the buckets after the vocabulary's rows must stay below 2^31.
        if value.kind == .fasttext, value.buckets > 1 << 30 {
            throw mark("buckets").error("'\(section).buckets' (\(value.buckets)) is more than 2^30, past which rows "
                + "no longer have 32-bit numbers", hint: "fastText's default is 2000000")
        }
        if value.kind == .fasttext, value.minN > value.maxN {
            throw mark("min_n").error("'\(section).min_n' (\(value.minN)) is larger than 'max_n' (\(value.maxN))",
                                      hint: "fastText's usual range is min_n: 3, max_n: 6")
        }
        if value.kind != .glove, value.minAlpha > value.startingAlpha {
            throw mark("min_alpha").error("'\(section).min_alpha' (\(value.minAlpha)) is above the starting rate "
                + "(\(value.startingAlpha)): the rate falls from alpha to min_alpha", hint: "e.g. alpha: 0.025, min_alpha: 0.0001")
        }
    }
}
