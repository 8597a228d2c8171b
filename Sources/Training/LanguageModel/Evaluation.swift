import Core
import Data
import Distributed
import Engine
import Foundation
import Planner
import Runs
import Spec

/// Scores a split with the evaluation pass, whichever way the corpus is cut: one loop over the split's
/// batches, each weighted by the targets its mean loss is over. A team's ranks each score their
/// slice of every batch (as in training) and the weighted sums are added over the ranks.
struct Evaluator {
    let plan: LanguageModelPlan
    let program: Program
    let team: Team
    /// `eval.batches`: only the first this many batches are scored; nil for all of them.
    let batchLimit: Int?
    /// nanoGPT estimates a stream's loss on `eval_iters` random windows; the same windows every time
    /// here (a fixed seed), so that successive evaluations differ by the model alone.
    let randomWindows: Bool

    init(_ context: RunContext, program: Program, team: Team = .alone) {
        plan = context.plan
        (self.program, self.team) = (program, team)
        batchLimit = context.spec.eval.batches
        randomWindows = context.spec.train.sampling == .windows && batchLimit != nil
    }

    /// Refuses a stream split that has tokens but too few for one batch: it would be passed over at
    /// every evaluation without a word; and a split of lines whose longest does not fit the batches'
    /// length (the training split's is checked by its batcher). `runner check` and training both ask this.
    func checkBatchable(_ name: String, _ split: LanguageModelData.Split) throws {
        if case .lines(let examples) = split, examples.length > plan.length {
            throw DataError.invalidOption("the longest \(name) line needs \(examples.length) positions (its ids and a "
                + "boundary); train.seq_len is \(plan.length)")
        }
        guard case .stream(let tokens) = split, !tokens.isEmpty else { return }
        do {
            _ = try batcher(of: tokens)
        } catch .corpusTooShort(_, let needed, _, _) {
            throw TrainingError.splitTooShort(name, tokens: tokens.count, needed: needed, batchSize: plan.wholeBatchSize,
                                              length: plan.length)
        }
    }

    private func batcher(of tokens: [Int]) throws(DataError) -> LMBatcher {
        try LMBatcher(tokens: tokens, batchSize: plan.wholeBatchSize, numSteps: plan.length,
                      sampling: randomWindows ? .windows : .sequential)
    }

    /// The mean loss per predicted token on `split` under `loss`, and for a model that predicts in
    /// several directions (ELMo) each direction's under `<name>_loss`; nil when the split is too small
    /// for one batch.
    func losses(on split: LanguageModelData.Split) throws -> [String: Double]? {
        let (batches, carriesState) = batches(of: split)
        var state = plan.eval.zeroState
        let scored = [("loss", plan.eval.loss)] + plan.eval.directionLosses.map { ($0.name + "_loss", $0.loss) }
        var totals = [Double](repeating: 0, count: scored.count), weight = 0.0
        for (whole, batchWeight) in batches {
            let (batch, share) = team.slice(whole, lastStepOnly: plan.window != nil)
            guard share > 0 else { continue }
            try program.setInput(LanguageModelPlan.tokens, batch.inputValues)
            try program.setInput(LanguageModelPlan.targets, batch.targetValues)
            if !carriesState { state = plan.eval.zeroState }
            for (name, values) in zip(plan.eval.stateInputs, state) { try program.setInput(name, values) }
            program.run()
            for (index, (_, loss)) in scored.enumerated() {
                totals[index] += Double(try program.scalar(loss)) * batchWeight * share
            }
            weight += batchWeight * share
            state = try plan.eval.stateOutputs.map { try program.read($0) }
        }
        let sums = try team.sum(totals + [weight], "evaluation")
        guard let whole = sums.last, whole > 0 else { return nil }
        return Dictionary(uniqueKeysWithValues: zip(scored.map(\.0), sums.map { $0 / whole }))
    }

    /// A split's batches of the training shape with the weight of each batch's mean loss, and whether
    /// a recurrent state carries from one to the next. A stream's batches continue each other and
    /// weigh one each, as d2l averages them; lines and windows are independent rows, the last batch
    /// padded with ignored rows, so each batch weighs its real targets.
    private func batches(of split: LanguageModelData.Split) -> (batches: [(LMBatch, Double)], carriesState: Bool) {
        let size = plan.wholeBatchSize
        let limit = batchLimit ?? .max
        switch split {
        case .stream(let tokens):
            guard let batcher = try? batcher(of: tokens) else { return ([], true) }
            var generator = SeededGenerator(seed: 0)
            var batches = batcher.epoch(layout: plan.layout, using: &generator)
            while randomWindows, batches.count < limit {
                batches += batcher.epoch(layout: plan.layout, using: &generator)
            }
            return (batches.prefix(limit).map { ($0, 1) }, true)
        case .lines(let examples):
            return (stride(from: 0, to: examples.lines.count, by: size).prefix(limit).map { start in
                let batch = examples.batch(Array(start..<(start + size)), length: plan.length, layout: plan.layout)
                return (batch, Double(batch.scoredTargets()))
            }, false)
        case .windows(let windows):
            return (stride(from: 0, to: windows.count, by: size).prefix(limit).map { start in
                (windows.batch(start..<(start + size)), Double(min(size, windows.count - start)))
            }, false)
        }
    }
}
