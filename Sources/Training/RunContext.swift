import Distributed
import Engine
import Foundation
import Planner
import Runs
import Spec
import Text

/// The one way to open a run: its spec, its tokenizer, the plan, the compiled programs over one
/// parameter arena, and — for a run that exists — its latest checkpoint, verified against the spec
/// and loaded into the arena. Training, resuming, sampling, evaluation, prompted evaluation and
/// `runner check` all start here.
public final class RunContext {
    /// What the programs are compiled for.
    public enum Purpose: Sendable {
        /// The training pass (with gradients), whose arena every other program shares.
        case training
        /// Evaluation and decoding only: the arena holds no gradients and no training activations.
        case inference
    }

    public let spec: ExperimentSpec
    public let tokenizer: any Tokenizer
    public let plan: LanguageModelPlan
    /// The weights every program of the run reads.
    public let arena: ParameterArena
    /// The training program; nil for `.inference`.
    public let train: Program?
    /// The activation scratch the training program shares with evaluation (they run one at a time and
    /// everything read from the training program is read right after its run); nil for `.inference`,
    /// or when the system reserves none.
    private let scratch: ActivationScratch?
    /// The checkpoint an opened run continues from, already loaded into `arena`; nil for a new run.
    public private(set) var latest: CheckpointStore.Latest?
    /// Newer checkpoints that could not be read and were passed over: never silent.
    public var warnings: [String] { latest?.warnings ?? [] }
    /// `train.threads`, by default this node's cores shared by its ranks: the large kernels split over
    /// them; results depend on the count only by rounding.
    let threads: Int

    /// A new run of `spec` whose text `tokenizer` encodes; the weights start from the spec's seed.
    /// Trained by a `team` of several ranks, the plan's batch is this rank's share of `train.batch_size`.
    public init(spec: ExperimentSpec, tokenizer: any Tokenizer, purpose: Purpose, team: Team = .alone) throws {
        self.spec = spec
        self.tokenizer = tokenizer
        plan = try LanguageModelPlan(spec, vocabularySize: tokenizer.vocabularySize, ranks: team.size)
        threads = spec.train.threadCount(ranksOnNode: team.ranksOnNode)
        switch purpose {
        case .training:
            let scratch = ActivationScratch.shared()
            let program = try Engine.compile(plan.train.graph, outputs: [plan.train.loss] + plan.train.stateOutputs,
                                             gradients: plan.train.gradients, seed: UInt64(truncatingIfNeeded: spec.seed),
                                             threads: threads, scratch: scratch)
            (train, arena, self.scratch) = (program, program.arena, scratch)
        case .inference:
            (train, arena, scratch) = (nil, ParameterArena(graph: plan.decode.graph, seed: 0), nil)
        }
    }

    /// A run as its chosen checkpoint (the latest readable one unless said) left it: the run's own
    /// spec.yaml and tokenizer.json, the checkpoint checked against the spec's hash, its weights (and
    /// buffers) in the arena. `command` names what asks, in the refusal of a run of another task.
    public static func open(_ run: RunDirectory, for purpose: Purpose, checkpoint: CheckpointChoice = .latest,
                            command: String = "sample") throws -> RunContext {
        try open(run, spec: try ExperimentSpec.load(path: run.specURL.path), for: purpose, checkpoint: checkpoint,
                 command: command)
    }

    /// `open(_:for:checkpoint:)` with the run's spec.yaml already loaded. A run that `team` goes on
    /// training must be the number of ranks that trained it (nil: the run is only read).
    static func open(_ run: RunDirectory, spec: ExperimentSpec, for purpose: Purpose,
                     checkpoint choice: CheckpointChoice = .latest, continuing team: Team? = nil,
                     command: String = "sample") throws -> RunContext {
        guard spec.task == .languageModel else {
            throw TrainingError.wrongTask(run: run.url.path, task: spec.task.rawValue, command: command)
        }
        let latest = try run.checkpoint(choice)
        if let team, latest.checkpoint.ranks != team.size {
            throw TrainingError.otherRankCount(run: run.url.path, trained: latest.checkpoint.ranks, now: team.size)
        }
        let context = try RunContext(spec: spec, tokenizer: try TokenizerFile.load(from: run.tokenizerURL), purpose: purpose,
                                     team: team ?? .alone)
        try context.arena.load(latest.checkpoint, path: latest.url.path)
        context.latest = latest
        return context
    }

    /// The evaluation program (forward and loss, no dropout) over the arena, on the training program's
    /// scratch: its outputs are read before the next training step.
    public func evaluation() throws -> Program {
        let eval = plan.eval
        return try Engine.compile(eval.graph, outputs: [eval.loss] + eval.directionLosses.map(\.loss) + eval.stateOutputs,
                                  arena: arena, threads: threads, scratch: scratch)
    }

    /// A sampler over the arena, with the plan's decode pass and its KV cache where the model has one.
    public func sampler() throws -> Sampler {
        try Sampler(plan, arena: arena, tokenizer: tokenizer, lineEnd: spec.data.lineEnd == .eos ? tokenizer.eosID : nil)
    }
}
