/// A run that cannot start or cannot go on.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case unsupported(String)
    /// The loss became NaN or infinite.
    case divergence(step: Int, loss: Float, checkpoint: String?)
    /// A checkpoint without what resuming needs.
    case unresumable(path: String, reason: String)
    case unknownSplit(String)
    /// A split too short for one batch of the training shape.
    case emptySplit(String, tokens: Int)
    /// A prompt the tokenizer's preprocessing leaves no token of, so there is nothing to condition on.
    case emptyPrompt(String)

    public var description: String {
        switch self {
        case .unsupported(let what):
            "\(what) is not supported yet"
        case .divergence(let step, let loss, let checkpoint):
            "the loss is \(loss) at step \(step); "
                + (checkpoint.map { "the last good checkpoint is \($0). " } ?? "no checkpoint was written yet. ")
                + "Lower train.optimizer.lr or set train.clip_grad_norm, then run again."
        case .unresumable(let path, let reason):
            "\(path) cannot be resumed: \(reason); start the run again from its spec.yaml"
        case .unknownSplit(let split):
            "no split '\(split)'; use train, valid or test"
        case .emptySplit(let split, let tokens):
            "the \(split) split has \(tokens) tokens, fewer than one batch; give it a share in data.split or a file"
        case .emptyPrompt(let prompt):
            "the prompt \"\(prompt)\" has no tokens after the tokenizer's preprocessing; give --prompt (or sample.prompt) "
                + "text the tokenizer keeps"
        }
    }

    /// DESIGN.md: 64 for what the spec asks and cannot be done, 1 for a run that failed.
    public var exitCode: Int32 {
        switch self {
        case .unsupported, .unresumable, .unknownSplit, .emptySplit, .emptyPrompt: 64
        case .divergence: 1
        }
    }
}
