import Foundation
import Text
import XCTest

final class LettersNormalizationTests: XCTestCase {
    /// Expected lines computed with d2l's `re.sub('[^A-Za-z]+', ' ', line).strip().lower()`.
    func testEachLineKeepsLettersOnlyLowercasedAndStripped() {
        let text = "The Time Machine, by H. G. Wells [1898]\n\n\nI\nThe Time Traveller (for so it will be convenient to speak\n"
            + "of him) was expounding -- a recondite matter to us.\n"
        let lines = Preprocessor(lowercase: false, normalization: .letters).lines(of: text)
        XCTAssertEqual(lines, [
            "the time machine by h g wells", "", "", "i",
            "the time traveller for so it will be convenient to speak", "of him was expounding a recondite matter to us", "",
        ])
    }

    func testNonASCIILettersAndDigitsBecomeSpaces() {
        let lines = Preprocessor(lowercase: false, normalization: .letters).lines(of: "  Café 42 déjà\tvu!!  ")
        XCTAssertEqual(lines, ["caf d j vu"])
    }

    func testCharCorpusConcatenatesLinesWithNothingBetween() throws {
        let text = "The end.\nA new line\n"
        let tokenizer = try CharTokenizer.train(on: text, options: TokenizerOptions(normalization: .letters))
        XCTAssertEqual(tokenizer.decode(tokenizer.encode(text)), "the enda new line")
        XCTAssertNil(tokenizer.id(for: "."))
        XCTAssertNil(tokenizer.id(for: "T"))
    }

    func testWordLevelSplitsTheCleanedLines() throws {
        let text = "The end.\nA new, new line\n"
        let tokenizer = try WordTokenizer.train(on: text, options: TokenizerOptions(normalization: .letters))
        XCTAssertEqual(tokenizer.vocabulary.tokens, ["<unk>", "new", "the", "end", "a", "line"])
        XCTAssertEqual(tokenizer.decode(tokenizer.encode(text)), "the end a new new line")
    }

    /// REPRODUCE.md §3: d2l's Time Machine at char level has 28 symbols (`<unk>`, space, a–z), all of
    /// them within the first 10,000 chars.
    func testTimeMachineFirstTenThousandCharsHaveTwentyEightSymbols() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("../shared/data/timemachine/timemachine.txt")
        let text = try String(contentsOf: url, encoding: .utf8)
        let tokenizer = try CharTokenizer.train(on: text, options: TokenizerOptions(normalization: .letters))
        let corpus = Array(tokenizer.encode(text).prefix(10_000))
        XCTAssertEqual(corpus.count, 10_000)
        XCTAssertEqual(tokenizer.vocabularySize, 28)
        XCTAssertEqual(Set(corpus).count, 27, "every symbol but <unk> occurs in the first 10,000")
        XCTAssertFalse(corpus.contains(tokenizer.unknownID))
        XCTAssertEqual(tokenizer.vocabulary.tokens[0], "<unk>")
        XCTAssertEqual(Set(tokenizer.vocabulary.tokens.dropFirst()), Set(" abcdefghijklmnopqrstuvwxyz".map(String.init)))
    }
}
