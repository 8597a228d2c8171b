/// The training loop: batches, length, optimizer, schedule.
public struct TrainSpec: Sendable, Equatable {
    /// How LM batches cut the token stream (d2l's two partitionings): `random` draws subsequences at
    /// random offsets; `sequential` keeps neighbouring batches adjacent so state carries across them.
    public enum Sampling: String, SpecChoice {
        case random, sequential
        /// nanoGPT's `get_batch`: every row a window at an independent uniformly random offset.
        case windows
        static let label = "sampling"
    }

    public var batchSize = 32
    /// Translation: sentences per batch chosen per length bucket so that a batch holds about this
    /// many tokens (its longer side's padded length × sentences), instead of `batch_size` sentences.
    public var batchTokens: Int?
    public var seqLen = 35
    public var sampling = Sampling.sequential
    /// Passes over the training split; nil when `steps` sets the length instead.
    public var epochs: Int? = 1
    /// Optimizer steps; nil when `epochs` sets the length.
    public var steps: Int?
    public var optimizer = OptimizerSpec()
    public var schedule = ScheduleSpec()
    /// Rescale gradients whose global L2 norm exceeds this; nil for no clipping.
    public var clipGradNorm: Double?
    /// Batches whose gradients are averaged into one optimizer step (nanoGPT's `gradient_accumulation_steps`).
    public var gradAccumSteps = 1
    /// Worker threads; nil for all cores.
    public var threads: Int?
    /// ε of the label-smoothed training loss, (1 − ε)·NLL + ε·(mean over the vocabulary of −log p),
    /// PyTorch's `CrossEntropyLoss(label_smoothing=ε)`; evaluation always scores the plain NLL.
    public var labelSmoothing = 0.0
    /// Classification: train the head alone, every other weight as it starts (from `init_from`).
    public var freezeEncoder = false
    /// Classification: the head's learning rate; nil for the optimizer's. Schedules scale it alike.
    public var headLR: Double?

    public init() {}
}

public struct OptimizerSpec: Sendable, Equatable {
    public enum Decay: String, SpecChoice {
        /// As each layer declares: weight matrices decay; biases, norms and embeddings do not.
        case layers
        /// Every parameter (PyTorch's optimizers without parameter groups).
        case all
        /// Every parameter of rank ≥ 2, embeddings included (nanoGPT's groups).
        case matrices
        static let label = "decay rule"
    }

    public enum Kind: String, SpecChoice {
        case sgd, adam
        case adamW = "adamw"
        case rmsProp = "rmsprop"
        static let label = "optimizer"
    }

    public var kind = Kind.sgd
    /// The peak learning rate; schedules scale it.
    public var lr = 0.1
    /// SGD momentum, or RMSProp's.
    public var momentum = 0.0
    public var nesterov = false
    public var weightDecay = 0.0
    /// Which parameters `weight_decay` applies to.
    public var decay = Decay.layers
    /// Adam's β1, β2.
    public var betas = [0.9, 0.999]
    public var eps = 1e-8

    public init() {}
}

public struct ScheduleSpec: Sendable, Equatable {
    public enum Kind: String, SpecChoice {
        case constant, step, exponential, cosine, noam
        /// fairseq's `inverse_sqrt`: linear from 0 to lr over `warmup_steps`, then lr·√(warmup / step).
        case inverseSqrt = "inverse_sqrt"
        /// From lr down to `min_lr` in a straight line over the run (word2vec's alpha → min_alpha).
        case linear
        /// PyTorch's `MultiStepLR`: × `gamma` at each of `milestones`.
        case multistep
        /// PyTorch's `ReduceLROnPlateau`: × `factor` when `metric` stops improving.
        case plateau
        static let label = "schedule"

        /// The keys of `schedule` only this kind reads (the others read none of them).
        var ownKeys: [String] {
            switch self {
            case .noam: ["width"]
            case .multistep: ["milestones", "unit"]
            case .plateau: ["factor", "patience", "threshold", "cooldown", "metric"]
            case .constant, .step, .exponential, .cosine, .linear, .inverseSqrt: []
            }
        }
    }

    /// What `milestones` count.
    public enum Unit: String, SpecChoice {
        case step, epoch
        static let label = "milestone unit"
    }

