import Core
@testable import Data
import XCTest

/// d2l ch. 8.3's examples: the sequence 0..<35, batch size 2, 5 steps. Since token = position, every
/// target must be its input + 1 and a row's continuation is visible in the numbers themselves.
final class LMBatcherTests: XCTestCase {
    private let corpus = Array(0..<35)

    private func rows(_ batch: LMBatch) -> [[Int]] {
        (0..<batch.batchSize).map { b in (0..<batch.numSteps).map { batch.inputs[batch.position(row: b, step: $0)] } }
    }

    func testSequentialAtOffsetZeroIsD2lsPrintedExample() throws {
        let batcher = try LMBatcher(tokens: corpus, batchSize: 2, numSteps: 5, sampling: .sequential)
        let batches = batcher.sequentialEpoch(offset: 0, layout: .batchMajor)
        XCTAssertEqual(batches.map(rows), [
            [[0, 1, 2, 3, 4], [17, 18, 19, 20, 21]],
            [[5, 6, 7, 8, 9], [22, 23, 24, 25, 26]],
            [[10, 11, 12, 13, 14], [27, 28, 29, 30, 31]],
        ])
    }

    func testSequentialBatchesContinueEveryRow() throws {
        let batcher = try LMBatcher(tokens: corpus, batchSize: 2, numSteps: 5, sampling: .sequential)
        var offsets = Set<Int>()
        for seed in 0..<40 {
            var generator = SeededGenerator(seed: UInt64(seed))
            let batches = batcher.epoch(layout: .timeMajor, using: &generator)
            XCTAssertGreaterThanOrEqual(batches.count, 2)
            for batch in batches {
                XCTAssertEqual(batch.layout, .timeMajor)
                XCTAssertEqual(batch.targets, batch.inputs.map { $0 + 1 })
                for row in rows(batch) { XCTAssertEqual(row, Array(row[0]..<(row[0] + 5))) }
            }
            for (previous, next) in zip(batches, batches.dropFirst()) {
                for (a, b) in zip(rows(previous), rows(next)) { XCTAssertEqual(b[0], a[4] + 1, "seed \(seed)") }
            }
            offsets.insert(rows(batches[0])[0][0])
        }
        XCTAssertEqual(offsets, Set(0...5), "d2l draws randint(0, num_steps), both ends included")
    }

    func testRandomCoversEachSubsequenceOncePerEpoch() throws {
        let batcher = try LMBatcher(tokens: corpus, batchSize: 2, numSteps: 5, sampling: .random)
        var offsets = Set<Int>()
        var orders = Set<[Int]>()
        for seed in 0..<40 {
            var generator = SeededGenerator(seed: UInt64(seed))
            let batches = batcher.epoch(layout: .batchMajor, using: &generator)
            XCTAssertEqual(batches.count, 3)
            let starts = batches.flatMap(rows).map { $0[0] }
            let offset = starts.min()!
            XCTAssertEqual(starts.sorted(), Array(stride(from: offset, to: offset + 30, by: 5)), "seed \(seed)")
            for batch in batches {
                XCTAssertEqual(batch.targets, batch.inputs.map { $0 + 1 })
                for row in rows(batch) { XCTAssertEqual(row, Array(row[0]..<(row[0] + 5))) }
            }
            offsets.insert(offset)
            orders.insert(starts.map { $0 - offset })
        }
        XCTAssertEqual(offsets, Set(0...4), "d2l draws randint(0, num_steps - 1)")
        XCTAssertGreaterThan(orders.count, 10, "subsequences are shuffled")
    }

    func testSameSeedSameEpoch() throws {
        let batcher = try LMBatcher(tokens: Array(0..<500), batchSize: 4, numSteps: 7, sampling: .random)
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        XCTAssertEqual(batcher.epoch(layout: .timeMajor, using: &a), batcher.epoch(layout: .timeMajor, using: &b))
        XCTAssertNotEqual(batcher.epoch(layout: .timeMajor, using: &a), batcher.epoch(layout: .timeMajor, using: &b).reversed())
    }

    func testTimeMajorIsTheTransposeOfBatchMajor() {
        let batch = LMBatch(inputs: [0, 1, 2, 10, 11, 12], targets: [1, 2, 3, 11, 12, 13], batchSize: 2, numSteps: 3,
                            layout: .batchMajor)
        let timeMajor = batch.arranged(.timeMajor)
        XCTAssertEqual(timeMajor.inputs, [0, 10, 1, 11, 2, 12])
        XCTAssertEqual(timeMajor.targets, [1, 11, 2, 12, 3, 13])
        XCTAssertEqual(timeMajor.inputValues, [0, 10, 1, 11, 2, 12])
        XCTAssertEqual(timeMajor.arranged(.batchMajor), batch)
    }

