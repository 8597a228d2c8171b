import Foundation
import Spec
import XCTest

/// Sweep files: the trials they expand to, and every mistake reported at its line and column of the
/// sweep file (not of the base spec, not at a --set pseudo-line).
final class SweepSpecTests: XCTestCase {
    private var fixtures: SpecFixtures!

    override func setUpWithError() throws {
        fixtures = try SpecFixtures()
        try fixtures.write("base.yaml", minimalSpec + "model: {kind: rnn_lm, hidden: 64}\n")
    }

    // XCTest keeps every test case object until the run ends, so the scratch directory is released here.
    override func tearDown() {
        fixtures = nil
    }

    private func sweep(_ body: String) throws -> SweepSpec {
        try SweepSpec.load(path: try fixtures.write("sweep.yaml", "base: base.yaml\n" + body))
    }

    func testGridExpandsEveryCombinationLastKeyFastest() throws {
        let spec = try sweep("""
            parameters:
              train.optimizer.lr: [0.3, 1.0]
              model.hidden: {values: [128, 256]}
              train.optimizer.betas: [[0.9, 0.99]]
            metric: valid.ppl
            """)
        XCTAssertEqual(spec.name, "sweep")
        XCTAssertEqual(spec.base, fixtures.path("base.yaml"))
        XCTAssertEqual(spec.trialOverrides(), [
            ["train.optimizer.lr=0.3", "model.hidden=128", "train.optimizer.betas=[0.9, 0.99]"],
            ["train.optimizer.lr=0.3", "model.hidden=256", "train.optimizer.betas=[0.9, 0.99]"],
            ["train.optimizer.lr=1.0", "model.hidden=128", "train.optimizer.betas=[0.9, 0.99]"],
            ["train.optimizer.lr=1.0", "model.hidden=256", "train.optimizer.betas=[0.9, 0.99]"],
        ])
        // Every override loads on the base, as a trial will.
        for overrides in spec.trialOverrides() {
            XCTAssertNoThrow(try ExperimentSpec.load(path: spec.base, overrides: overrides))
        }
    }

    /// Without `goal`, a sweep seeks the way its metric improves; a given goal stands. The metric must
    /// be one the base experiment's runs log (a trial's training metrics are whatever it logs).
    func testTheGoalFollowsTheMetricUnlessGiven() throws {
        try fixtures.write("base.yaml", minimalSpec + "model: {kind: rnn_lm, hidden: 64}\n"
            + "eval: {every_steps: 10, metrics: [loss, perplexity, accuracy]}\n")
        let parameters = "parameters: {model.hidden: [8, 16]}\n"
        XCTAssertEqual(try sweep(parameters).goal, .minimize, "valid.loss by default")
        XCTAssertEqual(try sweep(parameters + "metric: valid.ppl\n").goal, .minimize)
        XCTAssertEqual(try sweep(parameters + "metric: valid.accuracy\n").goal, .maximize)
        XCTAssertEqual(try sweep(parameters + "metric: test.accuracy\n").goal, .maximize)
        XCTAssertEqual(try sweep(parameters + "metric: train.loss\n").goal, .minimize)
        XCTAssertEqual(try sweep(parameters + "metric: valid.accuracy\ngoal: minimize\n").goal, .minimize)
        // A base without a validation split logs no valid metric, the default valid.loss included.
        try fixtures.write("base.yaml", minimalSpec.replacingOccurrences(of: "}", with: ", split: {train: 1.0, valid: 0.0}}")
            + "model: {kind: rnn_lm, hidden: 64}\n")
        for body in [parameters, parameters + "metric: valid.ppl\n"] {
            XCTAssertThrowsError(try sweep(body), body) {
                XCTAssertTrue(($0 as? SpecError)?.message.hasSuffix("and the runs of base.yaml have no validation split") ?? false,
                              "\($0)")
            }
        }
        XCTAssertEqual(try sweep(parameters + "metric: train.loss\n").metric, "train.loss")
        try fixtures.write("base.yaml", minimalSpec + "model: {kind: rnn_lm, hidden: 64}\n"
            + "eval: {every_steps: 10, metrics: [loss, perplexity, accuracy]}\n")
        XCTAssertThrowsError(try sweep(parameters + "metric: valid.bleu\n")) {
            XCTAssertEqual(($0 as? SpecError)?.message, "'metric' is 'valid.bleu', which the runs of base.yaml do not log")
            XCTAssertEqual(($0 as? SpecError)?.hint, "use one of valid.loss, valid.ppl, valid.accuracy")
        }
    }