    public var kind = Kind.constant
    /// Linear warm-up from 0 over this many steps, before the schedule proper.
    public var warmupSteps = 0
    /// The floor of `cosine`, the end of `linear`.
    public var minLR = 0.0
    /// `step`: multiply by `gamma` every this many steps.
    public var stepSize = 1000
    /// The decay factor of `step` and (per step) `exponential`.
    public var gamma = 0.1
    /// `noam`: the d_model its rate scales by, d^−½; nil for the model's width.
    public var width: Int?
    /// `multistep`: where the rate is multiplied by `gamma`, ascending, in `unit`s.
    public var milestones: [Int] = []
    /// `multistep`: whether `milestones` count optimizer steps or epochs; required with milestones.
    public var unit: Unit?
    /// `plateau`: the factor the rate is multiplied by (PyTorch's default 0.1).
    public var factor = 0.1
    /// `plateau`: evaluations without improvement tolerated before the rate drops.
    public var patience = 10
    /// `plateau`: the relative improvement that counts as one (PyTorch's 1e-4; 0 for any).
    public var threshold = 1e-4
    /// `plateau`: evaluations after a drop before bad ones count again.
    public var cooldown = 0
    /// `plateau`: the metric watched, as metrics.jsonl names it (`valid.loss`); lower is better,
    /// except for BLEU and accuracy.
    public var metric = "valid.loss"

    /// The keys of `schedule` that belong to one kind only.
    static let kindKeys = Kind.allCases.flatMap(\.ownKeys)

    public init() {}

    /// `milestones` in optimizer steps; one past Int's range of steps is never reached.
    public func milestoneSteps(stepsPerEpoch: Int) -> [Int] {
        guard unit == .epoch else { return milestones }
        return milestones.map { $0.multipliedReportingOverflow(by: stepsPerEpoch).overflow ? .max : $0 * stepsPerEpoch }
    }
}

/// Text generated at each evaluation, so a run shows what the model has learned.
public struct SampleSpec: Sendable, Equatable {
    public var prompt = ""
    /// Tokens to generate after the prompt.
    public var length = 100
    public var temperature = 1.0
    /// Sample only among the k likeliest tokens; nil for all.
    public var topK: Int?
    /// Then only among the likeliest tokens whose probabilities add up to p (nucleus sampling); nil for all.
    public var topP: Double?
    /// The text ends before the first of these strings that it generates.
    public var stop: [String] = []

    public init() {}
}

public struct CheckpointSpec: Sendable, Equatable {
    public var everySteps = 500
    /// Checkpoints kept on disk; older ones are deleted.
    public var keep = 3
    /// The validation metric whose best value writes checkpoints/best.ckpt, which scores the test
    /// split at the end: `valid.loss`, or e.g. `valid.accuracy` (higher is better for it).
    public var bestBy = "valid.loss"

    public init() {}
}

/// `log`: where a run's metrics go besides metrics.jsonl.
public struct LogSpec: Sendable, Equatable {
    /// TensorBoard event files in the run's `tb/`, every metric and sample as it is logged.
    public var tensorboard = true

    public init() {}
}

extension TrainSpec: SpecSection {
    static var fields: [Field<TrainSpec>] {
        [
            .int("batch_size", \.batchSize, .atLeastOneAtMost(1 << 20)),
            .int("batch_tokens", \.batchTokens, .atLeastOneAtMost(1 << 30)),
            .int("seq_len", \.seqLen, .atLeastOneAtMost(1 << 20)),
            .choice("sampling", \.sampling),
            .int("epochs", \.epochs, .atLeastOne),
            .int("steps", \.steps, .atLeastOne),
            .section("optimizer", \.optimizer),
            .section("schedule", \.schedule),
            .double("clip_grad_norm", \.clipGradNorm, .positive),
            .int("grad_accum_steps", \.gradAccumSteps, .atLeastOne),
            .int("threads", \.threads, .atLeastOne),
            .double("label_smoothing", \.labelSmoothing, .fraction),
            .bool("freeze_encoder", \.freezeEncoder),
            .double("head_lr", \.headLR, .positive),
        ]
    }

    static let bucketKeys = ["batch_tokens"]
    static let classificationKeys = ["freeze_encoder", "head_lr"]
    static let languageModelKeys = ["sampling"]
    /// The length of a training sequence: a language model's window, a masked LM's padded pair.
    static let sequenceKeys = ["seq_len"]
    /// What a gradient step reads: batches, the optimizer and its schedule.
    static let stepKeys = ["batch_size", "batch_tokens", "optimizer", "schedule", "clip_grad_norm", "grad_accum_steps",
                           "label_smoothing"]

    /// `epochs` has a default and `steps` does not, so naming `steps` alone trains by steps; naming
    /// both is ambiguous and refused, and so is naming neither (both null).
    static func validate(_ value: inout TrainSpec, _ node: Node, section: String) throws(SpecError) {
        try resolveAlternative(&value, node, section: section, "epochs", \.epochs, or: "steps", \.steps, purpose: "train by steps")
        if value.epochs == nil, value.steps == nil {
            throw node.mark.error("'\(section)' needs 'epochs' or 'steps'")
        }
    }
}

