import Core
import Data
import Foundation
import Runs
import Spec
@testable import Training
import XCTest

/// The makemore window models through the Trainer: the bigram's exact NLL on the real names file,
/// an MLP with BatchNorm that learns, samples a name and resumes bit for bit, and the refusals.
final class WindowModelTrainingTests: XCTestCase {
    private static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("window-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let names = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper", "evelyn", "abigail"]
        try (Array(repeating: names, count: 30).flatMap { $0 }.joined(separator: "\n") + "\n")
            .write(to: directory.appendingPathComponent("names.txt"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func spec(_ overrides: [String] = []) throws -> ExperimentSpec {
        try ExperimentSpec.parse("""
            name: mlp
            data: {corpus: \(directory.appendingPathComponent("names.txt").path), format: lines, split: {train: 0.8, valid: 0.1, test: 0.1}}
            tokenizer: {kind: char}
            model: {kind: mlp_lm, block_size: 3, embedding: 6, hidden: 32, batch_norm: true, batch_norm_momentum: 0.01, init: makemore}
            train: {batch_size: 16, steps: 400, optimizer: {kind: sgd, lr: 0.2}}
            eval: {every_steps: 100}
            sample: {prompt: ".", length: 20, stop: ["."]}
            checkpoint: {every_steps: 200, keep: 3}
            """, path: "mlp.yaml", overrides: overrides)
    }

    private func fit(_ spec: ExperimentSpec, name: String) throws -> (RunDirectory, [String: JSONValue]) {
        let run = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: name)
        let trainer = try Trainer(spec: spec, run: run, locator: .forCurrentProcess(dataDirectory: nil), echo: false)
        return (run, try trainer.fit())
    }

    /// makemore part 1's counts with add-1 smoothing over all 32,033 names: the mean NLL of the
    /// 228,146 bigrams is 2.454576820 (computed independently in float64 with NumPy from the same file).
    func testBigramNLLOfEveryNameIsExact() throws {
        let path = Self.packageRoot.appendingPathComponent("experiments/reproduce/bigram_names.yaml").path
        let spec = try ExperimentSpec.load(path: path)
        let run = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: "bigram")
        let locator = DataLocator(dataDirectory: nil, environment: [:], currentDirectory: Self.packageRoot.path)
        let trainer = try Trainer(spec: spec, run: run, locator: locator, echo: false)
        XCTAssertEqual((trainer.session as? LanguageModelSession)?.data.windows?.train.count, 228_146)
        let summary = try trainer.fit()
        guard case .double(let nll)? = summary["train.loss"] else { return XCTFail("\(summary)") }
        XCTAssertEqual(nll, 2.454576820, accuracy: 2e-6)
        XCTAssertEqual(trainer.step, 0, "counting takes no gradient steps")
        let sample = try Sampler.open(run).generate(prompt: ".", Decoding(length: 30, stop: ["."], seed: 3)).text
        XCTAssertTrue(sample.hasPrefix(".") && !sample.dropFirst().contains("."), sample)
    }

    func testMLPWithBatchNormLearnsNamesAndSamplesOne() throws {
        let (run, summary) = try fit(try spec(), name: "mlp")
        guard case .double(let valid)? = summary["valid.loss"], case .double(let test)? = summary["test.loss"] else {
            return XCTFail("\(summary)")
        }
        // 10 names repeated: the boundary-to-first-letter choice (~log 7) is the only real uncertainty.
        XCTAssertLessThan(valid, 0.6, "uniform over the symbols would be \(log(21.0))")
        XCTAssertLessThan(test, 0.6)
        let sample = try Sampler.open(run).generate(prompt: ".", Decoding(length: 20, stop: ["."], seed: 1)).text
        XCTAssertTrue(sample.hasPrefix(".") && !sample.dropFirst().contains("."), sample)
        // The running statistics moved from their zeros and ones, and the checkpoint keeps them.
        let arena = try Trainer.open(run, locator: .forCurrentProcess(dataDirectory: nil), echo: false).arena
        XCTAssertTrue(try arena.value("hidden.0.norm.running_mean").contains { $0 != 0 })
        XCTAssertTrue(try arena.value("hidden.0.norm.running_var").contains { $0 != 1 })
    }

    /// 400 steps straight against 400 of which the last 200 are redone from the step-200 checkpoint:
    /// the data draws and BatchNorm's running statistics are restored with the weights.
    func testResumeIsBitForBit() throws {
        let (straight, _) = try fit(try spec(), name: "straight")
        let (resumed, _) = try fit(try spec(), name: "resumed")
        try FileManager.default.removeItem(at: resumed.checkpoints.url(step: 400))
        try Trainer.resume(resumed, locator: .forCurrentProcess(dataDirectory: nil), echo: false).fit()
        XCTAssertEqual(try Checkpoint.read(from: resumed.checkpoints.url(step: 400)).values,
                       try Checkpoint.read(from: straight.checkpoints.url(step: 400)).values)
    }

    func testAWindowModelOnAStreamIsRefused() throws {
        XCTAssertThrowsError(try fit(try spec(["data.format=stream"]), name: "stream")) {
            XCTAssertTrue("\($0)".contains("set 'data.format: lines'"), "\($0)")
        }
    }
}
