import Core

/// How an epoch of a token stream is cut into (inputs, targets) batches; d2l ch. 8.3.
public enum LMSampling: String, Hashable, Sendable, CaseIterable {
    /// `seq_data_iter_random`: subsequences in random order, so neighbouring batches are unrelated and
    /// the hidden state must be reset for every batch.
    case random
    /// `seq_data_iter_sequential`: the stream is cut into `batchSize` parallel rows and each batch
    /// continues every row where the previous batch stopped, so the hidden state can be carried across
    /// batches (truncated BPTT).
    case sequential
    /// nanoGPT's `get_batch`: each row a window at its own uniformly random start, drawn afresh for
    /// every batch (windows overlap and repeat). An epoch is as many batches as the stream holds
    /// non-overlapping B × T blocks, so that `epochs` still means passes over the data.
    case windows
}

/// The order of a batch's elements in its flat arrays.
public enum BatchLayout: Hashable, Sendable {
    /// (B, T), row after row: element `[b, t]` at `b × T + t`. d2l's and PyTorch's `batch_first` order.
    case batchMajor
    /// (T, B), step after step: element `[t, b]` at `t × B + b`. The engine's recurrent layers take
    /// their input time-major, one (B) slice per step.
    case timeMajor
}

/// One batch: `targets[b, t]` is the token that follows `inputs[b, t]` in the corpus.
public struct LMBatch: Hashable, Sendable {
    public let inputs: [Int]
    public let targets: [Int]
    /// B.
    public let batchSize: Int
    /// T.
    public let numSteps: Int
    public let layout: BatchLayout

    public init(inputs: [Int], targets: [Int], batchSize: Int, numSteps: Int, layout: BatchLayout) {
        precondition(inputs.count == batchSize * numSteps && targets.count == inputs.count, "a batch is B × T ids")
        self.inputs = inputs
        self.targets = targets
        self.batchSize = batchSize
        self.numSteps = numSteps
        self.layout = layout
    }

    /// The flat position of row `b`, step `t` in this batch's layout.
    public func position(row b: Int, step t: Int) -> Int {
        layout == .batchMajor ? b * numSteps + t : t * batchSize + b
    }

    /// The same batch with its elements reordered to `layout`.
    public func arranged(_ layout: BatchLayout) -> LMBatch {
        guard layout != self.layout else { return self }
        let order = (0..<inputs.count).map { flat in
            // `flat` is a position in the new layout; find the same (b, t) in the old one.
            layout == .batchMajor
                ? position(row: flat / numSteps, step: flat % numSteps)
                : position(row: flat % batchSize, step: flat / batchSize)
        }
        return LMBatch(inputs: order.map { inputs[$0] }, targets: order.map { targets[$0] },
                       batchSize: batchSize, numSteps: numSteps, layout: layout)
    }

    /// Rows `rows` of this batch in the same layout: a rank's share of a global batch.
    public func rows(_ rows: Range<Int>) -> LMBatch {
        precondition(rows.lowerBound >= 0 && rows.upperBound <= batchSize, "rows within the batch")
        let order = layout == .batchMajor
            ? rows.flatMap { b in (0..<numSteps).map { t in position(row: b, step: t) } }
            : (0..<numSteps).flatMap { t in rows.map { b in position(row: b, step: t) } }
        return LMBatch(inputs: order.map { inputs[$0] }, targets: order.map { targets[$0] },
                       batchSize: rows.count, numSteps: numSteps, layout: layout)
    }

    /// Targets the loss is over: all but the padding a line or window batch marks `LineExamples.ignored`;
    /// with `lastStepOnly` (a window model, which scores the last column) one at most per row.
    public func scoredTargets(lastStepOnly: Bool = false) -> Int {
        guard lastStepOnly else { return targets.count { $0 != LineExamples.ignored } }
        return (0..<batchSize).count { targets[position(row: $0, step: numSteps - 1)] != LineExamples.ignored }
    }

    /// The ids as floats, for the engine's fp32 input slots (exact below 2^24).
    public var inputValues: [Float] { inputs.map(Float.init) }
    public var targetValues: [Float] { targets.map(Float.init) }
}

/// Cuts a token stream into LM batches with d2l's exact arithmetic, drawing its randomness (offset,
/// order) from a `SeededGenerator`, so an epoch depends on the seed alone.
public struct LMBatcher: Hashable, Sendable {
    public let tokens: [Int]
    public let batchSize: Int
    public let numSteps: Int
    public let sampling: LMSampling