    func testRandomDrawsAreInRangeAndFollowTheSeed() throws {
        let body = """
            method: random
            trials: 50
            seed: 7
            parameters:
              train.optimizer.lr: {distribution: log_uniform, min: 0.0001, max: 0.1}
              model.hidden: {distribution: int_uniform, min: 16, max: 20}
              model.dropout: {distribution: uniform, min: 0.0, max: 0.5}
              model.cell: [gru, lstm]
            """
        let trials = try sweep(body).trialOverrides()
        XCTAssertEqual(trials.count, 50)
        XCTAssertEqual(trials, try sweep(body).trialOverrides(), "the seed decides")
        XCTAssertNotEqual(trials, try sweep(body.replacingOccurrences(of: "seed: 7", with: "seed: 8")).trialOverrides())
        func values(_ key: String) -> [String] {
            trials.map { $0.first { $0.hasPrefix(key + "=") }!.dropFirst(key.count + 1) }.map(String.init)
        }
        let rates = values("train.optimizer.lr").compactMap(Double.init)
        XCTAssertEqual(rates.count, 50)
        XCTAssertTrue(rates.allSatisfy { (0.0001...0.1).contains($0) })
        XCTAssertGreaterThan(rates.filter { $0 < 0.001 }.count, 10, "log-uniform: a third of the draws below 1e-3")
        XCTAssertEqual(Set(values("model.hidden")), Set(["16", "17", "18", "19", "20"]))
        XCTAssertTrue(values("model.dropout").compactMap(Double.init).allSatisfy { (0..<0.5).contains($0) })
        XCTAssertEqual(Set(values("model.cell")), ["gru", "lstm"])
    }

    /// (sweep body, line, column, message fragment): each mistake where it was written.
    /// The combination limit is a grid's: random draws take `trials` runs however long the value lists are.
    func testARandomSweepOfLongListsIsNotAGrid() throws {
        let lists = (0..<6).map { "  \(["seed", "train.steps", "train.batch_size", "train.seq_len", "train.threads", "train.grad_accum_steps"][$0]): "
            + "[\((1...10).map(String.init).joined(separator: ", "))]\n" }.joined()
        XCTAssertEqual(try sweep("method: random\ntrials: 4\nparameters:\n" + lists).trialOverrides().count, 4)
    }

