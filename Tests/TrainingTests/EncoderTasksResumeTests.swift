import Core
import Data
import Foundation
import Runs
import Spec
@testable import Training
import XCTest

/// The classification and masked_lm tasks through the shared Trainer resume bit for bit: 40 steps
/// straight against 40 whose last 25 are redone from the step-15 checkpoint, mid-epoch (an epoch is
/// about 20 batches of texts, 10 of pairs), with dropout (and for BERT, the pairs and masks each
/// epoch draws afresh).
final class EncoderTasksResumeTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("encoders-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var generator = SeededGenerator(seed: 13)
        let words = ["sun", "moon", "star", "tree", "river", "stone", "bird", "cloud"]
        func sentence() -> String { (0..<(2 + Int(generator.next() % 5))).map { _ in words[Int(generator.next() % 8)] }.joined(separator: " ") }
        let labelled = (0..<300).map { _ in "\(generator.next() % 3)\t" + sentence() }
        try (["label\ttext"] + labelled).joined(separator: "\r\n").write(to: directory.appendingPathComponent("labels.tsv"),
                                                                      atomically: true, encoding: .utf8)
        let documents = (0..<20).map { d in " = Story \(d) = \n" + (0..<5).map { _ in sentence() + " ." }.joined(separator: " ") }
        try documents.joined(separator: "\n").write(to: directory.appendingPathComponent("corpus.txt"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func assertResumesBitForBit(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let spec = try ExperimentSpec.parse(yaml, path: "resume.yaml")
        let runs = directory.appendingPathComponent("runs")
        let locator = DataLocator.forCurrentProcess(dataDirectory: nil)
        let straight = try RunDirectory.create(runsDirectory: runs, name: spec.name + "-straight")
        try Trainer(spec: spec, run: straight, locator: locator, echo: false).fit()
        let resumed = try RunDirectory.create(runsDirectory: runs, name: spec.name + "-resumed")
        try Trainer(spec: spec, run: resumed, locator: locator, echo: false).fit()
        for step in [30, 40] { try FileManager.default.removeItem(at: resumed.checkpoints.url(step: step)) }
        let trainer = try Trainer.resume(resumed, locator: locator, echo: false)
        XCTAssertEqual(trainer.step, 15, file: file, line: line)
        try trainer.fit()
        XCTAssertEqual(try Checkpoint.read(from: resumed.checkpoints.url(step: 40)).values,
                       try Checkpoint.read(from: straight.checkpoints.url(step: 40)).values, file: file, line: line)
        let strip = { (url: URL) in try MetricsWriter.read(url).map { $0.filter { $0.key != "tokens_per_s" } } }
        XCTAssertEqual(try strip(resumed.metricsURL), try strip(straight.metricsURL), file: file, line: line)
    }

    func testClassificationResumesBitForBit() throws {
        let path = directory.appendingPathComponent("labels.tsv").path
        try assertResumesBitForBit("""
            name: labels
            task: classification
            data: {corpus: labels, buckets: 3, files: {train: "\(path)", valid: "\(path)"}}
            tokenizer: {kind: word}
            model: {kind: classifier, encoder: transformer, width: 16, layers: 1, heads: 2, dropout: 0.2}
            train: {batch_size: 16, steps: 40, optimizer: {kind: adamw, lr: 0.003}, head_lr: 0.01}
            eval: {every_steps: 20}
            checkpoint: {every_steps: 15, keep: 5, best_by: valid.accuracy}
            """)
    }

    func testMaskedLMResumesBitForBit() throws {
        let path = directory.appendingPathComponent("corpus.txt").path
        try assertResumesBitForBit("""
            name: stories
            task: masked_lm
            data: {corpus: stories, files: {train: "\(path)", valid: "\(path)"}}
            tokenizer: {kind: wordpiece, vocab_size: 40}
            model: {kind: bert, width: 16, layers: 1, heads: 2, ffn: 32, max_positions: 32, dropout: 0.2}
            train: {batch_size: 8, seq_len: 24, steps: 40, optimizer: {kind: adamw, lr: 0.003}}
            eval: {every_steps: 20}
            checkpoint: {every_steps: 15, keep: 5}
            """)
    }
}
