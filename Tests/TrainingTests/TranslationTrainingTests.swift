import Core
import Data
import Foundation
import Runs
import Spec
@testable import Training
import XCTest

/// The translation task through the shared Trainer: parallel files named with `{lang}`, word
/// tokenizers per side, length buckets, an attention model that learns to reverse sentences to BLEU
/// ≥ 95 on the test split, its run directory, and a resume that continues bit for bit mid-epoch.
final class TranslationTrainingTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("translation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var generator = SeededGenerator(seed: 11)
        let words = ["sun", "moon", "star", "tree", "river", "stone", "bird", "cloud"]
        for (split, count) in [("train", 640), ("valid", 60), ("test", 60)] {
            let sentences = (0..<count).map { _ in (0..<(3 + Int(generator.next() % 4))).map { _ in words[Int(generator.next() % 8)] } }
            try (sentences.map { $0.joined(separator: " ") }.joined(separator: "\n") + "\n")
                .write(to: directory.appendingPathComponent("\(split).src"), atomically: true, encoding: .utf8)
            try (sentences.map { $0.reversed().joined(separator: " ") }.joined(separator: "\n") + "\n")
                .write(to: directory.appendingPathComponent("\(split).rev"), atomically: true, encoding: .utf8)
        }
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func spec(_ overrides: [String] = []) throws -> ExperimentSpec {
        let files = directory.path
        return try ExperimentSpec.parse("""
            name: reverse
            data: {corpus: reverse, source: src, target: rev, buckets: 2,
                   files: {train: "\(files)/train.{lang}", valid: "\(files)/valid.{lang}", test: "\(files)/test.{lang}"}}
            tokenizer: {kind: word}
            model: {kind: seq2seq, embedding: 16, hidden: 32, attention: additive, encoder_bidirectional: true}
            train: {batch_size: 32, epochs: 25, optimizer: {kind: adam, lr: 0.01}, clip_grad_norm: 1.0}
            eval: {every_steps: 100, metrics: [loss, perplexity, bleu]}
            checkpoint: {every_steps: 100, keep: 2}
            """, path: "reverse.yaml", overrides: overrides)
    }

    func testAnAttentionModelLearnsToReverseSentences() throws {
        let run = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: "reverse")
        let metrics = "eval.metrics=[loss, perplexity, bleu, free_running]"
        let summary = try Trainer(spec: try spec([metrics]), run: run, locator: .forCurrentProcess(dataDirectory: nil),
                                  echo: false).fit()
        guard case .double(let bleu)? = summary["test.bleu"], case .double(let validLoss)? = summary["valid.loss"],
              case .double(let freeLoss)? = summary["test.free_loss"], case .double(let freePPL)? = summary["test.free_ppl"]
        else {
            return XCTFail("\(summary)")
        }
        XCTAssertGreaterThanOrEqual(bleu, 95)
        XCTAssertLessThan(validLoss, 0.1)
        XCTAssertLessThan(freeLoss, 0.2, "fed its own argmax, a model that reverses well still predicts well")
        XCTAssertEqual(freePPL, Foundation.exp(freeLoss), accuracy: 1e-9)
        for file in ["spec.yaml", "plan.txt", "tokenizer.source.json", "tokenizer.target.json", "samples.txt", "summary.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: run.url.appendingPathComponent(file).path), file)
        }
        let plan = try String(contentsOf: run.url.appendingPathComponent("plan.txt"), encoding: .utf8)
        XCTAssertEqual(plan.components(separatedBy: "bucket (").count - 1, 2, "one program per bucket: \(plan)")
        let samples = try String(contentsOf: run.url.appendingPathComponent("samples.txt"), encoding: .utf8)
        XCTAssertTrue(samples.contains(" → "), samples)
    }

    /// `data.source_bos` starts every source with the source tokenizer's `<bos>`, after `data.max_length`
    /// has counted the sentence's own tokens.
    func testSourcesStartWithBOSWhenAsked() throws {
        let locator = DataLocator.forCurrentProcess(dataDirectory: nil)
        let plain = try TranslationCorpus(try spec(["data.max_length=5"]), locator: locator)
        let framed = try TranslationCorpus(try spec(["data.max_length=5", "data.source_bos=true"]), locator: locator)
        let bos = try XCTUnwrap(framed.source.bosID)
        XCTAssertNil(plain.tokens.sourceBOS)
        XCTAssertEqual(framed.tokens.sourceBOS, bos)
        XCTAssertEqual(framed.tooLong, plain.tooLong)
        XCTAssertTrue(plain.train.contains { $0.source.count == 5 }, "sentences of 3 to 6 words, 5 at most kept")
        for (split, (a, b)) in [("train", (plain.train, framed.train)), ("valid", (plain.valid, framed.valid)),
                                ("test", (plain.test, framed.test))] {
            XCTAssertEqual(b.map(\.source), a.map { [bos] + $0.source }, split)
            XCTAssertEqual(b.map(\.target), a.map(\.target), split)
            XCTAssertEqual(b.map { framed.tokens.sentence(ofSource: $0.source) }, a.map(\.source), split)
        }
        let batch = TranslationBatch([framed.train[0]], bucket: 0, batchSize: 1, sourceLength: 8, targetLength: 8,
                                     tokens: framed.tokens)
        XCTAssertEqual(Array(batch.source.prefix(framed.train[0].source.count + 1)),
                       [bos] + plain.train[0].source + [framed.tokens.sourceEOS])
    }

    /// 60 steps straight against 60 whose last 30 are redone from the step-30 checkpoint, which falls
    /// inside the second epoch: in length buckets, and batched as bentrevett's tutorials (random
    /// batches whose padding the encoder reads, teacher forcing drawn per batch, sources from `<bos>`).
    func testResumeIsBitForBit() throws {
        try checkResume([])
        try checkResume(["data.batching=random", "data.padding=read", "model.teacher_forcing=0.5",
                         "model.teacher_forcing_draw=batch", "data.source_bos=true"])
    }

    private func checkResume(_ overrides: [String]) throws {
        let spec = try spec(["train.epochs=null", "train.steps=60", "checkpoint.every_steps=30", "eval.every_steps=30",
                             "eval.metrics=[loss, perplexity]", "model.dropout=0.2"] + overrides)
        let runs = directory.appendingPathComponent("runs-\(overrides.count)")
        let straight = try RunDirectory.create(runsDirectory: runs, name: "straight")
        try Trainer(spec: spec, run: straight, locator: .forCurrentProcess(dataDirectory: nil), echo: false).fit()
        let resumed = try RunDirectory.create(runsDirectory: runs, name: "resumed")
        try Trainer(spec: spec, run: resumed, locator: .forCurrentProcess(dataDirectory: nil), echo: false).fit()
        try FileManager.default.removeItem(at: resumed.checkpoints.url(step: 60))
        let trainer = try Trainer.resume(resumed, locator: .forCurrentProcess(dataDirectory: nil), echo: false)
        XCTAssertEqual(trainer.step, 30)
        try trainer.fit()
        XCTAssertEqual(try Checkpoint.read(from: resumed.checkpoints.url(step: 60)).values,
                       try Checkpoint.read(from: straight.checkpoints.url(step: 60)).values)
        let strip = { (url: URL) in try MetricsWriter.read(url).map { $0.filter { $0.key != "tokens_per_s" } } }
        XCTAssertEqual(try strip(resumed.metricsURL), try strip(straight.metricsURL))
    }
}