extension OptimizerSpec: SpecSection {
    static var fields: [Field<OptimizerSpec>] {
        [
            .choice("kind", \.kind),
            .double("lr", \.lr, .positive),
            .double("momentum", \.momentum, .fraction),
            .bool("nesterov", \.nesterov),
            .double("weight_decay", \.weightDecay, .nonNegative),
            .choice("decay", \.decay),
            .doubles("betas", \.betas, count: 2, .fraction),
            .double("eps", \.eps, .positive),
        ]
    }

    static func validate(_ value: inout OptimizerSpec, _ node: Node, section: String) throws(SpecError) {
        if value.nesterov, value.momentum == 0, let nesterov = node.entry("nesterov") {
            throw nesterov.value.mark.error("'\(section).nesterov' needs a momentum > 0")
        }
    }
}

extension ScheduleSpec: SpecSection {
    static var fields: [Field<ScheduleSpec>] {
        [
            .choice("kind", \.kind),
            .int("warmup_steps", \.warmupSteps, .nonNegative),
            .double("min_lr", \.minLR, .nonNegative),
            .int("step_size", \.stepSize, .atLeastOne),
            .double("gamma", \.gamma, .factor),
            .int("width", \.width, .atLeastOne),
            .ints("milestones", \.milestones, .atLeastOne),
            .choice("unit", \.unit),
            .double("factor", \.factor, .openFraction),
            .int("patience", \.patience, .nonNegative),
            .double("threshold", \.threshold, .nonNegative),
            .int("cooldown", \.cooldown, .nonNegative),
            .string("metric", \.metric),
        ]
    }

    static func validate(_ value: inout ScheduleSpec, _ node: Node, section: String) throws(SpecError) {
        let kind = value.kind
        if let entry = givenEntries(value, node).first(where: { kindKeys.contains($0.key) && !kind.ownKeys.contains($0.key) }),
           let owner = Kind.allCases.first(where: { $0.ownKeys.contains(entry.key) }) {
            throw entry.keyMark.error("'\(section).\(entry.key)' applies to kind \(owner.rawValue), not '\(kind.rawValue)'",
                                      hint: "remove it")
        }
        if kind == .multistep {
            let milestones = node.entry("milestones")
            guard !value.milestones.isEmpty else {
                throw (milestones?.value.mark ?? node.mark).error("'\(section).kind: multistep' needs 'milestones', "
                    + "where the rate is multiplied by gamma", hint: "e.g. milestones: [10, 15], unit: epoch")
            }
            if let at = zip(value.milestones, value.milestones.dropFirst()).first(where: { $0 >= $1 }) {
                throw (milestones?.value.mark ?? node.mark).error("'\(section).milestones' must increase, but \(at.1) "
                    + "follows \(at.0)", hint: "list each milestone once, in order")
            }
            if value.unit == nil {
                throw (milestones?.keyMark ?? node.mark).error("'\(section).milestones' needs 'unit: epoch' or 'unit: step', "
                    + "what the milestones count")
            }
        }
        if kind == .plateau, !value.metric.contains(".") {
            throw (node.entry("metric")?.value.mark ?? node.mark).error("'\(section).metric' must name a split and a "
                + "metric as metrics.jsonl does, found '\(value.metric)'", hint: "e.g. valid.loss")
        }
        if value.kind == .inverseSqrt, value.warmupSteps == 0 {
            throw (node.entry("warmup_steps")?.value.mark ?? node.mark).error(
                "'\(section).kind: inverse_sqrt' needs 'warmup_steps' > 0, the step its rate peaks at",
                hint: "add 'warmup_steps: 4000' (fairseq's usual)")
        }
    }
}

extension SampleSpec: SpecSection {
    static var fields: [Field<SampleSpec>] {
        [
            .string("prompt", \.prompt),
            .int("length", \.length, .nonNegative),
            .double("temperature", \.temperature, .positive),
            .int("top_k", \.topK, .atLeastOne),
            .double("top_p", \.topP, .factor),
            .strings("stop", \.stop),
        ]
    }
}

extension CheckpointSpec: SpecSection {
    static var fields: [Field<CheckpointSpec>] {
        [.int("every_steps", \.everySteps, .atLeastOne), .int("keep", \.keep, .atLeastOne), .string("best_by", \.bestBy)]
    }
}

extension LogSpec: SpecSection {
    static var fields: [Field<LogSpec>] { [.bool("tensorboard", \.tensorboard)] }
}

extension SampleSpec {
    /// `text` read as the value of the `sample` key `key` by that key's own rule, so that a command-line
    /// flag (`--top-p` for `top_p`) accepts exactly the values a spec file does. The error message
    /// names the key (`'sample.top_p' must be in (0, 1], found 1.5`).
    public static func value<Value>(_ text: String, of key: String, _ path: KeyPath<SampleSpec, Value>)
        throws(SpecError) -> Value {
        try commandLineValue(text, of: key, path, section: "sample")
    }
}
