import Core
import Optim
import Spec

/// What a training step does besides running the training pass: the optimizer over the arena (with
/// the spec's decay rule in its layout), the learning rate at each step, gradient clipping and
/// accumulation. The plan makes it, so that the training loop constructs no optimizer or schedule
/// of its own and never asks which model it trains.
public struct TrainingRecipe {
    public var optimizer: any Optimizer
    /// The arena's layout with the decay flags of `train.optimizer.decay`: what every optimizer step gets.
    public let stepLayout: ParameterLayout
    public let schedule: Schedule
    /// The rate's reduction on a plateau of a watched metric (`schedule.kind: plateau`), which scales
    /// what `schedule` gives; nil for the other kinds.
    public var plateau: Plateau?
    /// The global gradient norm that clipping scales down to; nil for no clipping.
    public let clipGradNorm: Float?
    /// Batches whose mean gradient makes one step.
    public let accumulation: Int
    /// Steps of the whole run.
    public let totalSteps: Int
    /// Optimizer steps an epoch makes (its batches in whole groups of `accumulation`).
    public let stepsPerEpoch: Int
    /// Threads that clipping and the optimizer split the arena over (the run's `train.threads`); the
    /// results are the same bits at any count.
    public var threads = 1
}

extension TrainingRecipe {
    /// The learning rate of training step `step`: the schedule's, scaled by the plateau's verdicts.
    public func rate(at step: Int) -> Float {
        plateau.map { Float(Double(schedule(step)) * $0.state.scale) } ?? schedule(step)
    }

    /// The optimizer step of training step `step`: clips `gradients` in place, then updates
    /// `parameters` at the schedule's learning rate. Returns that rate and the gradient norm before
    /// clipping (nil when the recipe does not clip).
    public mutating func step(_ step: Int, parameters: UnsafeMutableBufferPointer<Float>,
                              gradients: UnsafeMutableBufferPointer<Float>) -> (lr: Float, gradientNorm: Float?) {
        let lr = rate(at: step)
        let gradientNorm = clipGradNorm.map { Optim.clipGradNorm(gradients, maxNorm: $0, threads: threads) }
        optimizer.step(parameters: parameters, gradients: UnsafeBufferPointer(gradients), layout: stepLayout, lr: lr,
                       threads: threads)
        return (lr, gradientNorm)
    }
}

/// A plan of any task: it owns the training recipe of its spec.
public protocol TrainingPlan {
    /// The spec's training section.
    var training: TrainSpec { get }
    /// The width that schedules scale by (Noam's d_model).
    var modelWidth: Int { get }
    /// Whether the model learns by counting its training examples, once, instead of by steps.
    var fitsByCounting: Bool { get }
    /// What the learning rate is multiplied by for one parameter (0: frozen); 1 unless the task says.
    func rateScale(of slot: ParameterSlot) -> Float
}

extension TrainingPlan {
    public func rateScale(of slot: ParameterSlot) -> Float { 1 }
}

extension LanguageModelPlan: TrainingPlan {
    public var fitsByCounting: Bool { model.fitsByCounting }
    public var modelWidth: Int { model.modelWidth }
}

extension TrainingPlan {
    /// The recipe for an arena of `layout` and a training split of `batchesPerEpoch` batches.
    public func recipe(for layout: ParameterLayout, batchesPerEpoch: Int) throws -> TrainingRecipe {
        let totalSteps = try self.totalSteps(batchesPerEpoch: batchesPerEpoch)
        let (schedule, stepsPerEpoch) = (training.schedule, batchesPerEpoch / training.gradAccumSteps)
        return TrainingRecipe(
            optimizer: try optimizer(for: layout), stepLayout: stepLayout(for: layout),
            schedule: Optimization.schedule(schedule, lr: training.optimizer.lr, totalSteps: totalSteps,
                                            stepsPerEpoch: stepsPerEpoch, width: modelWidth),
            plateau: schedule.kind == .plateau ? Optimization.plateau(schedule, lr: training.optimizer.lr) : nil,
            clipGradNorm: training.clipGradNorm.map(Float.init), accumulation: training.gradAccumSteps,
            totalSteps: totalSteps, stepsPerEpoch: stepsPerEpoch)
    }

    /// The spec's optimizer over an arena of `layout`.
    public func optimizer(for layout: ParameterLayout) throws -> any Optimizer {
        try Optimization.optimizer(training.optimizer, layout: layout)
    }

    /// The arena's layout with the decay flags of `train.optimizer.decay` and the plan's rate scales.
    public func stepLayout(for layout: ParameterLayout) -> ParameterLayout {
        var layout = Optimization.layout(layout, decay: training.optimizer.decay)
        layout.setRateScale(rateScale(of:))
        return layout
    }

