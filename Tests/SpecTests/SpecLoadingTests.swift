import Foundation
import Spec
import XCTest

/// Defaults, `extends:` merging, `--set` overrides and the shipped experiments.
final class SpecLoadingTests: XCTestCase {
    func testMinimalSpecTakesEveryDefault() throws {
        let fixtures = try SpecFixtures()
        let spec = try ExperimentSpec.load(path: try fixtures.write("tiny_lm.yaml", minimalSpec))
        var expected = ExperimentSpec()
        expected.name = "tiny_lm"
        expected.data.corpus = "timemachine"
        XCTAssertEqual(spec, expected)
        // The documented defaults, spelled out so that changing one is a visible decision.
        XCTAssertEqual(spec.seed, 42)
        XCTAssertEqual(spec.data.split, SplitSpec())
        XCTAssertEqual(spec.data.split?.train, 0.9)
        XCTAssertEqual(spec.data.split?.valid, 0.1)
        XCTAssertNil(spec.data.files)
        XCTAssertNil(spec.reproduces)
        XCTAssertEqual(spec.tokenizer.kind, .char)
        XCTAssertEqual(spec.tokenizer.normalize, .none)
        XCTAssertEqual(spec.tokenizer.minFrequency, 1)
        XCTAssertEqual(spec.tokenizer.reserved, ["<unk>"])
        XCTAssertEqual(spec.model.kind, .rnnLM)
        XCTAssertEqual(spec.model.cell, .gru)
        XCTAssertEqual(spec.train.epochs, 1)
        XCTAssertNil(spec.train.steps)
        XCTAssertEqual(spec.train.optimizer.kind, .sgd)
        XCTAssertEqual(spec.train.optimizer.betas, [0.9, 0.999])
        XCTAssertEqual(spec.train.schedule.kind, .constant)
        XCTAssertEqual(spec.eval.metrics, [.loss, .perplexity])
        XCTAssertEqual(spec.checkpoint.keep, 3)
    }

    func testDesignExampleLoads() throws {
        let fixtures = try SpecFixtures()
        let path = try fixtures.write("design.yaml", """
            name: gru_charlm
            seed: 42
            data:
              corpus: timemachine            # registry name, or a path
              split: {train: 0.9, valid: 0.1}
            tokenizer:
              kind: char                     # char | word | bpe | wordpiece
              lowercase: true
            model:
              kind: rnn_lm                   # mlp_lm | rnn_lm | wavenet | gpt | seq2seq | transformer | bert
              cell: gru                      # rnn | gru | lstm
              embedding: 32
              hidden: 256
              layers: 1
              dropout: 0.0
            train:
              batch_size: 32
              seq_len: 35
              sampling: sequential           # random | sequential
              epochs: 50
              optimizer: {kind: sgd, lr: 1.0}
              schedule: {kind: cosine, warmup_steps: 100, min_lr: 0.05}
              clip_grad_norm: 1.0
            eval: {every_steps: 200, metrics: [loss, perplexity]}
            sample: {prompt: "time traveller", length: 100, temperature: 0.8}
            checkpoint: {every_steps: 500, keep: 3}
            """)
        let spec = try ExperimentSpec.load(path: path)
        XCTAssertEqual(spec.name, "gru_charlm")
        XCTAssertTrue(spec.tokenizer.lowercase)
        XCTAssertEqual(spec.train.epochs, 50)
        XCTAssertEqual(spec.train.schedule.kind, .cosine)
        XCTAssertEqual(spec.train.schedule.warmupSteps, 100)
        XCTAssertEqual(spec.train.schedule.minLR, 0.05)
        XCTAssertEqual(spec.train.clipGradNorm, 1.0)
        XCTAssertEqual(spec.eval.everySteps, 200)
        XCTAssertEqual(spec.sample.prompt, "time traveller")
        XCTAssertEqual(spec.sample.temperature, 0.8)
    }

    func testExtendsMergesDeeply() throws {
        let fixtures = try SpecFixtures()
        try fixtures.write("base/common.yaml", """
            name: common
            seed: 7
            data: {corpus: timemachine, max_chars: 10000}
            model: {cell: lstm, hidden: 128, layers: 2}
            train:
              optimizer: {kind: adam, lr: 0.001, betas: [0.8, 0.9]}
              clip_grad_norm: 1.0
            eval: {metrics: [loss, accuracy]}
            """)
        try fixtures.write("base/mid.yaml", "extends: common.yaml\nmodel: {layers: 3}\n")
        let path = try fixtures.write("child.yaml", """
            extends: base/mid.yaml
            model:
              hidden: 256
            train:
              optimizer: {lr: 0.01, betas: [0.9]}
              clip_grad_norm: null
            eval: {metrics: [perplexity]}
            """)
        // betas: [0.9] is replaced, not merged element-wise, so it is refused as one number.
        XCTAssertEqual(loadError(path)?.message, "'train.optimizer.betas' takes 2 numbers, found 1")
        try fixtures.write("child.yaml", """
            extends: base/mid.yaml
            model:
              hidden: 256
            train:
              optimizer: {lr: 0.01}
              clip_grad_norm: null
            eval: {metrics: [perplexity]}
            """)
        let spec = try ExperimentSpec.load(path: path)
        XCTAssertEqual(spec.name, "child", "a base's name is not inherited")
        XCTAssertEqual(spec.seed, 7)
        XCTAssertEqual(spec.data.maxChars, 10000)
        XCTAssertEqual(spec.model.cell, .lstm)
        XCTAssertEqual(spec.model.layers, 3)
        XCTAssertEqual(spec.model.hidden, 256)
        XCTAssertEqual(spec.train.optimizer.kind, .adam)
        XCTAssertEqual(spec.train.optimizer.lr, 0.01)
        XCTAssertEqual(spec.train.optimizer.betas, [0.8, 0.9])
        XCTAssertNil(spec.train.clipGradNorm)
        XCTAssertEqual(spec.eval.metrics, [.perplexity], "lists replace")
    }

