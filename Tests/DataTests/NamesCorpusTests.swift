import Core
import Data
import XCTest

final class NamesCorpusTests: XCTestCase {
    func testWindowsOfAHandWrittenWord() throws {
        let corpus = try NamesCorpus(text: "emma\n\nava\n", source: "inline")
        XCTAssertEqual(corpus.words, ["emma", "ava"])
        XCTAssertEqual(corpus.symbols, [".", "a", "e", "m", "v"])
        let windows = try ContextWindows(LineExamples(lines: [XCTUnwrap(corpus.encode("emma"))], boundary: 0), block: 3)
        // e=2, m=3, a=1, boundary 0.
        XCTAssertEqual(windows.count, 5)
        XCTAssertEqual((0..<5).map { Array(windows.context($0)) }, [[0, 0, 0], [0, 0, 2], [0, 2, 3], [2, 3, 3], [3, 3, 1]])
        XCTAssertEqual(windows.targets, [2, 3, 3, 1, 0])

        // A batch: contexts as inputs, the context shifted with the target last; padding rows ignored.
        let batch = windows.batch([3, 0, 7])
        XCTAssertEqual(batch.inputs, [2, 3, 3, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(batch.targets, [3, 3, 1, 0, 0, 2, 0, 0, LineExamples.ignored])
        XCTAssertEqual([batch.batchSize, batch.numSteps], [3, 3])
    }

    func testBoundaryInsideANameIsAnErrorWithItsLine() {
        XCTAssertThrowsError(try NamesCorpus(text: "ann\nj.r\n", source: "names.txt")) {
            XCTAssertEqual($0 as? DataError, .malformed(file: "names.txt", line: 2,
                                                       reason: "'j.r' contains '.', the start/end symbol of every name"))
        }
        XCTAssertNil(try NamesCorpus(text: "ann\n", source: "x").encode("bob"))
        // Lines may end in CRLF (one Character to Swift) or CR as well as LF.
        XCTAssertEqual(try NamesCorpus(text: "ann\r\nbob\r\n\r\neve\rjo", source: "x").words, ["ann", "bob", "eve", "jo"])
        XCTAssertThrowsError(try NamesCorpus(text: "ann\r\nj.r\r\n", source: "names.txt")) {
            XCTAssertEqual($0 as? DataError, .malformed(file: "names.txt", line: 2,
                                                       reason: "'j.r' contains '.', the start/end symbol of every name"))
        }
        XCTAssertThrowsError(try ContextWindows(LineExamples(lines: [[1]], boundary: 0), block: 0))
    }

    func testWindowBatcherDrawsWithReplacementFromTheSeed() throws {
        let windows = try ContextWindows(LineExamples(lines: [[1, 2, 3, 4]], boundary: 0), block: 2)   // 5 distinct contexts
        let batcher = try WindowBatcher(windows, batchSize: 2)
        XCTAssertEqual(batcher.batchesPerEpoch, 2, "5 examples in batches of 2")
        var (a, b) = (SeededGenerator(seed: 5), SeededGenerator(seed: 5))
        let epoch = batcher.epoch(layout: .batchMajor, using: &a)
        XCTAssertEqual(epoch, batcher.epoch(layout: .batchMajor, using: &b))
        for batch in epoch {
            for row in 0..<2 {
                let context = Array(batch.inputs[(2 * row)..<(2 * row + 2)])
                let example = try XCTUnwrap((0..<windows.count).first { Array(windows.context($0)) == context })
                XCTAssertEqual(batch.targets[2 * row + 1], windows.targets[example])
            }
        }
        XCTAssertThrowsError(try WindowBatcher(ContextWindows(LineExamples(lines: [], boundary: 0), block: 2), batchSize: 2))
    }

    /// REPRODUCE.md §1: 32,033 names, 27 symbols, 228,146 (context, target) pairs over the whole file,
    /// and an 80/10/10 split of the shuffled words.
    func testMakemoreNamesCounts() throws {
        let url = try sharedFile("names/names.txt")
        let corpus = try NamesCorpus(text: DataLocator.readText(at: url), source: url.path)
        XCTAssertEqual(corpus.words.count, 32_033)
        XCTAssertEqual(corpus.symbolCount, 27)
        let windows = try ContextWindows(LineExamples(lines: corpus.words.map { try XCTUnwrap(corpus.encode($0)) },
                                                      boundary: 0), block: 3)
        XCTAssertEqual(windows.count, 228_146)
        XCTAssertEqual(windows.contexts.count, 3 * 228_146)
        XCTAssertEqual(windows.targets.filter { $0 == 0 }.count, 32_033, "one end symbol per name")

        let split = corpus.split(seed: 42)
        XCTAssertEqual([split.train.count, split.valid.count, split.test.count], [25_626, 3_203, 3_204])
        XCTAssertEqual((split.train + split.valid + split.test).sorted(), corpus.words.sorted())
        XCTAssertNotEqual(split.train, Array(corpus.words.prefix(25_626)), "words are shuffled")
        XCTAssertEqual(corpus.split(seed: 42).train, split.train)
        XCTAssertNotEqual(corpus.split(seed: 43).train, split.train)
    }
}
