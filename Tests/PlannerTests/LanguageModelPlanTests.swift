import Core
import Engine
import Foundation
import Graph
import Models
@testable import Planner
import Spec
import TestSupport
import XCTest

final class LanguageModelPlanTests: XCTestCase {
    private func spec(_ yaml: String) throws -> ExperimentSpec {
        try ExperimentSpec.parse(yaml, path: "test.yaml")
    }

    func testGRUCharLMPlanHasTheBenchmarkShapes() throws {
        let plan = try LanguageModelPlan(try spec("""
            data: {corpus: timemachine}
            model: {kind: rnn_lm, cell: gru, embedding: 32, hidden: 256}
            train: {batch_size: 32, seq_len: 35}
            """), vocabularySize: 28)
        let summary = PlanSummary(graph: plan.train.graph, roots: [plan.train.loss] + plan.train.gradients.map(\.gradient))
        XCTAssertEqual(summary.parameterCount, 230_812)
        // Forward GEMMs: input projection, 35 recurrent steps, head; backward doubles each (dX and dW)
        // except the first step's dX: the initial state is an input, so no gradient flows into it.
        let step = 2 * 32 * 256 * 768
        let forward = 2 * (35 * 32) * 32 * 768 + 35 * step + 2 * (35 * 32) * 256 * 28
        XCTAssertEqual(summary.matmulFlops, 3 * forward - step)
        XCTAssertEqual(plan.train.stateInputs, ["state.0.0"])
        XCTAssertTrue(summary.text.contains("rnn.layers.0.w_hh"))
        XCTAssertTrue(summary.text.contains("total"))
    }

    func testEvalGraphHasNoGradientsAndLSTMCarriesTwoStates() throws {
        let plan = try LanguageModelPlan(try spec("""
            data: {corpus: timemachine}
            model: {kind: rnn_lm, cell: lstm, embedding: 8, hidden: 16, layers: 2}
            train: {batch_size: 4, seq_len: 5}
            """), vocabularySize: 10)
        XCTAssertTrue(plan.eval.gradients.isEmpty)
        XCTAssertFalse(plan.eval.graph.isTraining)
        XCTAssertEqual(plan.train.stateInputs, ["state.0.0", "state.0.1", "state.1.0", "state.1.1"])
        XCTAssertEqual(plan.train.stateOutputs.map(\.shape), Array(repeating: [4, 16], count: 4))
    }

    func testUnsupportedModelKindIsAPlanError() throws {
        XCTAssertThrowsError(try LanguageModelPlan(try spec("data: {corpus: x}\nmodel: {kind: bert}"), vocabularySize: 10)) {
            XCTAssertEqual($0 as? PlanError, .unsupported("model kind 'bert'", keys: ["model.kind"]))
        }
    }

