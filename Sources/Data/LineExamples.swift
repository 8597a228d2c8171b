import Core

/// A corpus of one example per line, as makemore's `CharDataset` frames names: the input is the
/// boundary token followed by the line's ids, the target the line's ids followed by the boundary, both
/// padded to a common length T (the longest line + 1) — inputs with the boundary, targets with
/// `ignored`, which the loss skips. So "emma" with T = 6 is
///
///     inputs  .  e  m  m  a  .
///     targets e  m  m  a  .  –
public struct LineExamples: Hashable, Sendable {
    /// The loss's ignore index (PyTorch's default).
    public static let ignored = -100

    /// The ids of every line, without boundaries.
    public let lines: [[Int]]
    public let boundary: Int

    public init(lines: [[Int]], boundary: Int) {
        self.lines = lines
        self.boundary = boundary
    }

    /// The longest line plus its boundary: the shortest T that holds every example.
    public var length: Int { (lines.map(\.count).max() ?? 0) + 1 }

    /// The batch of `rows` (line indices) at length `length`; a row index past the end is padding,
    /// all of whose targets are ignored.
    public func batch(_ rows: [Int], length: Int, layout: BatchLayout) -> LMBatch {
        var inputs: [Int] = [], targets: [Int] = []
        for row in rows {
            let ids = row < lines.count ? lines[row] : []
            let real = row < lines.count ? ids.count + 1 : 0
            inputs += [boundary] + ids + [Int](repeating: boundary, count: length - ids.count - 1)
            targets += (ids + [boundary]).prefix(real) + [Int](repeating: Self.ignored, count: length - real)
        }
        return LMBatch(inputs: inputs, targets: targets, batchSize: rows.count, numSteps: length, layout: .batchMajor)
            .arranged(layout)
    }
}

/// Training batches of `LineExamples`: every row a line drawn uniformly with replacement (makemore's
/// `RandomSampler(replacement=True)`); an epoch is as many batches as there are lines over B.
public struct LineBatcher: LMBatchSource {
    public let examples: LineExamples
    public let batchSize: Int
    public let length: Int

    public init(_ examples: LineExamples, batchSize: Int, length: Int) throws(DataError) {
        guard !examples.lines.isEmpty else { throw .invalidOption("the training split has no lines") }
        guard examples.length <= length else {
            throw .invalidOption("the longest line needs \(examples.length) positions (its ids and a boundary); "
                + "train.seq_len is \(length)")
        }
        (self.examples, self.batchSize, self.length) = (examples, batchSize, length)
    }

    public var batchesPerEpoch: Int { max(1, examples.lines.count / batchSize) }
    public var carriesState: Bool { false }

    public func epoch(layout: BatchLayout, using generator: inout SeededGenerator) -> [LMBatch] {
        (0..<batchesPerEpoch).map { _ in
            examples.batch((0..<batchSize).map { _ in generator.index(below: examples.lines.count) }, length: length,
                           layout: layout)
        }
    }
}

/// Where training batches come from: a token stream (`LMBatcher`) or one example per line (`LineBatcher`).
public protocol LMBatchSource: Sendable {
    /// Batches in one epoch.
    var batchesPerEpoch: Int { get }
    /// Whether each batch continues the rows of the one before, so a recurrent state carries over.
    var carriesState: Bool { get }
    func epoch(layout: BatchLayout, using generator: inout SeededGenerator) -> [LMBatch]
}

extension LMBatcher: LMBatchSource {
    public var batchesPerEpoch: Int { batchCount(offset: 0) }
    public var carriesState: Bool { sampling == .sequential }
}
