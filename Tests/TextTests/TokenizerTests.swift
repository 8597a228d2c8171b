import Foundation
import Text
import XCTest

final class VocabularyOrderTests: XCTestCase {
    func testFrequencyDescendingTiesKeepFirstAppearance() throws {
        // b and a both appear twice; b is seen first, so b comes first although a sorts before it.
        let tokenizer = try CharTokenizer.train(on: "ba ab", options: TokenizerOptions())
        XCTAssertEqual(tokenizer.vocabulary.tokens, ["<unk>", "b", "a", " "])
        let words = try WordTokenizer.train(on: "zeta alpha alpha zeta beta", options: TokenizerOptions())
        XCTAssertEqual(words.vocabulary.tokens, ["<unk>", "zeta", "alpha", "beta"])
    }

    func testMinFrequencyDropsRareTokens() throws {
        let options = TokenizerOptions(minFrequency: 2)
        let tokenizer = try WordTokenizer.train(on: "a a a b b c", options: options)
        XCTAssertEqual(tokenizer.vocabulary.tokens, ["<unk>", "a", "b"])
        XCTAssertEqual(tokenizer.encode("c a"), [tokenizer.unknownID, 1])
    }

    /// A min_frequency above every count would leave the reserved tokens alone: refused, saying how far
    /// to lower it.
    func testMinFrequencyThatKeepsNoTokenIsAnError() {
        XCTAssertThrowsError(try WordTokenizer.train(on: "a a a b b c", options: TokenizerOptions(minFrequency: 4))) {
            guard case TextError.invalidOption(let message) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(message.contains("min_frequency 4 keeps no token"), message)
            XCTAssertTrue(message.contains("appears 3 times; lower min_frequency to at most 3"), message)
            XCTAssertEqual(($0 as? TextError)?.exitCode, 64)
        }
        XCTAssertNoThrow(try WordTokenizer.train(on: "a a a b b c", options: TokenizerOptions(minFrequency: 3)))
    }

    func testMaxSizeCountsReservedTokensAndKeepsTheMostFrequent() throws {
        let options = TokenizerOptions(maxSize: 3, reserved: [.padding])
        let tokenizer = try CharTokenizer.train(on: "cccbba", options: options)
        XCTAssertEqual(tokenizer.vocabulary.tokens, ["<unk>", "<pad>", "c"])
        XCTAssertEqual(tokenizer.vocabularySize, 3)
    }

    func testMaxSizeBelowReservedTokensIsAnError() {
        XCTAssertThrowsError(try CharTokenizer.train(on: "abc", options: TokenizerOptions(maxSize: 2, reserved: [.bos, .eos]))) {
            guard case TextError.invalidOption(let message) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(message.contains("max_size 2"), message)
            XCTAssertEqual(($0 as? TextError)?.exitCode, 64)
        }
    }

    func testReservedTokensTakeTheFirstIDsInFixedOrder() throws {
        let tokenizer = try CharTokenizer.train(on: "hello", options: TokenizerOptions(reserved: [.eos, .bos, .padding]))
        XCTAssertEqual(Array(tokenizer.vocabulary.tokens.prefix(4)), ["<unk>", "<pad>", "<bos>", "<eos>"])
        XCTAssertEqual(tokenizer.unknownID, 0)
        XCTAssertEqual(tokenizer.paddingID, 1)
        XCTAssertEqual(tokenizer.bosID, 2)
        XCTAssertEqual(tokenizer.eosID, 3)
        XCTAssertEqual(tokenizer.id(for: "l"), 4)

        let plain = try CharTokenizer.train(on: "hello", options: TokenizerOptions(reserved: [.eos]))
        XCTAssertNil(plain.paddingID)
        XCTAssertNil(plain.bosID)
        XCTAssertEqual(plain.eosID, 1)
    }

    /// Words are what Python's `str.split()` gives (code points, checked with CPython 3.11): a combining
    /// mark after a space is a word of its own (WikiText-2's lone virama), U+001F and U+2028 separate,
    /// U+200B (zero width space, not White_Space) does not.
    func testWordsAreWhatPythonSplitGives() throws {
        let text = "a \u{94D} b\u{1F}c\u{2028}d e\u{200B}f  \u{301}"
        let words = try WordTokenizer.train(on: text, options: TokenizerOptions())
        XCTAssertEqual(words.encode(text).map { words.token(for: $0) }, ["a", "\u{94D}", "b", "c", "d", "e\u{200B}f", "\u{301}"])
    }

    func testACorpusWordSpelledLikeAReservedTokenKeepsTheReservedID() throws {
        let tokenizer = try WordTokenizer.train(on: "<unk> x <unk> <pad>", options: TokenizerOptions(reserved: [.padding]))
        XCTAssertEqual(tokenizer.vocabulary.tokens, ["<unk>", "<pad>", "x"])
    }
}

final class EncodeDecodeTests: XCTestCase {
    func testUnknownCharsAndWordsEncodeToUnk() throws {
        let chars = try CharTokenizer.train(on: "abc", options: TokenizerOptions())
        XCTAssertEqual(chars.encode("abz!"), [chars.id(for: "a")!, chars.id(for: "b")!, 0, 0])
        let words = try WordTokenizer.train(on: "the cat", options: TokenizerOptions())
        XCTAssertEqual(words.encode("the dog"), [words.id(for: "the")!, 0])
        XCTAssertEqual(words.decode(words.encode("the dog")), "the <unk>")
    }

    func testRoundTripOfTrainingText() throws {
        let text = "To be, or not to be:\nthat is the question.\n"
        let chars = try CharTokenizer.train(on: text, options: TokenizerOptions())
        XCTAssertEqual(chars.decode(chars.encode(text)), text)
        XCTAssertEqual(chars.encode(text).count, text.unicodeScalars.count)
        let words = try WordTokenizer.train(on: text, options: TokenizerOptions())
        XCTAssertEqual(words.decode(words.encode(text)), "To be, or not to be: that is the question.")
    }

    func testLowercaseAppliesToTrainingAndEncoding() throws {
        let tokenizer = try CharTokenizer.train(on: "AaBb", options: TokenizerOptions(lowercase: true))
        XCTAssertEqual(tokenizer.vocabulary.tokens, ["<unk>", "a", "b"])
        XCTAssertEqual(tokenizer.encode("BA"), [2, 1])
        XCTAssertEqual(tokenizer.decode([2, 1]), "ba")
    }

    func testDecodeWritesReservedTokensAndOutOfRangeIDsAsTokens() throws {
        let tokenizer = try CharTokenizer.train(on: "ab", options: TokenizerOptions(reserved: [.eos]))
        XCTAssertEqual(tokenizer.decode([2, 3, 1, 99, -1]), "ab<eos><unk><unk>")
        XCTAssertNil(tokenizer.token(for: 99))
    }

    func testOneScalarTokensAreUnicodeScalarsNotGraphemes() throws {
        let text = "e\u{301}\r\n"
        let tokenizer = try CharTokenizer.train(on: text, options: TokenizerOptions())
        XCTAssertEqual(tokenizer.vocabularySize, 5)
        XCTAssertEqual(tokenizer.decode(tokenizer.encode(text)), text)
    }
}
