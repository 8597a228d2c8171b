/// A run that cannot start or cannot go on.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case unsupported(String)
    /// The loss became NaN or infinite.
    case divergence(step: Int, loss: Float, checkpoint: String?)

    public var description: String {
        switch self {
        case .unsupported(let what):
            "\(what) is not supported yet"
        case .divergence(let step, let loss, let checkpoint):
            "the loss is \(loss) at step \(step); "
                + (checkpoint.map { "the last good checkpoint is \($0). " } ?? "no checkpoint was written yet. ")
                + "Lower train.optimizer.lr or set train.clip_grad_norm, then run again."
        }
    }

    /// DESIGN.md: 64 for what the spec asks and cannot be done, 1 for a run that failed.
    public var exitCode: Int32 {
        switch self {
        case .unsupported: 64
        case .divergence: 1
        }
    }
}
