/// PyTorch's `ReduceLROnPlateau`: after each evaluation of a watched metric, the learning rate is
/// multiplied by `factor` once the metric has failed to improve for more than `patience`
/// evaluations in a row (then `cooldown` evaluations pass before counting starts again), never
/// below `minLR`. With `patience` 0 and `threshold` 0 this is the annealing of PyTorch's
/// `word_language_model` (`lr /= 4` whenever the validation loss is not a new best).
///
/// Unlike `Schedule` this has state — what the metric has done so far — so a run's checkpoint holds
/// it (`state`) for a resume to go on bit for bit.
public struct Plateau: Sendable, Equatable {
    public enum Mode: String, Sendable {
        /// Lower is better (losses, perplexity).
        case min
        /// Higher is better (BLEU, accuracy).
        case max
    }

    public let factor: Double
    public let patience: Int
    /// Relative improvement that counts (`threshold_mode='rel'`): in min mode a value is better when
    /// below best · (1 − threshold).
    public let threshold: Double
    public let cooldown: Int
    public let mode: Mode
    public let minLR: Double
    /// The rate the schedule gives, which the plateau scales.
    public let baseLR: Double

    /// What the metric has done so far.
    public struct State: Sendable, Equatable {
        /// The rate multiplier so far: 1 until the first reduction.
        public var scale = 1.0
        /// The best value seen; nil before the first evaluation.
        public var best: Double?
        /// Evaluations since the best, PyTorch's `num_bad_epochs`.
        public var badEvaluations = 0
        /// Evaluations left before bad ones count again.
        public var cooldownLeft = 0

        public init(scale: Double = 1, best: Double? = nil, badEvaluations: Int = 0, cooldownLeft: Int = 0) {
            (self.scale, self.best, self.badEvaluations, self.cooldownLeft) = (scale, best, badEvaluations, cooldownLeft)
        }
    }

    public var state = State()

    /// The rate the plateau has brought `baseLR` to.
    public var lr: Double { baseLR * state.scale }

    public init(baseLR: Double, factor: Double, patience: Int, threshold: Double = 1e-4, cooldown: Int = 0,
                mode: Mode = .min, minLR: Double = 0) {
        precondition(factor > 0 && factor < 1, "Plateau: factor must lie in (0, 1)")
        precondition(patience >= 0 && cooldown >= 0 && threshold >= 0, "Plateau: patience, cooldown and threshold must be ≥ 0")
        (self.baseLR, self.factor, self.patience, self.threshold, self.cooldown, self.mode, self.minLR)
            = (baseLR, factor, patience, threshold, cooldown, mode, minLR)
    }

    /// Takes one evaluation of the metric; returns whether it lowered the rate.
    @discardableResult
    public mutating func observe(_ value: Double) -> Bool {
        if let best = state.best, !isBetter(value, than: best) {
            state.badEvaluations += 1
        } else {
            state.best = value
            state.badEvaluations = 0
        }
        if state.cooldownLeft > 0 {
            state.cooldownLeft -= 1
            state.badEvaluations = 0
        }
        guard state.badEvaluations > patience else { return false }
        state.cooldownLeft = cooldown
        state.badEvaluations = 0
        let old = lr
        let new = max(old * factor, minLR)
        // PyTorch's eps: a change smaller than 1e-8 is not made.
        guard old - new > 1e-8 else { return false }
        state.scale = new / baseLR
        return true
    }

    private func isBetter(_ value: Double, than best: Double) -> Bool {
        switch mode {
        case .min: value < best * (1 - threshold)
        case .max: value > best * (1 + threshold)
        }
    }
}
