import Core

/// Stochastic gradient descent with optional momentum, as `torch.optim.SGD`:
///
///     g ← g + λ·p                            (L2, only on slots with `decay`)
///     b ← g                                  on the first step
///     b ← μ·b + (1 − τ)·g                    afterwards
///     g ← g + μ·b  (Nesterov)   or   g ← b
///     p ← p − lr·g
///
/// The first step copies the gradient into the buffer without dampening, exactly as PyTorch does, so
/// the two agree from step one.
public struct SGD: StoredStateOptimizer {
    public let momentum: Double
    public let dampening: Double
    public let nesterov: Bool
    public let weightDecay: Double
    var storage: OptimizerState

    /// PyTorch's defaults; `nesterov` needs momentum and no dampening, as in PyTorch.
    public init(layout: ParameterLayout, momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false,
                weightDecay: Double = 0) {
        precondition(momentum >= 0 && weightDecay >= 0, "SGD: momentum and weightDecay must be >= 0")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov needs momentum > 0 and dampening 0")
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        // Plain SGD keeps no buffer at all.
        self.storage = OptimizerState(count: layout.count, buffers: momentum == 0 ? 0 : 1)
    }

    public mutating func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
                              layout: ParameterLayout, lr: Float, threads: Int) {
        let (momentum, weightDecay, damped) = (Float(self.momentum), Float(self.weightDecay), Float(1 - dampening))
        let nesterov = self.nesterov
        let firstStep = storage.stepCount == 0
        storage.beginStep(parameters: parameters.count, gradients: gradients.count, layout: layout) { buffer in
            layout.forEachShare(threads: threads) { slot, elements in
                let decay = slot.decay ? weightDecay : 0
                let lr = lr * slot.rateScale
                // Plain SGD has a loop of its own: with the momentum test inside one loop the compiler
                // turns the buffer's reads and writes into masked vector moves, and a masked move of the
                // empty buffer's address stalls on every vector (11 ns an element, against 1).
                guard momentum != 0 else {
                    for i in elements { parameters[i] -= lr * (gradients[i] + decay * parameters[i]) }
                    return
                }
                for i in elements {
                    let g = gradients[i] + decay * parameters[i]
                    let b = firstStep ? g : momentum * buffer[i] + damped * g
                    buffer[i] = b
                    parameters[i] -= lr * (nesterov ? g + momentum * b : b)
                }
            }
        }
    }
}