    /// A rule over keys the planner checks is reported where the key to change was written: given by
    /// `--set` before the spec's own file, the spec's file before the one it extends, the first key
    /// named among equals; a section, or the file itself, when only defaults are involved.
    func testAPlanErrorIsReportedAtTheKeyToChange() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("origins-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = directory.appendingPathComponent("base.yaml")
        try "data: {corpus: x}\nmodel:\n  kind: gpt\n  block_size: 32\ntrain:\n  seq_len: 32\n".write(to: base, atomically: true,
                                                                                                       encoding: .utf8)
        let child = directory.appendingPathComponent("child.yaml")
        try "extends: base.yaml\nmodel: {block_size: 16}\n".write(to: child, atomically: true, encoding: .utf8)
        func located(_ path: URL, _ overrides: [String] = []) throws -> SpecError? {
            let spec = try ExperimentSpec.load(path: path.path, overrides: overrides)
            var caught: (any Error)?
            XCTAssertThrowsError(try spec.locating { try LanguageModelPlan(spec, vocabularySize: 10) }) { caught = $0 }
            return caught as? SpecError
        }
        let inBase = try XCTUnwrap(located(base, ["train.seq_len=64"]))
        XCTAssertEqual(inBase.location, SourceLocation(path: "--set", line: 1, column: 15))
        XCTAssertEqual(inBase.message, "train.seq_len 64 is longer than model.block_size 32, the positions GPT learns; "
            + "lower seq_len or raise block_size")
        XCTAssertEqual(inBase.exitCode, 64)
        XCTAssertEqual(try located(child)?.location, SourceLocation(path: child.path, line: 2, column: 21))
        XCTAssertEqual(try located(child, ["model.block_size=8"])?.location.path, "--set")
        // Both keys in one file: the first named, seq_len.
        try "data: {corpus: x}\nmodel: {kind: gpt, block_size: 8}\ntrain: {seq_len: 16}\n".write(to: base, atomically: true,
                                                                                                   encoding: .utf8)
        XCTAssertEqual(try located(base)?.location, SourceLocation(path: base.path, line: 3, column: 18))
        // seq_len left at its default: the other key, block_size.
        try "data: {corpus: x}\nmodel: {kind: gpt, block_size: 8}\n".write(to: base, atomically: true, encoding: .utf8)
        XCTAssertEqual(try located(base)?.location, SourceLocation(path: base.path, line: 2, column: 32))
        // Keys at their defaults: the section written, else the file without a line.
        let sections = try spec("data: {corpus: x}\nmodel: {kind: gpt}\n").origins
        XCTAssertEqual(sections.error(at: ["train.seq_len", "model.block_size"], "m")?.location,
                       SourceLocation(path: "test.yaml", line: 2, column: 8))
        XCTAssertEqual(sections.error(at: ["train.seq_len"], "m")?.location, SourceLocation(path: "test.yaml", line: 0, column: 0))
        // A spec made in code has no file: the plan error stays itself.
        var made = ExperimentSpec()
        made.model.kind = .gpt
        (made.model.blockSize, made.train.seqLen) = (8, 16)
        XCTAssertThrowsError(try made.locating { try LanguageModelPlan(made, vocabularySize: 10) }) {
            XCTAssertEqual(($0 as? PlanError)?.keys, ["train.seq_len", "model.block_size"])
        }
    }

    /// GPT's passes: batch-major tokens, no state, a decode pass over the whole block and the two
    /// cached decoding graphs; a training window longer than the learned positions is refused.
    func testGPTPlan() throws {
        let yaml = "data: {corpus: x}\nmodel: {kind: gpt, block_size: 8, layers: 2, heads: 2, width: 16}\n"
            + "train: {batch_size: 3, seq_len: 6, steps: 1}"
        let plan = try LanguageModelPlan(try spec(yaml), vocabularySize: 10)
        XCTAssertEqual(plan.layout, .batchMajor)
        XCTAssertEqual(plan.train.logits.shape, [3, 6, 10])
        XCTAssertEqual(plan.train.stateInputs, [])
        XCTAssertEqual(plan.decode.length, 8)
        XCTAssertEqual(plan.cachedDecode?.step.length, 1)
        XCTAssertEqual(plan.cachedDecode?.refill.length, 4)
        XCTAssertEqual(plan.cachedDecode?.step.keys.map(\.shape), [[1, 2, 1, 8], [1, 2, 1, 8]])
        XCTAssertThrowsError(try LanguageModelPlan(try spec(yaml.replacingOccurrences(of: "seq_len: 6", with: "seq_len: 9")),
                                                   vocabularySize: 10)) {
            XCTAssertTrue("\($0)".contains("longer than model.block_size 8"), "\($0)")
        }
    }

