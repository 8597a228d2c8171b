import Core
import Data
import Foundation
import Models
import Planner
import Runs

/// Scoring a split, whichever way the corpus is cut: a token stream in batches of the training shape
/// with the state carried, framed lines, or context windows; and the n-gram's training by counting.
extension Trainer {
    /// Loss and perplexity of the model on `split` ("train", "valid" or "test").
    public func evaluate(split: String) throws -> (loss: Double, perplexity: Double) {
        guard ["train", "valid", "test"].contains(split) else { throw TrainingError.unknownSplit(split) }
        guard let loss = try loss(on: split) else { throw TrainingError.emptySplit(split, tokens: data(of: split).count) }
        return (loss, Foundation.exp(loss))
    }

    /// The mean loss on a split, whichever way the corpus is cut; nil when the split is too small.
    func loss(on split: String) throws -> Double? {
        switch data(of: split) {
        case .stream(let tokens): try evaluate(tokens)
        case .lines(let examples): try evaluate(examples)
        case .windows(let windows): try evaluate(windows)
        }
    }

    /// A split's data as the model reads it.
    enum SplitData {
        case stream([Int])
        case lines(LineExamples)
        case windows(ContextWindows)

        /// Tokens, lines or examples.
        var count: Int {
            switch self {
            case .stream(let tokens): tokens.count
            case .lines(let examples): examples.lines.count
            case .windows(let windows): windows.count
            }
        }
    }

    /// A split ("train", "valid", anything else for "test"): its context windows for a window model,
    /// its lines for `format: lines`, else its stream.
    func data(of split: String) -> SplitData {
        let index = ["train": 0, "valid": 1][split] ?? 2
        if let windows { return .windows([windows.train, windows.valid, windows.test][index]) }
        if let lines = corpus.lines { return .lines([lines.train, lines.valid, lines.test][index]) }
        return .stream([corpus.splits.train, corpus.splits.valid, corpus.splits.test][index])
    }

    /// Mean loss over `tokens` in batches of the training shape (the first `eval.batches` of them when
    /// set), state carried; nil when the split is too short for one batch.
    func evaluate(_ tokens: [Int]) throws -> Double? {
        // nanoGPT estimates a loss on `eval_iters` random windows; the same windows every time here
        // (a fixed seed), so that successive evaluations differ by the model alone.
        let sampling: LMSampling = spec.train.sampling == .windows && spec.eval.batches != nil ? .windows : .sequential
        guard let batcher = try? LMBatcher(tokens: tokens, batchSize: plan.batchSize, numSteps: plan.length,
                                           sampling: sampling) else { return nil }
        var generator = SeededGenerator(seed: 0)
        var state = zeroState(plan.eval.stateInputs.count)
        var total = 0.0, count = 0
        var batches = batcher.epoch(layout: plan.layout, using: &generator)
        while sampling == .windows, batches.count < spec.eval.batches ?? 0 {
            batches += batcher.epoch(layout: plan.layout, using: &generator)
        }
        for batch in batches.prefix(spec.eval.batches ?? .max) {
            try eval.setInput(LanguageModelPlan.tokens, batch.inputValues)
            try eval.setInput(LanguageModelPlan.targets, batch.targetValues)
            for (name, values) in zip(plan.eval.stateInputs, state) { try eval.setInput(name, values) }
            eval.run()
            total += Double(try eval.scalar(plan.eval.loss))
            count += 1
            state = try plan.eval.stateOutputs.map { try eval.read($0) }
        }
        return count == 0 ? nil : total / Double(count)
    }

    /// Mean loss per predicted token over every line of `examples` in batches of the training shape
    /// (the last one padded with ignored rows; only the first `eval.batches` when set), each batch
    /// weighted by its real targets; nil for no lines.
    func evaluate(_ examples: LineExamples) throws -> Double? {
        let (size, count) = (plan.batchSize, examples.lines.count)
        var total = 0.0, targets = 0
        for start in stride(from: 0, to: count, by: size).prefix(spec.eval.batches ?? .max) {
            let batch = examples.batch(Array(start..<(start + size)), length: plan.length, layout: plan.layout)
            try eval.setInput(LanguageModelPlan.tokens, batch.inputValues)
            try eval.setInput(LanguageModelPlan.targets, batch.targetValues)
            eval.run()
            let real = batch.targets.filter { $0 != LineExamples.ignored }.count
            total += Double(try eval.scalar(plan.eval.loss)) * Double(real)
            targets += real
        }
        return targets == 0 ? nil : total / Double(targets)
    }

    /// Mean loss per example over every context window (the last batch padded with ignored rows;
    /// only the first `eval.batches` batches when set); nil for no examples.
    func evaluate(_ windows: ContextWindows) throws -> Double? {
        let size = plan.batchSize
        var total = 0.0, targets = 0
        for start in stride(from: 0, to: windows.count, by: size).prefix(spec.eval.batches ?? .max) {
            let batch = windows.batch(start..<(start + size))
            try eval.setInput(LanguageModelPlan.tokens, batch.inputValues)
            try eval.setInput(LanguageModelPlan.targets, batch.targetValues)
            eval.run()
            let real = min(size, windows.count - start)
            total += Double(try eval.scalar(plan.eval.loss)) * Double(real)
            targets += real
        }
        return targets == 0 ? nil : total / Double(targets)
    }

    /// The n-gram's whole training: counts of the training windows become its table; then the train
    /// and valid splits are scored exactly and the counts checkpointed, as a trained model would be.
    func count(_ config: NGramModel.Config, _ windows: ContextWindows) throws
        -> (last: [String: JSONValue], best: [String: Double]) {
        let table = NGramModel.fit(config, contexts: windows.contexts, targets: windows.targets)
        try train.arena.setValue(NGramModel.tableKey, table)
        var (last, best): ([String: JSONValue], [String: Double]) = ([:], [:])
        for split in ["train", "valid"] {
            guard let loss = try loss(on: split) else { continue }
            try metrics.append(["step": .int(0), "split": .string(split), "loss": .double(loss),
                                "ppl": .double(Foundation.exp(loss))], sync: true)
            try log.line(String(format: "%@ loss %.4f  ppl %.3f", split, loss, Foundation.exp(loss)))
            (last[split + ".loss"], last[split + ".ppl"]) = (.double(loss), .double(Foundation.exp(loss)))
            best[split + ".loss"] = loss
        }
        if last["valid.loss"] != nil { try run.checkpoints.saveBest(checkpoint()) }
        try saveCheckpoint()
        return (last, best)
    }
}