    /// Throws when even the worst offset would leave no complete batch.
    public init(tokens: [Int], batchSize: Int, numSteps: Int, sampling: LMSampling) throws(DataError) {
        guard batchSize > 0, numSteps > 0 else {
            throw .invalidOption("batch_size (\(batchSize)) and seq_len (\(numSteps)) must be at least 1")
        }
        self.tokens = tokens
        self.batchSize = batchSize
        self.numSteps = numSteps
        self.sampling = sampling
        if batchCount(offset: offsets.upperBound) == 0 {
            // random: B subsequences of T plus one target after T - 1 offset tokens; sequential: B rows
            // of T plus one target after an offset of up to T.
            let needed = switch sampling {
            case .random: batchSize * numSteps + numSteps
            case .sequential: batchSize * numSteps + numSteps + 1
            case .windows: numSteps + 1
            }
            throw .corpusTooShort(tokens: tokens.count, needed: needed, batchSize: batchSize, numSteps: numSteps)
        }
    }

    /// The offsets an epoch may start at. d2l draws `random.randint(0, num_steps - 1)` for random
    /// sampling but `random.randint(0, num_steps)` (inclusive) for sequential partitioning; both kept.
    public var offsets: ClosedRange<Int> {
        switch sampling {
        case .random: 0...(numSteps - 1)
        case .sequential: 0...numSteps
        case .windows: 0...0
        }
    }

    /// Batches in an epoch that starts at `offset`; it varies by at most one across offsets.
    public func batchCount(offset: Int) -> Int {
        switch sampling {
        case .random: return max(0, (tokens.count - offset - 1) / numSteps) / batchSize
        case .sequential: return max(0, (tokens.count - offset - 1) / batchSize) / numSteps
        case .windows: return tokens.count > numSteps ? max(1, (tokens.count - 1) / (batchSize * numSteps)) : 0
        }
    }

    /// One epoch: draws the offset (and, for random sampling, the order of the subsequences) from
    /// `generator`.
    public func epoch(layout: BatchLayout, using generator: inout SeededGenerator) -> [LMBatch] {
        let offset = offsets.lowerBound + generator.index(below: offsets.count)
        switch sampling {
        case .random:
            let starts = Array(stride(from: offset, to: offset + subsequenceCount(offset: offset) * numSteps,
                                      by: numSteps))
            return randomEpoch(starts: starts.shuffled(with: &generator), layout: layout)
        case .sequential:
            return sequentialEpoch(offset: offset, layout: layout)
        case .windows:
            // `torch.randint(len(data) - block_size, (batch_size,))` for every batch.
            return (0..<batchCount(offset: 0)).map { _ in
                windowBatch(starts: (0..<batchSize).map { _ in generator.index(below: tokens.count - numSteps) },
                            layout: layout)
            }
        }
    }

    /// `seq_data_iter_random` after its shuffle: batch `i` holds subsequences `starts[iB ..< (i+1)B]`;
    /// the last incomplete batch is dropped.
    func randomEpoch(starts: [Int], layout: BatchLayout) -> [LMBatch] {
        stride(from: 0, to: (starts.count / batchSize) * batchSize, by: batchSize).map { first in
            windowBatch(starts: starts[first..<(first + batchSize)], layout: layout)
        }
    }

    /// Row b is `tokens[starts[b] ..< starts[b] + T]`, its targets one token further on.
    private func windowBatch(starts: some Collection<Int>, layout: BatchLayout) -> LMBatch {
        LMBatch(inputs: starts.flatMap { tokens[$0..<($0 + numSteps)] },
                targets: starts.flatMap { tokens[($0 + 1)..<($0 + 1 + numSteps)] },
                batchSize: batchSize, numSteps: numSteps, layout: .batchMajor).arranged(layout)
    }

    /// `seq_data_iter_sequential`: `tokens[offset...]` cut into B equal rows of `rowLength`, batch `i`
    /// is columns `iT ..< (i+1)T` of every row.
    func sequentialEpoch(offset: Int, layout: BatchLayout) -> [LMBatch] {
        let rowLength = (tokens.count - offset - 1) / batchSize
        return (0..<batchCount(offset: offset)).map { i in
            let columns = (i * numSteps)..<((i + 1) * numSteps)
            let starts = (0..<batchSize).map { offset + $0 * rowLength }
            return LMBatch(inputs: starts.flatMap { row in columns.map { tokens[row + $0] } },
                           targets: starts.flatMap { row in columns.map { tokens[row + $0 + 1] } },
                           batchSize: batchSize, numSteps: numSteps, layout: .batchMajor).arranged(layout)
        }
    }

    /// d2l's `num_subseqs = (len(corpus) - 1) // num_steps` after dropping `offset` tokens.
    private func subsequenceCount(offset: Int) -> Int { max(0, (tokens.count - offset - 1) / numSteps) }
}