    func testFilesReplaceTheDefaultSplit() throws {
        let fixtures = try SpecFixtures()
        let path = try fixtures.write("x.yaml", "data:\n  corpus: multi30k\n  files: {train: train.de, valid: val.de}\n")
        let spec = try ExperimentSpec.load(path: path)
        XCTAssertNil(spec.data.split)
        XCTAssertEqual(spec.data.files?.train, "train.de")
        XCTAssertEqual(spec.data.files?.valid, "val.de")
        XCTAssertNil(spec.data.files?.test)
        let both = try fixtures.write("both.yaml", "data:\n  corpus: multi30k\n  split: {train: 0.5}\n  files: {train: a}\n")
        XCTAssertEqual(loadError(both)?.message, "set either 'split' or 'files' in 'data', not both")
    }

    func testStepsReplaceTheDefaultEpochs() throws {
        let fixtures = try SpecFixtures()
        let spec = try ExperimentSpec.load(path: try fixtures.write("x.yaml", minimalSpec + "train: {steps: 2000}\n"))
        XCTAssertNil(spec.train.epochs)
        XCTAssertEqual(spec.train.steps, 2000)
        let neither = try fixtures.write("n.yaml", minimalSpec + "train: {epochs: null}\n")
        XCTAssertEqual(loadError(neither)?.message, "'train' needs 'epochs' or 'steps'")
    }

    func testOverridesAreTypedAndApplyInOrder() throws {
        let fixtures = try SpecFixtures()
        let path = try fixtures.write("x.yaml", minimalSpec + "model: {hidden: 128}\ntrain:\n  optimizer: {kind: sgd, lr: 1}\n")
        let spec = try ExperimentSpec.load(path: path, overrides: [
            "train.optimizer.lr=0.3", "model.hidden=512", "model.hidden=1024",
            "eval.metrics=[loss, accuracy]", "sample.prompt=\"time traveller: 1\"",
            "train.schedule={kind: cosine, min_lr: 0.01}", "tokenizer.max_size=", "name=sweep-7",
        ])
        XCTAssertEqual(spec.train.optimizer.lr, 0.3)
        XCTAssertEqual(spec.train.optimizer.kind, .sgd, "siblings of an overridden key stay")
        XCTAssertEqual(spec.model.hidden, 1024, "the last override wins")
        XCTAssertEqual(spec.eval.metrics, [.loss, .accuracy])
        XCTAssertEqual(spec.sample.prompt, "time traveller: 1")
        XCTAssertEqual(spec.train.schedule.kind, .cosine)
        XCTAssertEqual(spec.train.schedule.minLR, 0.01)
        XCTAssertNil(spec.tokenizer.maxSize, "an empty value is null")
        XCTAssertEqual(spec.name, "sweep-7")
    }

    func testOverridesCreateMissingSectionsAndReachOptionalOnes() throws {
        let fixtures = try SpecFixtures()
        let path = try fixtures.write("x.yaml", minimalSpec)
        let spec = try ExperimentSpec.load(path: path, overrides: [
            "reproduces.metric=valid.ppl", "reproduces.value=120.7", "data.split.valid=0.05", "train.threads=2",
        ])
        XCTAssertEqual(spec.reproduces?.metric, "valid.ppl")
        XCTAssertEqual(spec.reproduces?.value, 120.7)
        XCTAssertEqual(spec.data.split?.valid, 0.05)
        XCTAssertEqual(spec.data.split?.train, 0.9)
        XCTAssertEqual(spec.train.threads, 2)
    }

    func testGRUCharLMExperimentLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let spec = try ExperimentSpec.load(path: root.appendingPathComponent("experiments/gru_charlm.yaml").path)
        XCTAssertEqual(spec.name, "gru_charlm")
        XCTAssertEqual(spec.data.corpus, "timemachine")
        XCTAssertEqual(spec.data.maxChars, 10000)
        XCTAssertEqual(spec.tokenizer.kind, .char)
        XCTAssertEqual(spec.tokenizer.normalize, .letters)
        XCTAssertEqual(spec.model.cell, .gru)
        XCTAssertEqual(spec.model.embedding, 0)
        XCTAssertEqual(spec.model.hidden, 256)
        XCTAssertEqual(spec.train.batchSize, 32)
        XCTAssertEqual(spec.train.seqLen, 35)
        XCTAssertEqual(spec.train.sampling, .sequential)
        XCTAssertEqual(spec.train.epochs, 500)
        XCTAssertEqual(spec.train.optimizer.kind, .sgd)
        XCTAssertEqual(spec.train.optimizer.lr, 1)
        XCTAssertEqual(spec.train.clipGradNorm, 1)
        XCTAssertEqual(spec.sample.prompt, "time traveller")
        XCTAssertEqual(spec.checkpoint.everySteps, 500)
        XCTAssertEqual(spec.checkpoint.keep, 3)
        XCTAssertEqual(spec.reproduces?.value, 1.1)
    }
}
