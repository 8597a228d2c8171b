import Core
import Data
import Foundation
import Runs
import Spec
import Text
@testable import Training
import XCTest

/// A few steps of a tiny char LM on a generated corpus: the run directory is complete and the
/// model learns.
final class TrainerTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("trainer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // A repetitive text, so that a small model can drive its loss well down in a few epochs.
        let text = String(repeating: "the time traveller smiled. ", count: 200)
        try text.write(to: directory.appendingPathComponent("corpus.txt"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func spec(_ overrides: [String] = []) throws -> ExperimentSpec {
        try ExperimentSpec.parse("""
            name: tiny
            data: {corpus: \(directory.appendingPathComponent("corpus.txt").path), split: {train: 0.9, valid: 0.1}}
            tokenizer: {kind: char}
            model: {kind: rnn_lm, cell: gru, embedding: 8, hidden: 32}
            train: {batch_size: 4, seq_len: 10, sampling: sequential, epochs: 6, optimizer: {kind: adam, lr: 0.01}, clip_grad_norm: 1.0}
            eval: {every_steps: 20}
            sample: {prompt: "the", length: 12, temperature: 1.0, top_k: 1}
            checkpoint: {every_steps: 50, keep: 2}
            """, path: "tiny.yaml", overrides: overrides)
    }

    func testTrainingWritesACompleteRunDirectoryAndLearns() throws {
        let run = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: "tiny")
        let trainer = try Trainer(spec: try spec(), run: run, locator: .forCurrentProcess(dataDirectory: nil), echo: false)
        let summary = try trainer.fit()
        for file in ["spec.yaml", "plan.txt", "tokenizer.json", "metrics.jsonl", "log.txt", "summary.json", "samples.txt"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: run.url.appendingPathComponent(file).path), file)
        }
        let events = try MetricsWriter.read(run.metricsURL)
        let losses = events.compactMap { event -> Double? in
            guard event["split"] == "train", case .double(let loss)? = event["loss"] else { return nil }
            return loss
        }
        XCTAssertGreaterThan(losses.count, 2)
        XCTAssertLessThan(losses.last!, losses.first! * 0.5, "train losses \(losses)")
        guard case .double(let validPerplexity)? = summary["valid.ppl"] else { return XCTFail("no valid.ppl in \(summary)") }
        XCTAssertLessThan(validPerplexity, 3)
        XCTAssertEqual(try run.checkpoints.list().count, 2, "keep: 2 prunes the rest")
        // The resolved spec reloads to the spec that ran.
        XCTAssertEqual(try ExperimentSpec.load(path: run.specURL.path).train, try spec().train)
    }

    /// 20 steps straight, against 20 steps whose last 10 are thrown away and redone by `resume` from
    /// the step-10 checkpoint: the same weights bit for bit and the same metrics (minus timings).
    func testResumeContinuesBitForBit() throws {
        // Random sampling and dropout: the data order and the dropout masks must both be restored.
        let spec = try spec(["model.dropout=0.2", "model.layers=2", "train.epochs=null", "train.steps=20",
                             "train.sampling=random", "eval.every_steps=5", "checkpoint.every_steps=10",
                             "checkpoint.keep=5"])
        let runs = directory.appendingPathComponent("runs")
        let straight = try RunDirectory.create(runsDirectory: runs, name: "straight")
        try Trainer(spec: spec, run: straight, locator: .forCurrentProcess(dataDirectory: nil), echo: false).fit()

        let resumed = try RunDirectory.create(runsDirectory: runs, name: "resumed")
        try Trainer(spec: spec, run: resumed, locator: .forCurrentProcess(dataDirectory: nil), echo: false).fit()
        try FileManager.default.removeItem(at: resumed.checkpoints.url(step: 20))
        let trainer = try Trainer.resume(resumed, locator: .forCurrentProcess(dataDirectory: nil), echo: false)
        XCTAssertEqual(trainer.position.step, 10)
        try trainer.fit()

        XCTAssertEqual(try Checkpoint.read(from: resumed.checkpoints.url(step: 20)).values,
                       try Checkpoint.read(from: straight.checkpoints.url(step: 20)).values)
        let strip = { (url: URL) in try MetricsWriter.read(url).map { $0.filter { $0.key != "tokens_per_s" } } }
        XCTAssertEqual(try strip(resumed.metricsURL), try strip(straight.metricsURL))
    }

    /// Sequential partitioning carries state across batches and redraws its offset each epoch; with
    /// batch 16 × seq 30 the 4,860 training tokens make 10 batches an epoch, so the step-10 and
    /// step-20 checkpoints sit exactly at epoch ends and 25 steps end mid-epoch.
    func testSequentialResumeAcrossEpochBoundariesIsBitForBit() throws {
        let sequential = ["train.batch_size=16", "train.seq_len=30", "eval.every_steps=4", "checkpoint.every_steps=10",
                          "checkpoint.keep=5"]
        try assertResumesBitForBit(sequential + ["train.epochs=null", "train.steps=25"], from: 10)
        try assertResumesBitForBit(sequential + ["train.epochs=null", "train.steps=25"], from: 20)
        try assertResumesBitForBit(sequential + ["train.epochs=null", "train.steps=25", "checkpoint.every_steps=7"], from: 14)
        try assertResumesBitForBit(sequential + ["train.epochs=3"], from: 20)
        // A finished run resumed from its last checkpoint trains nothing and keeps its summary.
        try assertResumesBitForBit(sequential + ["train.epochs=null", "train.steps=25"], from: 25)
    }

    /// Trains `overrides` straight, and again with the checkpoints after `step` deleted and resumed
    /// from `step`: the final weights, the metrics (minus timings) and the summary's metrics agree.
    private func assertResumesBitForBit(_ overrides: [String], from step: Int, file: StaticString = #filePath,
                                        line: UInt = #line) throws {
        let spec = try spec(overrides)
        let runs = directory.appendingPathComponent("runs-\(UUID().uuidString)")
        let straight = try RunDirectory.create(runsDirectory: runs, name: "straight")
        try Trainer(spec: spec, run: straight, locator: .forCurrentProcess(dataDirectory: nil), echo: false).fit()
        let resumed = try RunDirectory.create(runsDirectory: runs, name: "resumed")
        try Trainer(spec: spec, run: resumed, locator: .forCurrentProcess(dataDirectory: nil), echo: false).fit()
        for stored in try resumed.checkpoints.list() where stored.step > step {
            try FileManager.default.removeItem(at: stored.url)
        }
        let trainer = try Trainer.resume(resumed, locator: .forCurrentProcess(dataDirectory: nil), echo: false)
        XCTAssertEqual(trainer.position.step, step, file: file, line: line)
        try trainer.fit()

        let last = try XCTUnwrap(try straight.checkpoints.list().last, file: file, line: line)
        XCTAssertEqual(try resumed.checkpoints.list().last?.step, last.step, file: file, line: line)
        XCTAssertEqual(try Checkpoint.read(from: resumed.checkpoints.url(step: last.step)).values,
                       try Checkpoint.read(from: last.url).values, "weights after resuming at \(step)", file: file, line: line)
        let strip = { (url: URL) in try MetricsWriter.read(url).map { $0.filter { $0.key != "tokens_per_s" } } }
        XCTAssertEqual(try strip(resumed.metricsURL), try strip(straight.metricsURL), "metrics after resuming at \(step)",
                       file: file, line: line)
        let summary = { (run: RunDirectory) throws -> [String: JSONValue] in
            guard case .object(let summary) = try JSONValue(parsing: String(decoding: try Data(contentsOf: run.summaryURL),
                                                                              as: UTF8.self)) else { return [:] }
            return summary.dictionary.filter { ["final", "best", "steps"].contains($0.key) }
        }
        XCTAssertEqual(try summary(resumed), try summary(straight), "summary after resuming at \(step)", file: file, line: line)
    }

    /// A plateau schedule's state is in the checkpoint: a run resumed before, between and after its
    /// drops of the rate follows the straight run bit for bit.
    func testPlateauScheduleResumesBitForBit() throws {
        let plateau = ["train.batch_size=16", "train.seq_len=30", "train.epochs=null", "train.steps=30",
                       "train.optimizer={kind: sgd, lr: 4.0}",
                       // Only a halving of the training loss counts as progress here, so the rate drops often.
                       "train.schedule={kind: plateau, factor: 0.5, patience: 0, threshold: 0.5, metric: train.loss}",
                       "eval.every_steps=3", "checkpoint.every_steps=10", "checkpoint.keep=5"]
        let run = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: "plateau")
        try Trainer(spec: try spec(plateau), run: run, locator: .forCurrentProcess(dataDirectory: nil), echo: false).fit()
        let train = try MetricsWriter.read(run.metricsURL).filter { $0["split"] == "train" }
        let rates = train.compactMap { $0["lr"]?.number }
        let later = train.filter { ($0["step"]?.number ?? 0) > 10 }.compactMap { $0["lr"]?.number }
        XCTAssertGreaterThanOrEqual(Set(rates).count, 3, "the rate must drop at least twice: \(rates)")
        XCTAssertGreaterThanOrEqual(Set(later).count, 2, "and once after the first checkpoint: \(rates)")
        for step in [10, 20] { try assertResumesBitForBit(plateau, from: step) }
    }

    /// `eval.every_epochs` evaluates at epoch ends (10 batches an epoch here), and epoch milestones
    /// lower the rate from the first step of that epoch on.
    func testEpochMilestonesAndEvaluationByEpochs() throws {
        let overrides = ["train.batch_size=16", "train.seq_len=30", "train.epochs=3", "eval.every_steps=null", "eval.every_epochs=1",
                         "train.schedule={kind: multistep, milestones: [2], unit: epoch, gamma: 0.1}"]
        let run = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: "epochs")
        try Trainer(spec: try spec(overrides), run: run, locator: .forCurrentProcess(dataDirectory: nil), echo: false).fit()
        let events = try MetricsWriter.read(run.metricsURL)
        XCTAssertEqual(events.filter { $0["split"] == "valid" }.compactMap { $0["step"] }, [.int(10), .int(20), .int(30)])
        let rates = events.filter { $0["split"] == "train" }.compactMap { $0["lr"]?.number }
        XCTAssertEqual(rates.count, 3)
        XCTAssertEqual(rates[0], 0.01, accuracy: 1e-9)
        XCTAssertEqual(rates[1], 0.01, accuracy: 1e-9)
        XCTAssertEqual(rates[2], 0.001, accuracy: 1e-9)
    }

    func testADivergingRunStopsWithTheStepAndAHint() throws {
        let spec = try spec(["train.optimizer.lr=1e38", "train.clip_grad_norm=null", "train.epochs=50"])
        let run = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: "nan")
        let trainer = try Trainer(spec: spec, run: run, locator: .forCurrentProcess(dataDirectory: nil), echo: false)
        XCTAssertThrowsError(try trainer.fit()) { error in
            guard case .divergence(let step, let loss, _)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertGreaterThan(step, 0)
            XCTAssertFalse(loss.isFinite)
            XCTAssertEqual((error as? TrainingError)?.exitCode, 1)
            XCTAssertTrue("\(error)".contains("Lower train.optimizer.lr"), "\(error)")
            // log.txt ends with why the run stopped, as the console showed it.
            let log = (try? String(contentsOf: run.logURL, encoding: .utf8)) ?? ""
            XCTAssertTrue(log.hasSuffix("error: \(error)\n"), log)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.specURL.path), "what was written stays")
    }

    /// A run that an earlier SeqLab wrote — its spec.yaml without a key added since (here `eval.bleu_tokenize`),
    /// its checkpoints hashed over that text — resumes; a value edited in spec.yaml afterwards is refused.
    func testARunWrittenBeforeANewKeyStillOpens() throws {
        let run = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: "older")
        try Trainer(spec: try spec(["train.epochs=null", "train.steps=10", "eval.every_steps=5", "checkpoint.every_steps=5",
                                    "checkpoint.keep=5"]),
                    run: run, locator: .forCurrentProcess(dataDirectory: nil), echo: false).fit()
        let text = try String(contentsOf: run.specURL, encoding: .utf8)
        let older = text.replacingOccurrences(of: "  bleu_tokenize: none\n", with: "")
        XCTAssertNotEqual(older, text)
        try run.writeSpec(older)
        for step in [5, 10] {
            var checkpoint = try Checkpoint.read(from: run.checkpoints.url(step: step))
            checkpoint.specHash = Checkpoint.specHash(of: older)
            try run.checkpoints.save(checkpoint)
        }
        try FileManager.default.removeItem(at: run.checkpoints.url(step: 10))
        do {   // the trainer, and its hold on the run, end with this block
            let trainer = try Trainer.resume(run, locator: .forCurrentProcess(dataDirectory: nil), echo: false)
            XCTAssertEqual(trainer.position.step, 5)
            try trainer.fit()
        }
        XCTAssertEqual(try Checkpoint.read(from: run.checkpoints.url(step: 10)).specHash, Checkpoint.specHash(of: older))

        try run.writeSpec(older.replacingOccurrences(of: "lr: 0.01", with: "lr: 0.02"))
        XCTAssertThrowsError(try Trainer.resume(run, locator: .forCurrentProcess(dataDirectory: nil), echo: false)) {
            XCTAssertTrue("\($0)".contains("spec.yaml changed after the run started"), "\($0)")
        }
    }

    /// A resume that cannot start (here: the dataset is gone) leaves the run's metrics as they were.
    func testAFailedResumeTouchesNothing() throws {
        let run = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: "kept")
        try Trainer(spec: try spec(["train.epochs=null", "train.steps=20", "eval.every_steps=5",
                                    "checkpoint.every_steps=10", "checkpoint.keep=5"]),
                    run: run, locator: .forCurrentProcess(dataDirectory: nil), echo: false).fit()
        try FileManager.default.removeItem(at: run.checkpoints.url(step: 20))
        let before = try Data(contentsOf: run.metricsURL)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("corpus.txt"))
        XCTAssertThrowsError(try Trainer.resume(run, locator: .forCurrentProcess(dataDirectory: nil), echo: false))
        XCTAssertEqual(try Data(contentsOf: run.metricsURL), before)
    }

    func testAMissingCorpusNamesThePlacesLooked() throws {
        var spec = try spec()
        spec.data.corpus = "timemachine"
        let empty = directory.appendingPathComponent("nothing").path
        let locator = DataLocator(dataDirectory: empty, environment: [:], currentDirectory: empty)
        let run = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: "missing")
        XCTAssertThrowsError(try Trainer(spec: spec, run: run, locator: locator, echo: false)) { error in
            guard let error = error as? DataError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.exitCode, 66)
            XCTAssertTrue("\(error)".contains(empty), "\(error)")
        }
    }

    func testGreedyDrawTakesTheLargestLogitAndTemperatureSpreads() {
        var rng = SeededGenerator(seed: 1)
        XCTAssertEqual(Sampler.draw([0.1, 3, -1, 2.9], Decoding(length: 1, topK: 1), using: &rng), 1)
        var counts = [0, 0, 0]
        for _ in 0..<3000 { counts[Sampler.draw([0, 0, 0], Decoding(length: 1), using: &rng)] += 1 }
        XCTAssertTrue(counts.allSatisfy { $0 > 850 && $0 < 1150 }, "\(counts)")
    }

    /// Top-p keeps the smallest set of likeliest tokens reaching p: probabilities ∝ (4, 2, 1, 1) give
    /// 0.5, 0.25, 0.125, 0.125, so p = 0.7 keeps the first two, in proportion 2 : 1.
    func testTopPKeepsTheSmallestLikelySetReachingP() {
        var rng = SeededGenerator(seed: 2)
        let logits = [4, 2, 1, 1].map { Float(log(Double($0))) }
        var counts = [0, 0, 0, 0]
        for _ in 0..<3000 { counts[Sampler.draw(logits, Decoding(length: 1, topP: 0.7), using: &rng)] += 1 }
        XCTAssertEqual(counts[2] + counts[3], 0, "\(counts)")
        XCTAssertEqual(Double(counts[0]) / Double(counts[1]), 2, accuracy: 0.25, "\(counts)")
        for _ in 0..<100 { XCTAssertEqual(Sampler.draw(logits, Decoding(length: 1, topP: 0.01), using: &rng), 0) }
    }

    /// A tiny GPT as nanoGPT trains it: random windows, two batches accumulated per step, AdamW with
    /// decay on matrices only. It learns, keeps its best-validation checkpoint, and resumes bit for bit.
    private static let gpt = ["model={kind: gpt, block_size: 16, layers: 2, heads: 2, width: 32, tie_embeddings: true}",
                              "train.seq_len=16", "train.sampling=windows",
                              "train.grad_accum_steps=2", "train.optimizer.kind=adamw", "train.optimizer.decay=matrices",
                              "train.optimizer.weight_decay=0.1", "train.epochs=null", "train.steps=30", "eval.batches=4",
                              "eval.every_steps=10", "checkpoint.every_steps=10", "checkpoint.keep=5"]

    func testGPTTrainsLikeNanoGPT() throws {
        let run = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: "gpt")
        let trainer = try Trainer(spec: try spec(Self.gpt), run: run, locator: .forCurrentProcess(dataDirectory: nil), echo: false)
        let summary = try trainer.fit()
        let events = try MetricsWriter.read(run.metricsURL)
        let losses = events.compactMap { event -> Double? in
            guard event["split"] == "valid", case .double(let loss)? = event["loss"] else { return nil }
            return loss
        }
        XCTAssertEqual(losses.count, 3)
        XCTAssertLessThan(losses.last!, losses.first! * 0.7, "valid losses \(losses)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.checkpoints.bestURL.path))
        // The best checkpoint is the one of the lowest validation loss, here the last.
        XCTAssertEqual(try Checkpoint.read(from: run.checkpoints.bestURL).values,
                       try Checkpoint.read(from: run.checkpoints.url(step: 30)).values)
        guard case .double(let validLoss)? = summary["valid.loss"] else { return XCTFail("\(summary)") }
        XCTAssertEqual(validLoss, losses.last!)
    }

    /// A run that starts from another run's weights reads its text with that run's tokenizer: a corpus
    /// of the same characters in another order of frequency would otherwise number them anew, fit
    /// every shape and scramble the embeddings.
    func testInitFromARunKeepsItsVocabulary() throws {
        let locator = DataLocator.forCurrentProcess(dataDirectory: nil)
        let source = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: "source")
        _ = try Trainer(spec: try spec(["train.epochs=1", "train.threads=1"]), run: source, locator: locator, echo: false).fit()
        let reordered = directory.appendingPathComponent("reordered.txt")
        try String(repeating: "dellims rellevart emit eht. ", count: 200).write(to: reordered, atomically: true, encoding: .utf8)
        let started = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: "started")
        _ = try Trainer(spec: try spec(["data.corpus=\(reordered.path)", "init_from=\(source.url.path)", "train.epochs=1",
                                        "train.threads=1"]), run: started, locator: locator, echo: false)
        let (theirs, ours) = (try TokenizerFile.load(from: source.tokenizerURL), try TokenizerFile.load(from: started.tokenizerURL))
        XCTAssertEqual(ours.encode("the time traveller"), theirs.encode("the time traveller"))
        // Trained on the reordered text itself, the vocabulary would differ: the test would catch that.
        XCTAssertNotEqual(try LanguageModelCorpus(try spec(["data.corpus=\(reordered.path)"]), locator: locator).tokenizer
            .encode("the time traveller"), theirs.encode("the time traveller"))
    }

    /// The test split is scored with the best-validation weights, and its metrics line carries their
    /// step. On random letters a GRU of 64 overfits: its best validation comes well before its end.
    func testTheTestLineCarriesTheStepOfTheWeightsItScored() throws {
        var state: UInt64 = 7
        let letters = (0..<3000).map { _ -> Character in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Character(Unicode.Scalar(UInt8(97 + (state >> 33) % 8)))
        }
        let corpus = directory.appendingPathComponent("letters.txt")
        try String(letters).write(to: corpus, atomically: true, encoding: .utf8)
        let run = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: "letters")
        let overrides = ["data.corpus=\(corpus.path)", "data.split={train: 0.8, valid: 0.1, test: 0.1}", "model.hidden=64",
                         "train.epochs=12", "train.optimizer.lr=0.02", "train.threads=1"]
        _ = try Trainer(spec: try spec(overrides), run: run, locator: .forCurrentProcess(dataDirectory: nil), echo: false).fit()
        let events = try MetricsWriter.read(run.metricsURL)
        let best = try Checkpoint.read(from: run.checkpoints.bestURL).step
        let last = events.compactMap { event -> Int? in if case .int(let step)? = event["step"] { step } else { nil } }.max()
        XCTAssertLessThan(best, try XCTUnwrap(last), "the run was meant to overfit")
        let test = try XCTUnwrap(events.last { $0["split"] == "test" })
        XCTAssertEqual(test["step"], .int(best))
    }

    func testGPTResumesBitForBit() throws {
        try assertResumesBitForBit(Self.gpt, from: 10)
    }

    /// ELMo's biLM mid-epoch on a sequential stream: the forward model's carried state (h 8 wide, c 12)
    /// is saved and restored with the checkpoint, and both directions' metrics come out the same.
    func testELMoResumesBitForBit() throws {
        try assertResumesBitForBit(["model={kind: elmo, embedding: 8, hidden: 12, projection: 8, layers: 2, dropout: 0.1}",
                                    "train.epochs=null", "train.steps=30", "eval.every_steps=10", "checkpoint.every_steps=10",
                                    "checkpoint.keep=5"], from: 10)
    }

    /// Splitting the kernels over two threads changes results by rounding only: the first steps on one
    /// thread and on two report the same losses to float tolerance, and later ones stay close. (Adam
    /// turns the rounding noise of a zero gradient, such as the key bias's, into full-size steps, so
    /// the runs drift apart slowly; a wrong split would differ from the first step.)
    func testTwoThreadsTrainLikeOne() throws {
        var losses: [[Double]] = []
        for threads in [1, 2] {
            let run = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: "t\(threads)")
            let spec = try spec(Self.gpt + ["train.steps=10", "eval.every_steps=2", "train.threads=\(threads)",
                                            "model.width=64"])
            try Trainer(spec: spec, run: run, locator: .forCurrentProcess(dataDirectory: nil), echo: false).fit()
            losses.append(try MetricsWriter.read(run.metricsURL).compactMap { event in
                guard case .double(let loss)? = event["loss"] else { return nil }
                return loss
            })
        }
        XCTAssertEqual(losses[0].count, 10)
        for (step, (one, two)) in zip(losses[0], losses[1]).enumerated() {
            XCTAssertEqual(one, two, accuracy: (step < 2 ? 1e-4 : 3e-2) * one, "step \(step + 1): \(losses)")
        }
    }

    /// One example per line, makemore-style: a tiny GPT learns a few names, the test split is scored
    /// at the end, and sampling from the boundary stops at the next boundary.
    func testLinesFormatTrainsOnFramedNames() throws {
        let names = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper", "evelyn", "abigail"]
        let corpus = directory.appendingPathComponent("names.txt")
        try (Array(repeating: names, count: 20).flatMap { $0 }.joined(separator: "\n") + "\n")
            .write(to: corpus, atomically: true, encoding: .utf8)
        let run = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: "names")
        let spec = try spec(Self.gpt + ["data.corpus=\(corpus.path)", "data.format=lines",
                                        "data.split={train: 0.8, valid: 0.1, test: 0.1}", "train.seq_len=9",
                                        "train.steps=60", "eval.every_steps=30", "sample.prompt=.", "sample.stop=[.]"])
        let summary = try Trainer(spec: spec, run: run, locator: .forCurrentProcess(dataDirectory: nil), echo: false).fit()
        guard case .double(let test)? = summary["test.loss"], case .double(let valid)? = summary["valid.loss"] else {
            return XCTFail("\(summary)")
        }
        XCTAssertLessThan(test, 1.2, "a 10-name corpus is learnt (uniform over 27 symbols would be 3.3)")
        XCTAssertLessThan(valid, 1.2)
        let tokenizer = try TokenizerFile.load(from: run.tokenizerURL)
        XCTAssertEqual(tokenizer.vocabularySize, 1 + Set(names.joined()).count, "the boundary and the letters, no <unk>")
        let sample = try Sampler.open(run).generate(prompt: ".", Decoding(length: 20, stop: ["."], seed: 1)).text
        XCTAssertTrue(sample.hasPrefix(".") && !sample.dropFirst().contains("."), sample)
    }

    /// The KV cache gives the text that recomputing the whole context gives, past the point where the
    /// cache fills and starts over.
    func testCachedSamplingEqualsFullRecompute() throws {
        let run = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: "gpt")
        let trainer = try Trainer(spec: try spec(Self.gpt + ["train.steps=10"]), run: run,
                                  locator: .forCurrentProcess(dataDirectory: nil), echo: false)
        try trainer.fit()
        let sampler = try Sampler.open(run)
        for seed in 0..<3 as Range<UInt64> {
            let cached = try sampler.generate(prompt: "the time", Decoding(length: 60, seed: seed)).text
            let recomputed = try sampler.generate(prompt: "the time", Decoding(length: 60, seed: seed, useCache: false)).text
            XCTAssertEqual(cached, recomputed, "seed \(seed)")
            XCTAssertTrue(cached.hasPrefix("the time"))
            // A stop string ends the text just before it, and fewer tokens are generated.
            let stopped = try sampler.generate(prompt: "the time", Decoding(length: 60, stop: [" "], seed: seed))
            XCTAssertEqual(stopped.text, "the time" + cached.dropFirst("the time".count).prefix { $0 != " " })
            XCTAssertLessThanOrEqual(stopped.tokens, 60)
        }
    }
}
