import Core
import Engine
import Planner
import Runs
import Spec

/// What a task gives the shared parts of a run (DESIGN.md, "Tasks"): its data cut into batches, its
/// training programs over one parameter arena, its evaluation and what it generates at a report. The
/// loop, the recipe, checkpoints, resume, metrics and the summary are the `Trainer`'s and never ask
/// which task they serve; `TaskRegistry` is the one place that turns a spec's task into a session.
public protocol TaskSession: AnyObject {
    var spec: ExperimentSpec { get }
    /// The weights (and gradients) every program of the run shares.
    var arena: ParameterArena { get }
    /// The plan, for the training recipe.
    var plan: any TrainingPlan { get }
    /// Batches in one training epoch.
    var batchesPerEpoch: Int { get }
    /// The state a batch's sequences start from (a recurrent LM's, carried by truncated BPTT); empty
    /// for tasks that carry none.
    var zeroState: [[Float]] { get }
    /// The generator behind dropout, saved in checkpoints.
    var randomState: SeededGenerator { get set }
    /// Newer checkpoints that could not be read and were passed over when the run was opened.
    var warnings: [String] { get }
    /// The checkpoint an opened run continues from (its weights are in the arena); nil for a new run.
    var latest: CheckpointStore.Latest? { get }
    /// Whether the model learns by counting its training examples (`count`) instead of by steps.
    var fitsByCounting: Bool { get }
    /// Whether `train` updates the weights itself, prediction by prediction at the rate it is given
    /// (word vectors), so that no gradient, clipping or optimizer step follows it.
    var learnsInPlace: Bool { get }

    /// Draws one training epoch's batches with `generator`; returns how many there are.
    func drawEpoch(using generator: inout SeededGenerator) -> Int
    /// The training pass (forward and backward, gradients into the arena) on batch `index` of the
    /// drawn epoch, from `state` (replaced by the state after it), where the step's rate is `lr` (which
    /// only a session that learns in place reads): its mean loss, how many tokens the batch predicted,
    /// and the share of the batch's loss this process computed (1 alone; under data parallelism its
    /// rows' scored targets over the whole batch's, so that the ranks' gradients weighted by their
    /// shares sum to the whole batch's).
    func train(batch index: Int, state: inout [[Float]], lr: Float) throws -> (loss: Float, predictions: Int, share: Double)
    /// The splits `evaluate` scores (word vectors: valid, their evaluation sets).
    var scoredSplits: [String] { get }
    /// The metrics of a split (`loss`, `ppl`, and `bpc`, `bleu` where the task has them); nil when
    /// the split is too small to score.
    func evaluate(_ split: String) throws -> [String: Double]?
    /// What the model generates at a report (a sample, a translation); nil when there is nothing to show.
    func sample(step: Int) throws -> String?
    /// A counted model's whole training: its parameters from the training split.
    func count() throws
    /// What `runner check` says first: the model, the data, the batch shapes.
    var overview: String { get }
    /// What a run's log says of its data before training (examples left out, and why); nil for nothing.
    var dataNote: String? { get }
    /// Every parameter by key and the work of one training step (plan.txt and `runner check`).
    var parameterSummary: String { get }
    /// The memory of the training program(s), with `optimizerState` floats of optimizer state.
    func memorySummary(optimizerState: Int) -> String
    /// Writes the tokenizer(s) into a new run's directory.
    func saveTokenizers(to run: RunDirectory) throws
    /// What summary.json holds beyond the metrics (a classifier's confusion matrices); empty for most tasks.
    var summaryExtras: [String: JSONValue] { get }
}

/// What most tasks are: no carried state, trained by gradient steps, nothing to count.
extension TaskSession {
    var summaryExtras: [String: JSONValue] { [:] }
    var zeroState: [[Float]] { [] }
    var fitsByCounting: Bool { false }
    var learnsInPlace: Bool { false }
    func count() throws {}
}