    /// Window models: (B, block) contexts, one prediction per row scored against the targets' last
    /// column; a decode pass over one context. WaveNet: a causal sequence model like GPT.
    func testWindowModelAndWaveNetPlans() throws {
        let mlp = try LanguageModelPlan(try spec("data: {corpus: x, format: lines}\n"
            + "model: {kind: mlp_lm, block_size: 3, embedding: 4, hidden: 8, batch_norm: true}\ntrain: {batch_size: 5, steps: 1}"),
            vocabularySize: 27)
        XCTAssertEqual(mlp.window, 3)
        XCTAssertEqual([mlp.length, mlp.predictionsPerBatch, mlp.decode.length], [3, 5, 3])
        XCTAssertEqual(mlp.train.graph.nodes.first { $0.op == .input(name: LanguageModelPlan.targets) }?.shape, [5, 3])
        XCTAssertEqual(mlp.train.logits.shape, [5, 1, 27])
        let bigram = try LanguageModelPlan(try spec("data: {corpus: x, format: lines}\nmodel: {kind: ngram, order: 3}"),
                                           vocabularySize: 27)
        XCTAssertEqual(bigram.window, 2)
        XCTAssertTrue(bigram.train.gradients.isEmpty, "an n-gram counts; nothing is trained by gradients")
        XCTAssertThrowsError(try LanguageModelPlan(try spec("data: {corpus: x}\nmodel: {kind: ngram, order: 9}"),
                                                   vocabularySize: 1000)) {
            XCTAssertTrue("\($0)".contains("lower model.order"), "\($0)")
        }
        let wavenet = try LanguageModelPlan(try spec("data: {corpus: x}\nmodel: {kind: wavenet, embedding: 4, residual_channels: 6, "
            + "dilation_channels: 5, skip_channels: 7, layers: 3, stacks: 2}\ntrain: {batch_size: 2, seq_len: 16, steps: 1}"),
            vocabularySize: 10)
        XCTAssertEqual(wavenet.train.logits.shape, [2, 16, 10])
        XCTAssertEqual(wavenet.decode.length, 16)
        guard let config = wavenet.model as? WaveNet.Config else { return XCTFail("\(wavenet.model)") }
        XCTAssertEqual([config.residualChannels, config.dilationChannels], [6, 5])
        XCTAssertEqual(config.receptiveField, 1 + 1 + 2 * 7)
        XCTAssertThrowsError(try LanguageModelPlan(try spec("data: {corpus: x}\nmodel: {kind: wavenet, layers: 60}"),
                                                   vocabularySize: 10)) {
            XCTAssertTrue("\($0)".contains("lower model.layers"), "a dilation of 2^59 would pad beyond any memory: \($0)")
        }
    }

    func testMetricsALanguageModelCannotReportAreRefused() throws {
        let yaml = "data: {corpus: x}\nmodel: {kind: rnn_lm}\neval: {metrics: [loss, bleu]}"
        XCTAssertThrowsError(try LanguageModelPlan(try spec(yaml), vocabularySize: 10)) {
            XCTAssertEqual($0 as? PlanError,
                           .unsupported("eval metric 'bleu' for a language model (it reports loss, perplexity and bpc)",
                                        keys: ["eval.metrics"]))
        }
    }

    /// The recipe comes from the plan: Noam's schedule scales by the width the zoo names for the kind
    /// (GPT's d_model, a recurrent model's hidden size), and a counted model takes no steps.
    func testTheRecipeTakesItsWidthAndStepsFromThePlan() throws {
        let noam = "train: {epochs: 2, schedule: {kind: noam, warmup_steps: 4}, optimizer: {kind: adam, lr: 1}}"
        let gpt = try LanguageModelPlan(try spec("data: {corpus: x}\nmodel: {kind: gpt, width: 64, heads: 4}\n" + noam),
                                        vocabularySize: 10)
        let rnn = try LanguageModelPlan(try spec("data: {corpus: x}\nmodel: {kind: rnn_lm, hidden: 16}\n" + noam),
                                        vocabularySize: 10)
        let layout = ParameterLayout()
        for (plan, width) in [(gpt, 64), (rnn, 16)] {
            let recipe = try plan.recipe(for: layout, batchesPerEpoch: 5)
            XCTAssertEqual(recipe.totalSteps, 10)
            // Noam at step 0 (its first, 1-based): d^-0.5 · 1 · 4^-1.5.
            XCTAssertEqual(recipe.schedule(0), Float(1 / (Double(width).squareRoot() * 8)), accuracy: 1e-6)
        }
        // `schedule.width` overrides the model's: {kind: noam, width: 512, warmup_steps: 4000}, the paper's.
        let paper = try LanguageModelPlan(try spec("data: {corpus: x}\nmodel: {kind: gpt, width: 64, heads: 4}\n"
            + "train: {epochs: 2, schedule: {kind: noam, width: 512, warmup_steps: 4000}, optimizer: {kind: adam, lr: 1}}"),
                                          vocabularySize: 10)
        XCTAssertEqual(try paper.recipe(for: layout, batchesPerEpoch: 5).schedule(3999), Float(1 / (512.0 * 4000).squareRoot()),
                       accuracy: 1e-9)
        let bigram = try LanguageModelPlan(try spec("data: {corpus: x, format: lines}\nmodel: {kind: ngram}"),
                                           vocabularySize: 27)
        XCTAssertEqual(try bigram.recipe(for: layout, batchesPerEpoch: 5).totalSteps, 0)
        XCTAssertThrowsError(try gpt.recipe(for: layout, batchesPerEpoch: 0)) {
            XCTAssertTrue("\($0)".contains("fewer than train.grad_accum_steps"), "\($0)")
        }
    }