    func testMistakesAreReportedWhereTheyAre() throws {
        let cases: [(String, Int, Int, String)] = [
            ("parameters:\n  train.optimizer.lrr: [0.5]\n", 3, 19, "unknown key 'lrr' in 'train.optimizer'"),
            ("parameters:\n  model.hidden: []\n", 3, 17, "'parameters.model.hidden' lists no values to try"),
            ("parameters:\n  model.hidden: [64, -3]\n", 3, 22, "'model.hidden' must be between 1 and 65536, found -3"),
            ("parameters:\n  model.hiden.x: [1]\n", 3, 9, "unknown key 'hiden' in 'model'"),
            ("method: random\ntrials: 3\nparameters:\n  train.optimizer.lr: {distribution: uniform, min: 0.5, max: 0.1}\n",
             5, 62, "'parameters.train.optimizer.lr.max' (0.1) must be greater than 'min' (0.5)"),
            ("method: random\ntrials: 3\nparameters:\n  train.optimizer.lr: {distribution: log_uniform, min: 0.0, max: 1}\n",
             5, 56, "must be > 0 for log_uniform"),
            ("method: random\ntrials: 3\nparameters:\n  train.optimizer.lr: {distribution: normal, min: 0, max: 1}\n",
             5, 38, "unknown distribution 'normal'"),
            ("method: random\ntrials: 3\nparameters:\n  model.hidden: {distribution: uniform, min: 64, max: 512}\n",
             5, 32, "'parameters.model.hidden' takes whole numbers, and uniform draws fractions"),
            ("parameters:\n  train.optimizer.lr: {distribution: uniform, min: 0.1, max: 1}\n", 3, 24,
             "a distribution needs method random"),
            ("method: random\nparameters:\n  model.hidden: [1]\n", 2, 9, "a random sweep needs 'trials'"),
            ("trials: 4\nparameters:\n  model.hidden: [1]\n", 2, 1, "'trials' applies to method random"),
            ("parameters:\n  model.hidden: [1]\nmetric: ppl\n", 4, 9, "'metric' is <split>.<metric>"),
            ("parameters: {}\n", 2, 13, "a sweep needs 'parameters'"),
            ("paramters:\n  model.hidden: [1]\n", 2, 1, "unknown key 'paramters'"),
            ("parameters:\n  model.hidden: 128\n", 3, 17, "takes a list of values"),
            ("method: random\ntrials: 100001\nparameters:\n  model.hidden: [1]\n", 3, 9, "'trials' must be between 1 and 100000"),
            ("method: random\ntrials: 3\nparameters:\n  model.hidden: {distribution: int_uniform, min: 1, max: 9223372036854775807}\n",
             5, 58, "int_uniform takes 'min' and 'max' within ±2^53"),
            ("parameters:\n" + (0..<6).map { "  \(["seed", "train.steps", "train.batch_size", "train.seq_len", "train.threads", "train.epochs"][$0]): "
                + "[\((1...10).map(String.init).joined(separator: ", "))]\n" }.joined(), 3, 3,
             "the grid has more than 100000 combinations"),
            // Values valid alone, a trial invalid with them together: named, its overrides listed.
            ("parameters:\n  train.optimizer.lr: [0.1, 0.3]\n  train.steps: [100]\n  train.epochs: [2]\n", 2, 1,
             "trial-000 (train.optimizer.lr=0.1 train.steps=100 train.epochs=2) is not a valid experiment: set either 'epochs' "
                + "or 'steps' in 'train', not both"),
        ]
        for (body, line, column, message) in cases {
            XCTAssertThrowsError(try sweep(body), body) { error in
                guard let error = error as? SpecError else { return XCTFail("\(error)") }
                XCTAssertEqual(error.location.line, line, "\(body)\n\(error.rendered)")
                XCTAssertEqual(error.location.column, column, "\(body)\n\(error.rendered)")
                XCTAssertTrue(error.message.contains(message), "\(body)\n\(error.rendered)")
                if message.hasPrefix("unknown key") { XCTAssertNotNil(error.hint, "did-you-mean: \(error.rendered)") }
                XCTAssertEqual(error.kind.exitCode, 64)
            }
        }
    }

    func testAMissingBaseIsAMissingFileAtItsName() throws {
        let path = try fixtures.write("sweep.yaml", "base: nowhere.yaml\nparameters: {model.hidden: [1]}\n")
        XCTAssertThrowsError(try SweepSpec.load(path: path)) { error in
            guard let error = error as? SpecError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind.exitCode, 66)
            XCTAssertEqual([error.location.line, error.location.column], [1, 7])
            XCTAssertTrue(error.message.contains("named by 'base'"), error.rendered)
        }
        XCTAssertThrowsError(try SweepSpec.load(path: fixtures.path("absent.yaml"))) {
            XCTAssertEqual(($0 as? SpecError)?.kind.exitCode, 66)
        }
    }
}
