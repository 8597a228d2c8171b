import Core

/// Fixed-width examples for window models (Bengio's MLP, makemore's hierarchical WaveNet, n-grams):
/// N contexts of `block` ids each, row-major (N, block), and the N ids they predict.
public struct ContextWindows: Hashable, Sendable {
    public let contexts: [Int]
    public let targets: [Int]
    public let block: Int
    /// The id that pads contexts before a line's start.
    public let boundary: Int

    /// makemore's `build_dataset` over framed lines: for every id of every line, and the boundary
    /// after it, one example whose context is the `block` previous ids (boundaries before the line's
    /// start) and whose target is that id. A line of n ids gives n + 1 examples.
    public init(_ examples: LineExamples, block: Int) throws(DataError) {
        guard block >= 1 else { throw .invalidOption("block_size must be at least 1, got \(block)") }
        // Every example keeps its whole context: refused before the memory is taken, not by the kernel's OOM killer.
        let examplesCount = examples.lines.reduce(0) { $0 + $1.count + 1 }
        let (ids, overflow) = examplesCount.multipliedReportingOverflow(by: block)
        guard !overflow, ids <= Self.idLimit else {
            throw .invalidOption("the \(examplesCount) context windows of block_size \(block) would hold more than 2^30 ids "
                + "(8 GiB); lower model.block_size")
        }
        var contexts: [Int] = [], targets: [Int] = []
        for line in examples.lines {
            var context = [Int](repeating: examples.boundary, count: block)
            for id in line + [examples.boundary] {
                contexts += context
                targets.append(id)
                context.removeFirst()
                context.append(id)
            }
        }
        (self.contexts, self.targets, self.block, boundary) = (contexts, targets, block, examples.boundary)
    }

    /// The most ids the contexts of a split may hold.
    static let idLimit = 1 << 30

    public var count: Int { targets.count }

    /// The `index`-th context.
    public func context(_ index: Int) -> ArraySlice<Int> { contexts[(index * block)..<((index + 1) * block)] }

    /// The examples `rows` as an LM batch (B, block): row b is context b, its targets the context
    /// shifted by one with the example's target last — what a token stream would give, so that a
    /// window model reads the last column only. A row index past the end is padding: its context is
    /// all boundaries and its last target `LineExamples.ignored`.
    public func batch(_ rows: some Collection<Int>) -> LMBatch {
        var inputs: [Int] = [], shifted: [Int] = []
        inputs.reserveCapacity(rows.count * block)
        shifted.reserveCapacity(rows.count * block)
        for row in rows {
            if row < count {
                let context = self.context(row)
                inputs += context
                shifted += context.dropFirst()
                shifted.append(targets[row])
            } else {
                inputs += repeatElement(boundary, count: block)
                shifted += repeatElement(boundary, count: block - 1)
                shifted.append(LineExamples.ignored)
            }
        }
        return LMBatch(inputs: inputs, targets: shifted, batchSize: rows.count, numSteps: block, layout: .batchMajor)
    }
}

/// Training batches of context windows as makemore draws them: B examples uniformly with
/// replacement for every batch (`torch.randint(0, N, (B,))`); an epoch is N / B batches.
public struct WindowBatcher: LMBatchSource {
    public let windows: ContextWindows
    public let batchSize: Int

    public init(_ windows: ContextWindows, batchSize: Int) throws(DataError) {
        guard windows.count > 0 else { throw .invalidOption("the training split has no examples") }
        (self.windows, self.batchSize) = (windows, batchSize)
    }

    public var batchesPerEpoch: Int { max(1, windows.count / batchSize) }
    public var carriesState: Bool { false }

    /// Window batches are batch-major whatever `layout` asks: window models take (B, block).
    public func epoch(layout: BatchLayout, using generator: inout SeededGenerator) -> [LMBatch] {
        (0..<batchesPerEpoch).map { _ in
            windows.batch((0..<batchSize).map { _ in generator.index(below: windows.count) }).arranged(layout)
        }
    }
}
