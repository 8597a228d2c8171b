import Data
import Text
import XCTest

final class SplitTests: XCTestCase {
    func testFirstNinetyPercentTrainLastTenValidAsNanoGPT() throws {
        let splits = TokenSplits(tokens: Array(0..<1003), fractions: try SplitFractions(train: 0.9, valid: 0.1))
        XCTAssertEqual(splits.train, Array(0..<902), "int(1003 * 0.9) = 902")
        XCTAssertEqual(splits.valid, Array(902..<1003))
        XCTAssertEqual(splits.test, [])
    }

    func testEightyTenTenBoundariesTruncateLikePython() throws {
        // int(0.8 * 32033) = 25626, int(0.9 * 32033) = 28829.
        let ranges = SplitFractions.eightyTenTen.ranges(count: 32_033)
        XCTAssertEqual(ranges.train, 0..<25_626)
        XCTAssertEqual(ranges.valid, 25_626..<28_829)
        XCTAssertEqual(ranges.test, 28_829..<32_033)
        XCTAssertEqual(try SplitFractions(train: 0.8, valid: 0.1, test: 0.1).ranges(count: 32_033).test, ranges.test)
    }

    func testFractionsBelowOneLeaveTheRestUnused() throws {
        let ranges = try SplitFractions(train: 0.5, valid: 0.2).ranges(count: 10)
        XCTAssertEqual(ranges.train, 0..<5)
        XCTAssertEqual(ranges.valid, 5..<7)
        XCTAssertEqual(ranges.test, 7..<7)
    }

    func testImpossibleFractionsAreErrors() {
        for (train, valid, test) in [(0.9, 0.2, 0.0), (-0.1, 0.5, 0.0), (0.0, 0.5, 0.5), (1.5, 0.0, 0.0)] {
            XCTAssertThrowsError(try SplitFractions(train: train, valid: valid, test: test), "\(train) \(valid) \(test)") {
                XCTAssertEqual(($0 as? DataError)?.exitCode, 64)
            }
        }
    }

    /// REPRODUCE.md §3: the first 10,000 chars of the cleaned Time Machine, over 28 symbols.
    func testTimeMachineCutToMaxCharsThenSplit() throws {
        let text = try sharedLocator.text(of: "timemachine")
        let tokenizer = try CharTokenizer.train(on: text, options: TokenizerOptions(normalization: .letters))
        let splits = TokenSplits(stream: tokenizer.encode(text), maxTokens: 10_000,
                                 fractions: try SplitFractions(train: 0.9, valid: 0.1))
        XCTAssertEqual(splits.train.count, 9_000)
        XCTAssertEqual(splits.valid.count, 1_000)
        XCTAssertEqual(splits.train + splits.valid, Array(tokenizer.encode(text).prefix(10_000)))
        XCTAssertEqual(tokenizer.vocabularySize, 28)
    }

    func testSplitsBySeparateFilesKeepEachStream() {
        let splits = TokenSplits(train: [1, 2], valid: [3], test: [4, 5, 6])
        XCTAssertEqual([splits.train, splits.valid, splits.test], [[1, 2], [3], [4, 5, 6]])
    }
}