    func testTooShortCorpusNamesWhatIsNeeded() throws {
        XCTAssertNoThrow(try LMBatcher(tokens: Array(0..<16), batchSize: 2, numSteps: 5, sampling: .sequential))
        XCTAssertThrowsError(try LMBatcher(tokens: Array(0..<15), batchSize: 2, numSteps: 5, sampling: .sequential)) {
            XCTAssertEqual($0 as? DataError, .corpusTooShort(tokens: 15, needed: 16, batchSize: 2, numSteps: 5))
            XCTAssertEqual(($0 as? DataError)?.exitCode, 64)
            XCTAssertTrue("\($0)".contains("lower batch_size or seq_len"), "\($0)")
        }
        XCTAssertNoThrow(try LMBatcher(tokens: Array(0..<15), batchSize: 2, numSteps: 5, sampling: .random))
        XCTAssertThrowsError(try LMBatcher(tokens: Array(0..<14), batchSize: 2, numSteps: 5, sampling: .random))
        XCTAssertThrowsError(try LMBatcher(tokens: Array(0..<100), batchSize: 0, numSteps: 5, sampling: .random))
    }

    /// nanoGPT's windows: every row a run of T consecutive tokens starting anywhere in 0...N−T−1, its
    /// targets one further on; an epoch holds ⌊(N−1)/(B·T)⌋ batches (at least one); a seed fixes them all.
    func testWindowsAreRandomRunsOfTheStream() throws {
        let batcher = try LMBatcher(tokens: corpus, batchSize: 2, numSteps: 5, sampling: .windows)
        XCTAssertEqual(batcher.batchCount(offset: 0), 3)
        var starts = Set<Int>()
        for seed in 0..<200 {
            var generator = SeededGenerator(seed: UInt64(seed))
            let batches = batcher.epoch(layout: .timeMajor, using: &generator)
            XCTAssertEqual(batches.count, 3)
            for batch in batches {
                for (b, row) in rows(batch).enumerated() {
                    XCTAssertEqual(row, Array(row[0]..<(row[0] + 5)))
                    XCTAssertEqual((0..<5).map { batch.targets[batch.position(row: b, step: $0)] }, row.map { $0 + 1 })
                    starts.insert(row[0])
                }
            }
        }
        XCTAssertEqual(starts, Set(0...29), "every start 0…N−T−1 drawn, none past it")
        var first = SeededGenerator(seed: 7), second = SeededGenerator(seed: 7)
        XCTAssertEqual(batcher.epoch(layout: .batchMajor, using: &first), batcher.epoch(layout: .batchMajor, using: &second))
        XCTAssertEqual(try LMBatcher(tokens: Array(0..<6), batchSize: 4, numSteps: 5, sampling: .windows).batchCount(offset: 0), 1)
        XCTAssertThrowsError(try LMBatcher(tokens: Array(0..<5), batchSize: 1, numSteps: 5, sampling: .windows))
    }
}

/// makemore's framing of one example per line, worked by hand.
final class LineExamplesTests: XCTestCase {
    // "emma" and "bo" with `.` = 0, e m a b o = 1 2 3 4 5.
    private let examples = LineExamples(lines: [[1, 2, 2, 3], [4, 5]], boundary: 0)

    func testFramingPadsInputsWithTheBoundaryAndIgnoresTargetsPastTheEnd() {
        let ignored = LineExamples.ignored
        XCTAssertEqual(examples.length, 5)
        let batch = examples.batch([0, 1, 2], length: 6, layout: .batchMajor)
        XCTAssertEqual(batch.inputs, [0, 1, 2, 2, 3, 0,
                                      0, 4, 5, 0, 0, 0,
                                      0, 0, 0, 0, 0, 0])
        XCTAssertEqual(batch.targets, [1, 2, 2, 3, 0, ignored,
                                       4, 5, 0, ignored, ignored, ignored,
                                       ignored, ignored, ignored, ignored, ignored, ignored])
    }

    func testBatcherDrawsLinesAndRefusesWindowsTooShort() throws {
        let batcher = try LineBatcher(examples, batchSize: 3, length: 5)
        XCTAssertEqual(batcher.batchesPerEpoch, 1)
        XCTAssertFalse(batcher.carriesState)
        var generator = SeededGenerator(seed: 1)
        let rows = batcher.epoch(layout: .batchMajor, using: &generator)[0].inputs
        XCTAssertEqual(rows.count, 15)
        XCTAssertTrue(stride(from: 0, to: 15, by: 5).allSatisfy { [[0, 1, 2, 2, 3], [0, 4, 5, 0, 0]].contains(Array(rows[$0..<($0 + 5)])) })
        XCTAssertThrowsError(try LineBatcher(examples, batchSize: 3, length: 4)) {
            XCTAssertTrue("\($0)".contains("the longest line needs 5 positions"), "\($0)")
        }
    }
}