    /// Every kind trained as a language model has a zoo entry; the kinds of other tasks (translation,
    /// word vectors) and the masked kinds, whose task is not built, have none.
    func testEveryLanguageModelKindIsInTheZoo() throws {
        for kind in ModelSpec.Kind.allCases {
            XCTAssertEqual(kind.languageModel == nil, kind.task != .languageModel, kind.rawValue)
        }
    }

    /// ELMo's loss is the mean of its directions' cross-entropies, the forward one scoring the logits
    /// that decoding reads against the targets; only the forward model's state is carried.
    func testELMoLossIsTheMeanOfItsDirections() throws {
        let plan = try LanguageModelPlan(try spec("""
            data: {corpus: x}
            model: {kind: elmo, embedding: 3, hidden: 4, projection: 3, layers: 2}
            train: {batch_size: 2, seq_len: 4}
            """), vocabularySize: 6)
        XCTAssertEqual(plan.eval.stateInputs, ["state.0.0", "state.0.1", "state.1.0", "state.1.1"])
        XCTAssertEqual(plan.eval.stateOutputs.map(\.shape), [[2, 3], [2, 4], [2, 3], [2, 4]])
        XCTAssertEqual(plan.eval.directionLosses.map(\.name), ["forward", "backward"])
        let pass = plan.eval
        let program = try Engine.compile(pass.graph, outputs: [pass.loss, pass.logits] + pass.directionLosses.map(\.loss))
        let targets: [Float] = [1, 2, 3, 4, 5, 0, 1, 2]
        try program.setInput(LanguageModelPlan.tokens, [0, 1, 2, 3, 4, 5, 0, 1])
        try program.setInput(LanguageModelPlan.targets, targets)
        program.run()
        let (forward, backward) = (try program.scalar(pass.directionLosses[0].loss), try program.scalar(pass.directionLosses[1].loss))
        XCTAssertEqual(try program.scalar(pass.loss), (forward + backward) / 2, accuracy: 1e-6)
        XCTAssertNotEqual(forward, backward)
        let logits = try program.read(pass.logits)                                  // (T, B, V)
        let byHand = targets.indices.map { row -> Float in
            let values = logits[(row * 6)..<(row * 6 + 6)]
            let top = values.max()!
            return top + Foundation.log(values.reduce(0) { $0 + Foundation.exp($1 - top) }) - values[row * 6 + Int(targets[row])]
        }.reduce(0, +) / Float(targets.count)
        XCTAssertEqual(forward, byHand, accuracy: 1e-5)
        XCTAssertEqual(try spec("data: {corpus: x}\nmodel: {kind: elmo, hidden: 5, projection: 4}").model.embedding, 4)
        XCTAssertEqual(try spec("data: {corpus: x}\nmodel: {kind: elmo, hidden: 5}").model.embedding, 5)
        XCTAssertThrowsError(try LanguageModelPlan(try spec("data: {corpus: x, format: lines}\nmodel: {kind: elmo, embedding: 3, "
            + "hidden: 3}"), vocabularySize: 6)) {
            XCTAssertTrue("\($0)".contains("set 'data.format: stream'"), "\($0)")
        }
    }

    func testAWindowModelOnAStreamIsRefused() throws {
        XCTAssertThrowsError(try LanguageModelPlan(try spec("data: {corpus: x}\nmodel: {kind: mlp_lm}"), vocabularySize: 10)) {
            XCTAssertTrue("\($0)".contains("set 'data.format: lines'"), "\($0)")
        }
    }

    func testSchedulesFromTheSpec() throws {
        var schedule = ScheduleSpec()
        schedule.kind = .cosine
        schedule.warmupSteps = 10
        schedule.minLR = 0.1
        let lr = Optimization.schedule(schedule, lr: 1, totalSteps: 110, stepsPerEpoch: 11, width: 1)
        XCTAssertEqual(lr(0), 0.1, accuracy: 1e-7)      // lr / W
        XCTAssertEqual(lr(5), 0.55, accuracy: 1e-6)
        XCTAssertEqual(lr(10), 1, accuracy: 1e-6)
        XCTAssertEqual(lr(60), 0.55, accuracy: 1e-5)      // halfway down the cosine from 1 to 0.1
        XCTAssertEqual(lr(110), 0.1, accuracy: 1e-6)
    }
}
