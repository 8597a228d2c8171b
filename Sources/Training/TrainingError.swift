/// A run that cannot start or cannot go on.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case unsupported(String)
    /// The loss became NaN or infinite.
    case divergence(step: Int, loss: Float, checkpoint: String?)
    /// SIGINT or SIGTERM stopped the run after a step, which was checkpointed.
    case interrupted(signal: Int32, step: Int, resume: String)
    /// A checkpoint without what resuming needs.
    case unresumable(path: String, reason: String)
    case unknownSplit(String)
    /// A split too short for one batch of the training shape; `fromFiles` when the task reads a
    /// file per split (all but the language model, which divides one corpus by data.split).
    case emptySplit(String, fromFiles: Bool)
    /// A valid or test stream with tokens, but fewer than one batch needs.
    case splitTooShort(String, tokens: Int, needed: Int, batchSize: Int, length: Int)
    /// A split the run's task does not score (word vectors are scored on their evaluation sets, as valid).
    case unscoredSplit(String, task: String, scored: [String])
    /// A run of another task given to a command of one task.
    case wrongTask(run: String, task: String, command: String)
    /// A prompt the tokenizer's preprocessing leaves no token of, so there is nothing to condition on.
    case emptyPrompt(String)
    /// A source line with more tokens than the model has positions for: `framed` counts its `<eos>`, and its
    /// `<bos>` with `data.source_bos`.
    case sourceTooLong(line: Int, tokens: Int, framed: Int, positions: Int)
    /// `init_from: RUN_DIR` of a model that shares no key with this one (another architecture).
    case nothingShared(path: String, theirs: String, ours: String)
    /// `init_from: RUN_DIR` with a weight whose shape differs between the two models.
    case weightShapeMismatch(key: String, ours: String, theirs: String, path: String)
    /// A classifier reading ELMo's features from `init_from` that is not an elmo run of its biLM's sizes.
    case featuresMismatch(path: String, reason: String)
    /// A text to classify or fill with more tokens (framed) than the model has positions.
    case textTooLong(line: Int, tokens: Int, positions: Int)
    /// An input line longer than a recurrent model is unrolled over (`longestUnrolledLine`).
    case lineTooLongToUnroll(line: Int, positions: Int)
    /// `runner embed --layer L` beyond the model's layers.
    case noLayer(Int, layers: Int)
    /// A text given to fill-mask without a `[MASK]` in it.
    case noMask(String)
    /// An input line to classify that the tokenizer leaves no token of.
    case emptyText(line: Int)
    /// `data.line_end: eos` with a tokenizer that has no end-of-sequence token.
    case noEndOfSequence
    /// `--checkpoint best` for a run that never wrote one.
    case noBestCheckpoint(run: String, bestBy: String)
    /// `--checkpoint FILE` for a file that is not there.
    case noCheckpointFile(path: String)
    /// `init_from` names no file (or a directory without model.safetensors).
    case missingWeights(path: String)
    /// A run resumed by another number of ranks than trained it: each rank's share of the batch, its
    /// carried state and its dropout stream would change.
    case otherRankCount(run: String, trained: Int, now: Int)

    public var description: String {
        switch self {
        case .unsupported(let what):
            "\(what) is not supported yet"
        case .interrupted(let signal, let step, let resume):
            "stopped by signal \(signal) after step \(step), checkpointed; continue with: \(resume)"
        case .divergence(let step, let loss, let checkpoint):
            "the loss is \(loss.isNaN ? "NaN" : "\(loss)") at step \(step); "
                + (checkpoint.map { "the last good checkpoint is \($0). " } ?? "no checkpoint was written yet. ")
                + "Lower train.optimizer.lr or set train.clip_grad_norm, then run again."
        case .unresumable(let path, let reason):
            "\(path) cannot be resumed: \(reason); start the run again from its spec.yaml"
        case .unknownSplit(let split):
            "no split '\(split)'; use train, valid or test"
        case .unscoredSplit(let split, let task, let scored):
            "\(task) runs are scored on \(scored.joined(separator: ", ")) only, not on \(split)"
        case .emptySplit(let split, let fromFiles):
            fromFiles ? "the run has no \(split) split: its spec's data.files names no \(split) file"
                : "the \(split) split has too little data for one batch; give it a share in data.split or a file"
        case .splitTooShort(let split, let tokens, let needed, let batchSize, let length):
            "the \(split) split has \(tokens) tokens, too few for one batch of batch_size \(batchSize) × seq_len \(length) "
                + "(\(needed) needed); give it a larger share in data.split, or lower batch_size or seq_len"
        case .wrongTask(let run, let task, let command):
            "\(run) is \(Self.withArticle(task)) run; \(command) needs \(Self.task(of: command)) run"
        case .emptyPrompt(let prompt):
            "the prompt \"\(prompt)\" has no tokens after the tokenizer's preprocessing; give --prompt (or sample.prompt) "
                + "text the tokenizer keeps"
        case .sourceTooLong(let line, let tokens, let framed, let positions):
            "source line \(line) has \(tokens) tokens, \(framed) positions with its \(framed > tokens + 1 ? "<bos> and " : "")"
                + "<eos>: more than the \(positions) positions of the model (model.max_positions); split the line, or train a "
                + "model with more positions"
        case .nothingShared(let path, let theirs, let ours):
            "init_from: \(path) shares no weight with this model (its first key is '\(theirs)', this model's '\(ours)'): "
                + "it is another architecture; start from a run of this model's encoder"
        case .featuresMismatch(let path, let reason):
            "init_from: \(path) \(reason)"
        case .weightShapeMismatch(let key, let ours, let theirs, let path):
            "init_from: '\(key)' is \(theirs) in \(path) but \(ours) in this model; give the two models the same sizes "
                + "where they share keys"
        case .lineTooLongToUnroll(let line, let positions):
            "input line \(line) takes \(positions) positions with its framing (<eos>, or [CLS] and [SEP]), more than the "
                + "\(Self.longestUnrolledLine) a recurrent model is unrolled over here (its graph, and memory, grow with the "
                + "line); split the line into sentences"
        case .textTooLong(let line, let tokens, let positions):
            "input line \(line) takes \(tokens) positions with its framing, more than the \(positions) of the model "
                + "(model.max_positions); shorten the line"
        case .noLayer(let layer, let layers):
            "--layer \(layer): the model has layers 0 (the embeddings) to \(layers)"
        case .noMask(let text):
            "\"\(text)\" has no [MASK] to fill; write [MASK] where a word should be guessed"
        case .emptyText(let line):
            "input line \(line) has no tokens after the tokenizer's preprocessing; there is nothing to read"
        case .noBestCheckpoint(let run, let bestBy):
            "\(run) has no checkpoints/best.ckpt: it is written at each new best of checkpoint.best_by (\(bestBy)), which "
                + "this run has not logged yet; use --checkpoint latest"
        case .noCheckpointFile(let path):
            "--checkpoint \(path): no such file; give latest, best or a checkpoint file of the run (its checkpoints/)"
        case .missingWeights(let path):
            "init_from: no run or weights at \(path); give a run directory, a model.safetensors or the directory holding "
                + "one (as `runner export RUN --format safetensors` writes it)"
        case .otherRankCount(let run, let trained, let now):
            "\(run) was trained by \(Self.processes(trained)) and this is \(Self.processes(now)); resume it as it was trained: "
                + Self.resumeCommand(run: run, ranks: trained)
        case .noEndOfSequence:
            "'data.line_end: eos' ends every line with the tokenizer's end-of-sequence token, and this tokenizer has none: "
                + "add '<eos>' to tokenizer.special_tokens (subword) or use a tokenizer file that has one"
        }
    }

    /// The most tokens (framed) of one input line that `translate` and `predict` unroll a recurrent model
    /// over: its graph is compiled for the line's length, tens of KB a token, so a megabyte pasted as one
    /// line would take gigabytes.
    public static let longestUnrolledLine = 4096

    /// DESIGN.md: 64 for what the spec asks and cannot be done, 1 for a run that failed.
    public var exitCode: Int32 {
        switch self {
        case .unsupported, .unresumable, .unknownSplit, .emptySplit, .splitTooShort, .unscoredSplit, .emptyPrompt, .wrongTask, .sourceTooLong,
             .emptyText, .textTooLong, .lineTooLongToUnroll, .noLayer, .noMask, .weightShapeMismatch, .featuresMismatch,
             .nothingShared, .noEndOfSequence, .otherRankCount:
            64
        case .noBestCheckpoint, .noCheckpointFile, .missingWeights: 66
        case .divergence: 1
        // The shell's status for a process ended by the signal: 130 for SIGINT, 143 for SIGTERM.
        case .interrupted(let signal, _, _): 128 + signal
        }
    }

    /// The command that continues `run`, trained by `ranks` processes.
    static func resumeCommand(run: String, ranks: Int) -> String {
        (ranks == 1 ? "" : "mpirun -np \(ranks) ") + "runner resume \(run)"
    }

    /// "one process" or "4 MPI ranks".
    private static func processes(_ count: Int) -> String {
        count == 1 ? "one process" : "\(count) MPI ranks"
    }

    /// "an embeddings", "a translation": a task or model kind with the article its first letter asks for.
    private static func withArticle(_ name: String) -> String {
        "aeiou".contains(name.first ?? " ") ? "an \(name)" : "a \(name)"
    }

    /// The task a command works on, with its article.
    private static func task(of command: String) -> String {
        switch command {
        case "translate": "a translation"
        case "predict": "a classification"
        case "fill-mask": "a masked_lm"
        case "embed": "a masked_lm (BERT) or elmo"
        case "embed --elmo": "an elmo"
        case "similar", "analogy", "export": "an embeddings"
        default: "a language_model"
        }
    }
}
