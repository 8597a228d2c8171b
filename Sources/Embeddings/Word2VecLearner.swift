import Kernels

/// One pass of word2vec's training (Mikolov et al. 2013, as word2vec.c and gensim run it) over a
/// batch of sentences, updating the tables in place after every prediction: no gradients are kept
/// and a step touches only the rows of the words it reads. fastText's skip-gram is the same pass
/// with a word's input made of its sub-word rows.
///
/// - skip-gram: each word of the shrunken window predicts the centre word (word2vec), or the centre
///   word's sub-words predict each word of the window (fastText);
/// - CBOW: the mean of the window's input rows predicts the centre word, and each of them takes the
///   whole hidden update (gensim's `cbow_mean=1`).
public struct Word2VecLearner: Sendable {
    public enum Architecture: Sendable { case skipGram, cbow }

    public let architecture: Architecture
    public let window: Int
    public let dimensions: Int
    public let output: OutputLayer
    /// The rows whose mean is a word's input vector; nil when a word is its own row.
    public let subwords: SubwordRows?
    /// Per word, the keep threshold of subsampling on a 2³² scale (gensim's `sample_int`); empty to keep all.
    private let keepThreshold: [UInt64]
    private let sigmoid = SigmoidTable()

    /// The longest sentence a pass reads: longer lines are cut into sentences of this many words, as
    /// word2vec.c and gensim's `LineSentence` cut them (`MAX_SENTENCE_LEN`).
    public static let maxSentenceLength = 10_000

    public init(architecture: Architecture, window: Int, dimensions: Int, output: OutputLayer, subwords: SubwordRows?,
                keepProbabilities: [Double]) {
        (self.architecture, self.window, self.dimensions, self.output, self.subwords)
            = (architecture, window, dimensions, output, subwords)
        keepThreshold = keepProbabilities.allSatisfy { $0 >= 1 } ? []
            : keepProbabilities.map { UInt64(($0 * 4_294_967_296).rounded()) }
    }

    /// What a pass did: its summed loss, the predictions it made, and the words it read.
    public struct Pass: Sendable, Equatable {
        public var loss = 0.0
        public var predictions = 0
        public var words = 0

        public init() {}

        /// Two passes' counts together.
        public static func + (a: Pass, b: Pass) -> Pass {
            var sum = a
            sum.loss += b.loss
            sum.predictions += b.predictions
            sum.words += b.words
            return sum
        }
    }

    /// Trains on `sentences` (vocabulary ids) at rate `alpha`: `input` has the rows of `subwords` (or
    /// one per word), `output` the output layer's.
    public func train<C: Collection>(_ sentences: C, input: UnsafeMutablePointer<Float>, output table: UnsafeMutablePointer<Float>,
                                     alpha: Float, random: inout WordRandom) -> Pass where C.Element == [Int32] {
        let d = dimensions
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * d)
        defer { scratch.deallocate() }
        let (hidden, work) = (scratch, scratch + d)
        var pass = Pass()
        var kept: [Int32] = [], rows: [Int32] = []
        kept.reserveCapacity(Self.maxSentenceLength)
        for sentence in sentences {
            kept.removeAll(keepingCapacity: true)
            for word in sentence {
                if !keepThreshold.isEmpty, keepThreshold[Int(word)] < UInt64(random.next32()) { continue }
                kept.append(word)
            }
            pass.words += sentence.count
            for i in kept.indices {
                // The window shrunk at random to `reach` words each side, as word2vec draws it per word.
                let reach = window - (window > 1 ? random.next(below: window) : 0)
                let context = (i - min(i, reach))..<(i + 1 + min(reach, kept.count - 1 - i))
                switch architecture {
                case .skipGram:
                    for j in context where j != i {
                        rows.removeAll(keepingCapacity: true)
                        // word2vec: the context word's row predicts the centre; fastText: the centre's sub-words the context.
                        let (source, target) = subwords == nil ? (kept[j], kept[i]) : (kept[i], kept[j])
                        appendRows(of: source, to: &rows)
                        // gensim's fastText skip-gram sums the word's row and its n-grams' but divides by the
                        // n-gram count alone; its vectors are then the mean of all of them. Kept, to learn as it does.
                        let divisor = subwords == nil ? 1 : max(1, rows.count - 1)
                        pass.loss += Double(learn(rows, divisor: divisor, target: target, input: input,
                                                  output: table, hidden: hidden, work: work, alpha: alpha, random: &random))
                        pass.predictions += 1
                    }
                case .cbow:
                    rows.removeAll(keepingCapacity: true)
                    for j in context where j != i { appendRows(of: kept[j], to: &rows) }
                    guard !rows.isEmpty else { continue }
                    pass.loss += Double(learn(rows, divisor: rows.count, target: kept[i], input: input, output: table,
                                              hidden: hidden, work: work, alpha: alpha, random: &random))
                    pass.predictions += 1
                }
            }
        }
        return pass
    }

    @inline(__always)
    private func appendRows(of word: Int32, to rows: inout [Int32]) {
        if let subwords { subwords.append(word, to: &rows) } else { rows.append(word) }
    }

    /// One prediction: the input rows summed over `divisor` (their mean, but for fastText's skip-gram)
    /// predict `target`; then each row moves by the whole hidden update, not a share of it (word2vec.c's
    /// and gensim's CBOW with `cbow_mean=1`, fastText's sub-words).
    @inline(__always)
    private func learn(_ rows: [Int32], divisor: Int, target: Int32, input: UnsafeMutablePointer<Float>, output table: UnsafeMutablePointer<Float>,
                       hidden: UnsafeMutablePointer<Float>, work: UnsafeMutablePointer<Float>, alpha: Float,
                       random: inout WordRandom) -> Float {
        let d = dimensions
        hidden.update(from: input + Int(rows[0]) * d, count: d)
        for row in rows.dropFirst() { rowAxpy(1, input + Int(row) * d, hidden, d) }
        if divisor > 1 {
            let scale = 1 / Float(divisor)
            for k in 0..<d { hidden[k] *= scale }
        }
        work.update(repeating: 0, count: d)
        let loss = output.learn(hidden: hidden, target: target, output: table, work: work, dimensions: d, alpha: alpha,
                                sigmoid: sigmoid, random: &random)
        for row in rows { rowAxpy(1, work, input + Int(row) * d, d) }
        return loss
    }
}
