import Core
import Foundation

/// Adam with L2-coupled weight decay, as `torch.optim.Adam`:
///
///     g ← g + λ·p                            (only on slots with `decay`)
///     m ← β₁·m + (1 − β₁)·g
///     v ← β₂·v + (1 − β₂)·g²
///     p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// The decay term passes through the moments, so it is scaled by the adaptive step like any other
/// gradient; `AdamW` decouples it. State: `m` then `v`, each laid out like the arena.
public struct Adam: StoredStateOptimizer {
    public let beta1: Double
    public let beta2: Double
    public let eps: Double
    public let weightDecay: Double
    var storage: OptimizerState

    /// PyTorch's defaults.
    public init(layout: ParameterLayout, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                weightDecay: Double = 0) {
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: betas must lie in [0, 1)")
        precondition(eps >= 0 && weightDecay >= 0, "Adam: eps and weightDecay must be >= 0")
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        self.storage = OptimizerState(count: layout.count, buffers: 2)
    }

    public mutating func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
                              layout: ParameterLayout, lr: Float) {
        let moments = AdamMoments(beta1: beta1, beta2: beta2, eps: eps, step: storage.stepCount + 1, lr: lr)
        let (weightDecay, count) = (Float(self.weightDecay), storage.count)
        storage.beginStep(parameters: parameters.count, gradients: gradients.count, layout: layout) { buffer in
            for slot in layout.slots {
                let decay = slot.decay ? weightDecay : 0
                for i in slot.range {
                    let p = parameters[i]
                    parameters[i] = moments.update(p, gradient: gradients[i] + decay * p,
                                                   m: &buffer[i], v: &buffer[count + i])
                }
            }
        }
    }
}

/// The moment update and bias-corrected step Adam and AdamW share, with PyTorch's operation order
/// (`lerp` for `m`, `mul`/`addcmul` for `v`, step size folded into `addcdiv`) so results match a
/// PyTorch run to the last few bits. Constants are formed once per step in Double and rounded to
/// Float, as PyTorch forms them in Python floats before scaling float32 tensors.
struct AdamMoments {
    let oneMinusBeta1: Float
    let beta2: Float
    let oneMinusBeta2: Float
    let eps: Float
    /// −lr / (1 − β₁ᵗ)
    let negativeStepSize: Float
    /// √(1 − β₂ᵗ)
    let correction2Root: Float

    init(beta1: Double, beta2: Double, eps: Double, step: Int, lr: Float) {
        let t = Double(step)
        oneMinusBeta1 = Float(1 - beta1)
        self.beta2 = Float(beta2)
        oneMinusBeta2 = Float(1 - beta2)
        self.eps = Float(eps)
        negativeStepSize = Float(-Double(lr) / (1 - pow(beta1, t)))
        correction2Root = Float((1 - pow(beta2, t)).squareRoot())
    }

    /// Updates the moments of one element and returns its new value.
    @inline(__always)
    func update(_ p: Float, gradient g: Float, m: inout Float, v: inout Float) -> Float {
        m += oneMinusBeta1 * (g - m)
        v = v * beta2 + oneMinusBeta2 * g * g
        let denominator = v.squareRoot() / correction2Root + eps
        return p + negativeStepSize * m / denominator
    }
}