    /// `train.steps`, or `train.epochs` of whole steps (a last group of fewer than `grad_accum_steps`
    /// batches is left out); 0 for a model fit by counting.
    func totalSteps(batchesPerEpoch: Int) throws -> Int {
        let stepsPerEpoch = batchesPerEpoch / training.gradAccumSteps
        guard stepsPerEpoch > 0 else {
            throw PlanError.invalid("an epoch has \(batchesPerEpoch) batches, fewer than "
                + "train.grad_accum_steps \(training.gradAccumSteps); lower grad_accum_steps or batch_size",
                                    keys: ["train.grad_accum_steps", "train.batch_size"])
        }
        let (epochSteps, overflow) = (training.epochs ?? 1).multipliedReportingOverflow(by: stepsPerEpoch)
        guard !overflow else {
            throw PlanError.invalid("train.epochs \(training.epochs ?? 1) × \(stepsPerEpoch) steps an epoch "
                + "is more steps than can be counted; lower train.epochs", keys: ["train.epochs"])
        }
        return fitsByCounting ? 0 : training.steps ?? epochSteps
    }
}

/// The optimizer and learning-rate schedule a spec asks for.
enum Optimization {
    static func optimizer(_ spec: OptimizerSpec, layout: ParameterLayout) throws -> any Optimizer {
        guard spec.betas.count == 2 else {
            throw PlanError.invalid("train.optimizer.betas needs two values, got \(spec.betas.count)",
                                    keys: ["train.optimizer.betas"])
        }
        switch spec.kind {
        case .sgd: return SGD(layout: layout, momentum: spec.momentum, nesterov: spec.nesterov, weightDecay: spec.weightDecay)
        case .adam: return Adam(layout: layout, beta1: spec.betas[0], beta2: spec.betas[1], eps: spec.eps, weightDecay: spec.weightDecay)
        case .adamW: return Adam.adamW(layout: layout, beta1: spec.betas[0], beta2: spec.betas[1], eps: spec.eps, weightDecay: spec.weightDecay)
        case .rmsProp: return RMSProp(layout: layout, momentum: spec.momentum, weightDecay: spec.weightDecay)
        }
    }

    /// The arena's layout with the decay flags of `spec.decay`: the layout every optimizer step gets.
    static func layout(_ declared: ParameterLayout, decay: OptimizerSpec.Decay) -> ParameterLayout {
        var layout = declared
        switch decay {
        case .layers: break
        case .all: layout.setDecay(.all)
        case .matrices: layout.setDecay(.matricesOnly)
        }
        return layout
    }

    /// The schedule over `totalSteps` training steps, with `warmup_steps` W of linear warm-up in front
    /// of the decaying kinds (Noam and inverse_sqrt have their own warm-up): PyTorch's LinearLR from lr/W up to lr.
    /// A plateau's rate is constant until the plateau lowers it.
    static func schedule(_ spec: ScheduleSpec, lr: Double, totalSteps: Int, stepsPerEpoch: Int, width: Int) -> Schedule {
        let base = Float(lr)
        let decaySteps = max(1, totalSteps - spec.warmupSteps)
        let decay: Schedule
        switch spec.kind {
        case .constant, .plateau: decay = .constant(base)
        case .multistep:
            decay = .multiStep(base, milestones: spec.milestoneSteps(stepsPerEpoch: stepsPerEpoch), gamma: spec.gamma)
        case .step: decay = .step(base, stepSize: spec.stepSize, gamma: spec.gamma)
        case .exponential: decay = .exponential(base, gamma: spec.gamma)
        case .cosine: decay = .cosine(base, totalSteps: decaySteps, minLR: Float(spec.minLR))
        case .linear: decay = .linear(base, end: Float(spec.minLR), steps: decaySteps)
        case .noam: return .inverseSqrt(dModel: spec.width ?? width, warmupSteps: max(1, spec.warmupSteps), factor: base)
        case .inverseSqrt: return .fairseqInverseSqrt(base, warmupSteps: max(1, spec.warmupSteps))
        }
        return spec.warmupSteps > 0 ? .linearWarmup(steps: spec.warmupSteps, startFactor: 1 / Float(spec.warmupSteps), then: decay) : decay
    }

    /// `ReduceLROnPlateau` as the spec gives it, watching its metric in the direction that metric improves.
    static func plateau(_ spec: ScheduleSpec, lr: Double) -> Plateau {
        Plateau(baseLR: lr, factor: spec.factor, patience: spec.patience, threshold: spec.threshold, cooldown: spec.cooldown,
                mode: MetricDirection.lowerIsBetter(spec.metric) ? .min : .max, minLR: spec.minLR)
    }
}
