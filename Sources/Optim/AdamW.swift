import Core

/// Adam with decoupled weight decay (Loshchilov & Hutter), as `torch.optim.AdamW`:
///
///     p ← p · (1 − lr·λ)                     (only on slots with `decay`)
///     then Adam's update without the L2 term
///
/// Decay shrinks the weights directly instead of passing through the moments, so its strength does
/// not depend on the gradient's scale. The default λ = 0.01 is PyTorch's. State: `m` then `v`.
public struct AdamW: StoredStateOptimizer {
    public let beta1: Double
    public let beta2: Double
    public let eps: Double
    public let weightDecay: Double
    var storage: OptimizerState

    /// PyTorch's defaults.
    public init(layout: ParameterLayout, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                weightDecay: Double = 0.01) {
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "AdamW: betas must lie in [0, 1)")
        precondition(eps >= 0 && weightDecay >= 0, "AdamW: eps and weightDecay must be >= 0")
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        self.storage = OptimizerState(count: layout.count, buffers: 2)
    }

    public mutating func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
                              layout: ParameterLayout, lr: Float) {
        let moments = AdamMoments(beta1: beta1, beta2: beta2, eps: eps, step: storage.stepCount + 1, lr: lr)
        // PyTorch forms 1 − lr·λ in Python floats before scaling the tensor.
        let shrink = Float(1 - Double(lr) * weightDecay)
        let count = storage.count
        storage.beginStep(parameters: parameters.count, gradients: gradients.count, layout: layout) { buffer in
            for slot in layout.slots {
                let factor: Float = slot.decay ? shrink : 1
                for i in slot.range {
                    parameters[i] = moments.update(parameters[i] * factor, gradient: gradients[i],
                                                   m: &buffer[i], v: &buffer[count + i])
                }
            }
        }
    }
}
