import Foundation

/// A learning rate as a function of the 0-based optimizer step, as in mlx's schedules: a plain value
/// the training loop calls once per step (`optimizer.step(…, lr: schedule(step))`), so schedules
/// compose by wrapping closures and resuming a run needs only the step number.
///
/// Each constructor is the closed form of the PyTorch scheduler it names, evaluated in Double: the
/// value at step `s` is the learning rate PyTorch's scheduler holds after `s` calls to
/// `scheduler.step()`, i.e. the rate used by the optimizer's step `s`.
public struct Schedule: Sendable {
    public let value: @Sendable (Int) -> Float

    public init(_ value: @escaping @Sendable (Int) -> Float) {
        self.value = value
    }

    public func callAsFunction(_ step: Int) -> Float { value(step) }
}

extension Schedule {
    /// `lr` at every step.
    public static func constant(_ lr: Float) -> Schedule {
        Schedule { _ in lr }
    }

    /// `StepLR`: `lr · γ^⌊s / stepSize⌋`.
    public static func step(_ lr: Float, stepSize: Int, gamma: Double) -> Schedule {
        precondition(stepSize > 0, "Schedule.step: stepSize must be > 0")
        return Schedule { s in Float(Double(lr) * pow(gamma, Double(s / stepSize))) }
    }

    /// `MultiStepLR`: `lr · γ^k` with k the number of milestones at or before s (so the step at a
    /// milestone already runs at the lowered rate, as PyTorch's `bisect_right` gives).
    public static func multiStep(_ lr: Float, milestones: [Int], gamma: Double) -> Schedule {
        precondition(zip(milestones, milestones.dropFirst()).allSatisfy { $0 < $1 }, "Schedule.multiStep: milestones must increase")
        return Schedule { s in Float(Double(lr) * pow(gamma, Double(milestones.prefix { $0 <= s }.count))) }
    }

    /// `ExponentialLR`: `lr · γ^s`. γ is Double, as in PyTorch: a per-step γ such as 0.9999 rounded
    /// to Float would be off by up to 3e-8 relative, and γ^s multiplies that error by s.
    public static func exponential(_ lr: Float, gamma: Double) -> Schedule {
        Schedule { s in Float(Double(lr) * pow(gamma, Double(s))) }
    }

    /// `CosineAnnealingLR` in closed form: `min + (lr − min)·(1 + cos(π·s/T))/2` with T = `totalSteps`.
    /// PyTorch's cosine rises again after T (it is periodic); here it stays at `minLR`, as mlx's
    /// `cosineDecay` does, because a run that outlives its schedule should not warm back up.
    public static func cosine(_ lr: Float, totalSteps: Int, minLR: Float = 0) -> Schedule {
        precondition(totalSteps > 0, "Schedule.cosine: totalSteps must be > 0")
        let (high, low) = (Double(lr), Double(minLR))
        return Schedule { s in
            guard s < totalSteps else { return minLR }
            return Float(low + (high - low) * (1 + cos(Double.pi * Double(s) / Double(totalSteps))) / 2)
        }
    }

    /// mlx's `linearSchedule`: from `start` to `end` over `steps`, then held at `end`.
    public static func linear(_ start: Float, end: Float, steps: Int) -> Schedule {
        precondition(steps > 0, "Schedule.linear: steps must be > 0")
        let (from, to) = (Double(start), Double(end))
        return Schedule { s in Float(from + (to - from) * Double(min(s, steps)) / Double(steps)) }
    }

    /// `SequentialLR([LinearLR(start_factor=f, end_factor=1, total_iters=W), then], milestones=[W])`
    /// with W = `steps` and the target rate `lr = then(0)`:
    ///
    ///     s < W:  lr · (f + (1 − f) · s / W)
    ///     s ≥ W:  then(s − W)
    ///
    /// So step 0 runs at `f·lr` and step W at `then(0)`; the schedule that follows starts its own count
    /// at the milestone, as SequentialLR restarts it. (nanoGPT's warmup, `lr·(s+1)/(W+1)`, is a
    /// different ramp; build it with `Schedule.init` when a comparison needs it.)
    public static func linearWarmup(steps: Int, startFactor: Float, then next: Schedule) -> Schedule {
        precondition(steps > 0, "Schedule.linearWarmup: steps must be > 0")
        precondition(startFactor > 0 && startFactor <= 1, "Schedule.linearWarmup: startFactor must lie in (0, 1]")
        let target = Double(next(0))
        let f = Double(startFactor)
        return Schedule { s in
            guard s < steps else { return next(s - steps) }
            return Float(target * (f + (1 - f) * Double(s) / Double(steps)))
        }
    }

    /// The Noam schedule of "Attention Is All You Need" (Vaswani et al., 2017, §5.3):
    /// `factor · d_model^−½ · min(n^−½, n · warmup^−³ᐟ²)` with n = s + 1, the paper's 1-based step.
    /// It rises linearly for `warmupSteps` steps, peaks at `factor / √(d_model · warmup)`, then decays
    /// as 1/√n.
    public static func inverseSqrt(dModel: Int, warmupSteps: Int, factor: Float = 1) -> Schedule {
        precondition(dModel > 0 && warmupSteps > 0, "Schedule.inverseSqrt: dModel and warmupSteps must be > 0")
        let scale = Double(factor) / Double(dModel).squareRoot()
        let warmup = Double(warmupSteps)
        return Schedule { s in
            let n = Double(s + 1)
            return Float(scale * min(1 / n.squareRoot(), n / (warmup * warmup.squareRoot())))
        }
    }

    /// fairseq's `inverse_sqrt` with `warmup_init_lr` 0: `lr · s / W` for s < W, then `lr · √(W / s)`,
    /// the rate fairseq sets after s updates (so the first update runs at 0, as fairseq's does).
    public static func fairseqInverseSqrt(_ lr: Float, warmupSteps: Int) -> Schedule {
        precondition(warmupSteps > 0, "Schedule.fairseqInverseSqrt: warmupSteps must be > 0")
        let (peak, warmup) = (Double(lr), Double(warmupSteps))
        return Schedule { s in
            let n = Double(s)
            return Float(s < warmupSteps ? peak * n / warmup : peak * (warmup / n).squareRoot())
        }
    }

    /// mlx's `joinSchedules`: `schedules[0]` until `boundaries[0]`, then `schedules[1]` counted from
    /// that boundary, and so on; `boundaries` holds one step fewer than `schedules`, ascending.
    public static func joined(_ schedules: [Schedule], boundaries: [Int]) -> Schedule {
        precondition(!schedules.isEmpty, "Schedule.joined: needs at least one schedule")
        precondition(boundaries.count == schedules.count - 1,
                     "Schedule.joined: \(schedules.count) schedules need \(schedules.count - 1) boundaries")
        precondition(zip(boundaries, boundaries.dropFirst()).allSatisfy { $0 <= $1 },
                     "Schedule.joined: boundaries must be ascending")
        return Schedule { s in
            // The last boundary already passed picks the schedule.
            guard let k = boundaries.lastIndex(where: { s >= $0 }) else { return schedules[0](s) }
            return schedules[k + 1](s - boundaries[k])
        }
    }
}
