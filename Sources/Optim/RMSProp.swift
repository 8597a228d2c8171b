import Core

/// RMSProp, as `torch.optim.RMSprop`:
///
///     g ← g + λ·p                            (L2, only on slots with `decay`)
///     v ← α·v + (1 − α)·g²
///     ḡ ← α·ḡ + (1 − α)·g                    (centered only)
///     d ← √(v − ḡ²) + ε   (centered)   or   √v + ε
///     b ← μ·b + g / d ;  p ← p − lr·b        (momentum > 0)
///     p ← p − lr·g / d                       (otherwise)
///
/// Unlike Adam there is no bias correction, so early steps are larger than later ones; that is
/// PyTorch's behaviour and kept for comparability. State: `v`, then `ḡ` if centered, then `b` if
/// momentum > 0, each laid out like the arena.
public struct RMSProp: StoredStateOptimizer {
    public let alpha: Double
    public let eps: Double
    public let momentum: Double
    public let centered: Bool
    public let weightDecay: Double
    var storage: OptimizerState

    /// PyTorch's defaults.
    public init(layout: ParameterLayout, alpha: Double = 0.99, eps: Double = 1e-8, momentum: Double = 0,
                centered: Bool = false, weightDecay: Double = 0) {
        precondition(alpha >= 0 && eps >= 0 && momentum >= 0 && weightDecay >= 0,
                     "RMSProp: alpha, eps, momentum and weightDecay must be >= 0")
        self.alpha = alpha
        self.eps = eps
        self.momentum = momentum
        self.centered = centered
        self.weightDecay = weightDecay
        self.storage = OptimizerState(count: layout.count, buffers: 1 + (centered ? 1 : 0) + (momentum > 0 ? 1 : 0))
    }

    public mutating func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
                              layout: ParameterLayout, lr: Float, threads: Int) {
        let (alpha, eps, momentum) = (Float(self.alpha), Float(self.eps), Float(self.momentum))
        let (oneMinusAlpha, weightDecay, centered) = (Float(1 - self.alpha), Float(self.weightDecay), self.centered)
        let count = storage.count
        // Buffer offsets in the state: ḡ follows v when centered, b comes last.
        let averageOffset = count
        let momentumOffset = centered ? 2 * count : count
        storage.beginStep(parameters: parameters.count, gradients: gradients.count, layout: layout) { buffer in
            layout.forEachShare(threads: threads) { slot, elements in
                let decay = slot.decay ? weightDecay : 0
                let lr = lr * slot.rateScale
                // One loop per combination of options, each inlined with its flags constant: with the
                // tests inside one loop the compiler turns the optional buffers' reads and writes into
                // masked vector moves, which stall on every vector where the buffer is not allocated.
                @inline(__always) func update(centered: Bool, withMomentum: Bool) {
                    for i in elements {
                        let p = parameters[i]
                        let g = gradients[i] + decay * p
                        let v = buffer[i] * alpha + oneMinusAlpha * g * g
                        buffer[i] = v
                        var variance = v
                        if centered {
                            let mean = buffer[averageOffset + i] + oneMinusAlpha * (g - buffer[averageOffset + i])
                            buffer[averageOffset + i] = mean
                            variance = v - mean * mean
                        }
                        let denominator = variance.squareRoot() + eps
                        if withMomentum {
                            let b = buffer[momentumOffset + i] * momentum + g / denominator
                            buffer[momentumOffset + i] = b
                            parameters[i] = p - lr * b
                        } else {
                            parameters[i] = p - lr * g / denominator
                        }
                    }
                }
                switch (centered, momentum > 0) {
                case (false, false): update(centered: false, withMomentum: false)
                case (true, false): update(centered: true, withMomentum: false)
                case (false, true): update(centered: false, withMomentum: true)
                case (true, true): update(centered: true, withMomentum: true)
                }
            }
        }
    }
}
