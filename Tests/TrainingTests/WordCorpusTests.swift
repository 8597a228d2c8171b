import Data
import Foundation
import Spec
import Text
@testable import Training
import XCTest

/// Word corpora as PyTorch's word_language_model reads them: `<eos>` after every line, the corpus's
/// own `<unk>` as the unknown token, one vocabulary over the train, valid and test files.
final class WordCorpusTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("words-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in [("train", "a b\n\nc <unk> a\n"), ("valid", "a d\r\n"), ("test", "e a")] {
            try text.write(to: directory.appendingPathComponent(name + ".txt"), atomically: true, encoding: .utf8)
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func corpus(lineEnd: String) throws -> LanguageModelCorpus {
        let path = { (name: String) in self.directory.appendingPathComponent(name + ".txt").path }
        let spec = try ExperimentSpec.parse("""
            data: {corpus: words, files: {train: \(path("train")), valid: \(path("valid")), test: \(path("test"))}, line_end: \(lineEnd)}
            tokenizer: {kind: word}
            """, path: "words.yaml")
        return try LanguageModelCorpus(spec, locator: .forCurrentProcess(dataDirectory: nil))
    }

    func testEveryLineEndsInEOSAndUnknownIsTheCorpusOwn() throws {
        let corpus = try self.corpus(lineEnd: "eos")
        let tokenizer = corpus.tokenizer
        let words = { (ids: [Int]) in ids.map { tokenizer.token(for: $0) ?? "?" } }
        // The empty line is an <eos> of its own; a last line without "\n" still ends in one; "\r\n" is a line end.
        XCTAssertEqual(words(corpus.splits.train), ["a", "b", "<eos>", "<eos>", "c", "<unk>", "a", "<eos>"])
        XCTAssertEqual(words(corpus.splits.valid), ["a", "d", "<eos>"])
        XCTAssertEqual(words(corpus.splits.test), ["e", "a", "<eos>"])
        XCTAssertEqual(corpus.splits.train[5], tokenizer.unknownID)
        XCTAssertEqual(tokenizer.eosID, corpus.splits.train[2])
        // <unk>, <eos>, a, b, c from train and d, e from the other files: no word of valid or test is unknown.
        XCTAssertEqual(tokenizer.vocabularySize, 7)
    }

    /// Samples of a run whose lines end in `<eos>` show line breaks, not the word.
    func testSamplesBreakLinesAtEOS() throws {
        let corpus = try self.corpus(lineEnd: "eos")
        let tokenizer = corpus.tokenizer
        let spec = try ExperimentSpec.parse("""
            data: {corpus: words, line_end: eos}
            tokenizer: {kind: word}
            model: {kind: rnn_lm, embedding: 4, hidden: 4}
            """, path: "words.yaml")
        let sampler = try RunContext(spec: spec, tokenizer: tokenizer, purpose: .inference).sampler()
        let ids = ["a", "b", "<eos>", "<eos>", "c"].compactMap { tokenizer.id(for: $0) }
        XCTAssertEqual(sampler.text(ids), "a b\n\nc")
        var plain = spec
        plain.data.lineEnd = .none
        XCTAssertEqual(try RunContext(spec: plain, tokenizer: tokenizer, purpose: .inference).sampler().text(ids), "a b <eos> <eos> c")
    }

    /// A word LM's sample cut at a stop string is the unstopped sample up to it, the space between the
    /// prompt and the first generated word kept.
    func testAStoppedSampleIsThePrefixOfTheWholeOne() throws {
        let corpus = try self.corpus(lineEnd: "none")
        let spec = try ExperimentSpec.parse("""
            data: {corpus: words}
            tokenizer: {kind: word}
            model: {kind: rnn_lm, embedding: 4, hidden: 4}
            """, path: "words.yaml")
        let sampler = try RunContext(spec: spec, tokenizer: corpus.tokenizer, purpose: .inference).sampler()
        let whole = try sampler.generate(prompt: "a", Decoding(length: 12, seed: 3)).text
        let words = whole.split(separator: " ")
        let stop = try XCTUnwrap(words.dropFirst(2).first { $0 != "a" }, "a sample of more than one word: \(whole)")
        let cut = try sampler.generate(prompt: "a", Decoding(length: 12, stop: [String(stop)], seed: 3)).text
        let firstAfterPrompt = try XCTUnwrap(whole.dropFirst(1).range(of: stop))
        XCTAssertEqual(cut, String(whole[..<firstAfterPrompt.lowerBound]))
        XCTAssertTrue(cut.hasPrefix("a "), cut)
    }

    /// `runner check` says where epoch milestones fall in steps, and what a plateau watches.
    func testTheTrainingLineOfCheck() throws {
        var train = try ExperimentSpec.parse("""
            data: {corpus: words}
            train: {epochs: 20, optimizer: {kind: sgd, lr: 20.0}, clip_grad_norm: 0.25,
                    schedule: {kind: multistep, milestones: [10, 15], unit: epoch, gamma: 0.25}}
            """, path: "words.yaml").train
        XCTAssertEqual(TrainingSummary.line(train, stepsPerEpoch: 544, totalSteps: 10_880, byCounting: false),
                       "training  20 epochs × 544 steps = 10880 steps; sgd lr 20; ×0.25 at epochs 10, 15 (steps 5440, 8160); "
                           + "clip 0.25")
        train.schedule = ScheduleSpec()
        (train.schedule.kind, train.schedule.factor, train.schedule.patience, train.schedule.warmupSteps) = (.plateau, 0.5, 2, 100)
        XCTAssertEqual(TrainingSummary.schedule(train.schedule, stepsPerEpoch: 544),
                       "warm-up 100 steps, then ×0.5 when valid.loss stops improving (patience 2)")
        XCTAssertTrue(TrainingSummary.line(train, stepsPerEpoch: 5, totalSteps: 100, byCounting: false).hasSuffix(
            "\nnote: the warm-up of 100 steps is as long as the run (100 steps) or longer, so the learning rate never reaches 20; "
                + "lower train.schedule.warmup_steps"))
        XCTAssertFalse(TrainingSummary.line(train, stepsPerEpoch: 5, totalSteps: 101, byCounting: false).contains("note:"))
        XCTAssertNil(TrainingSummary.warmupNote(train, totalSteps: 0), "a model fitted by counting takes no step")
        train.schedule.kind = .noam
        XCTAssertNil(TrainingSummary.warmupNote(train, totalSteps: 100), "noam's peak is not lr")
    }

    func testWithoutLineEndsLinesJustRunOn() throws {
        let corpus = try self.corpus(lineEnd: "none")
        XCTAssertEqual(corpus.splits.train.map { corpus.tokenizer.token(for: $0) ?? "?" }, ["a", "b", "c", "<unk>", "a"])
        XCTAssertNil(corpus.tokenizer.eosID)
    }

    func testATokenizerWithoutEOSCannotEndLines() throws {
        let chars = try CharTokenizer.train(on: "ab\n", options: TokenizerOptions())
        XCTAssertThrowsError(try LanguageModelCorpus.encode("ab\n", with: chars, lineEnd: .eos)) {
            XCTAssertEqual($0 as? TrainingError, .noEndOfSequence)
            XCTAssertEqual(($0 as? TrainingError)?.exitCode, 64)
        }
        XCTAssertEqual(try LanguageModelCorpus.encode("ab\n", with: chars, lineEnd: .none), chars.encode("ab\n"))
    }
}
