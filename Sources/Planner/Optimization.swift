import Core
import Optim
import Spec

/// The optimizer and learning-rate schedule a spec asks for.
public enum Optimization {
    public static func optimizer(_ spec: OptimizerSpec, layout: ParameterLayout) throws -> any Optimizer {
        guard spec.betas.count == 2 else { throw PlanError.invalid("train.optimizer.betas needs two values, got \(spec.betas.count)") }
        switch spec.kind {
        case .sgd: return SGD(layout: layout, momentum: spec.momentum, nesterov: spec.nesterov, weightDecay: spec.weightDecay)
        case .adam: return Adam(layout: layout, beta1: spec.betas[0], beta2: spec.betas[1], eps: spec.eps, weightDecay: spec.weightDecay)
        case .adamW: return AdamW(layout: layout, beta1: spec.betas[0], beta2: spec.betas[1], eps: spec.eps, weightDecay: spec.weightDecay)
        case .rmsProp: return RMSProp(layout: layout, momentum: spec.momentum, weightDecay: spec.weightDecay)
        }
    }

    /// The arena's layout with the decay flags of `spec.decay`: the layout every optimizer step gets.
    public static func layout(_ declared: ParameterLayout, decay: OptimizerSpec.Decay) -> ParameterLayout {
        var layout = declared
        switch decay {
        case .layers: break
        case .all: layout.setDecay(.all)
        case .matrices: layout.setDecay(.matricesOnly)
        }
        return layout
    }

    /// The schedule over `totalSteps` training steps, with `warmup_steps` W of linear warm-up in front
    /// of the decaying kinds (Noam has its own warm-up): PyTorch's LinearLR from lr/W up to lr.
    public static func schedule(_ spec: ScheduleSpec, lr: Double, totalSteps: Int, width: Int) -> Schedule {
        let base = Float(lr)
        let decaySteps = max(1, totalSteps - spec.warmupSteps)
        let decay: Schedule
        switch spec.kind {
        case .constant: decay = .constant(base)
        case .step: decay = .step(base, stepSize: spec.stepSize, gamma: spec.gamma)
        case .exponential: decay = .exponential(base, gamma: spec.gamma)
        case .cosine: decay = .cosine(base, totalSteps: decaySteps, minLR: Float(spec.minLR))
        case .noam: return .inverseSqrt(dModel: width, warmupSteps: max(1, spec.warmupSteps), factor: base)
        }
        return spec.warmupSteps > 0 ? .linearWarmup(steps: spec.warmupSteps, startFactor: 1 / Float(spec.warmupSteps), then: decay) : decay
    }
}
