import Core
import Data
import Planner
import Spec

/// A corpus as the plan's model reads it: a token stream, framed lines, or the context windows of
/// those lines for a window model; and each split cut into batches of the plan's shape, for training
/// (a `LMBatchSource`) and for scoring (`EvaluationBatches`).
struct LanguageModelData {
    let corpus: LanguageModelCorpus
    /// The (context, target) examples of each split for a window model; nil for sequence models.
    let windows: (train: ContextWindows, valid: ContextWindows, test: ContextWindows)?

    /// A split's data as the model reads it.
    enum Split {
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

    init(_ corpus: LanguageModelCorpus, plan: LanguageModelPlan) throws {
        self.corpus = corpus
        if let window = plan.window, let lines = corpus.lines {
            windows = (try ContextWindows(lines.train, block: window), try ContextWindows(lines.valid, block: window),
                       try ContextWindows(lines.test, block: window))
        } else {
            windows = nil
        }
    }

    /// A split ("train", "valid", anything else for "test"): its context windows for a window model,
    /// its lines for `format: lines`, else its stream.
    func split(_ name: String) -> Split {
        let index = ["train": 0, "valid": 1][name] ?? 2
        if let windows { return .windows([windows.train, windows.valid, windows.test][index]) }
        if let lines = corpus.lines { return .lines([lines.train, lines.valid, lines.test][index]) }
        return .stream([corpus.splits.train, corpus.splits.valid, corpus.splits.test][index])
    }

    /// The training split's whole batches (each rank takes its slice of them), drawn as `sampling`
    /// says for a stream.
    func trainingBatches(_ plan: LanguageModelPlan, sampling: TrainSpec.Sampling) throws -> any LMBatchSource {
        let batchSize = plan.wholeBatchSize
        return switch split("train") {
        case .windows(let windows): try WindowBatcher(windows, batchSize: batchSize)
        case .lines(let examples): try LineBatcher(examples, batchSize: batchSize, length: plan.length)
        case .stream(let tokens):
            try LMBatcher(tokens: tokens, batchSize: batchSize, numSteps: plan.length, sampling: sampling.batching)
        }
    }
}

extension TrainSpec.Sampling {
    /// How a stream is cut into batches for this sampling.
    var batching: LMSampling {
        switch self {
        case .random: .random
        case .sequential: .sequential
        case .windows: .windows
        }
    }
}
