import Core
import Foundation

/// Adam (Kingma & Ba) with either kind of weight decay, as PyTorch has them:
///
///     torch.optim.Adam  (coupled):    g ← g + λ·p                 (only on slots with `decay`)
///     torch.optim.AdamW (decoupled):  p ← p · (1 − lr·λ)           (Loshchilov & Hutter)
///     then m ← β₁·m + (1 − β₁)·g,  v ← β₂·v + (1 − β₂)·g²,
///          p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// Coupled decay passes through the moments, so the adaptive step scales it like any gradient;
/// decoupled decay shrinks the weights directly, whatever the gradient's scale. State: `m` then `v`,
/// each laid out like the arena.
public struct Adam: StoredStateOptimizer {
    public enum WeightDecay: Sendable {
        /// λ·p added to the gradient: `torch.optim.Adam`'s `weight_decay`.
        case coupled
        /// The weights shrunk by lr·λ before the step: `torch.optim.AdamW`.
        case decoupled
    }

    public let beta1: Double
    public let beta2: Double
    public let eps: Double
    public let weightDecay: Double
    public let decayMode: WeightDecay
    var storage: OptimizerState

    /// `torch.optim.Adam` with PyTorch's defaults.
    public init(layout: ParameterLayout, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                weightDecay: Double = 0, decayMode: WeightDecay = .coupled) {
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "Adam: betas must lie in [0, 1)")
        precondition(eps >= 0 && weightDecay >= 0, "Adam: eps and weightDecay must be >= 0")
        (self.beta1, self.beta2, self.eps, self.weightDecay, self.decayMode) = (beta1, beta2, eps, weightDecay, decayMode)
        storage = OptimizerState(count: layout.count, buffers: 2)
    }

    /// `torch.optim.AdamW` with PyTorch's defaults (λ = 0.01).
    public static func adamW(layout: ParameterLayout, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                             weightDecay: Double = 0.01) -> Adam {
        Adam(layout: layout, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay, decayMode: .decoupled)
    }

    public mutating func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
                              layout: ParameterLayout, lr: Float, threads: Int) {
        let (beta1, beta2, eps, step, weightDecay, decayMode) = (beta1, beta2, eps, storage.stepCount + 1, weightDecay, decayMode)
        let count = storage.count
        storage.beginStep(parameters: parameters.count, gradients: gradients.count, layout: layout) { buffer in
            layout.forEachShare(threads: threads) { slot, elements in
                let lr = lr * slot.rateScale
                let moments = AdamMoments(beta1: beta1, beta2: beta2, eps: eps, step: step, lr: lr)
                // Coupled: the gradient gains λ·p. Decoupled: p is first scaled by 1 − lr·λ, formed in
                // Double as PyTorch forms it in Python floats.
                let (coupled, shrink): (Float, Float) = switch decayMode {
                case .coupled: (Float(weightDecay), 1)
                case .decoupled: (0, Float(1 - Double(lr) * weightDecay))
                }
                let (decay, factor): (Float, Float) = slot.decay ? (coupled, shrink) : (0, 1)
                guard let p = parameters.baseAddress, let g = gradients.baseAddress, let m = buffer.baseAddress else { return }
                let v = m + count
                // Eight elements at a time, the last chunk zero-padded: lane-wise IEEE operations give
                // every element the bits a loop over single floats gives it.
                var i = elements.lowerBound
                while i < elements.upperBound {
                    let width = min(8, elements.upperBound - i)
                    let old = lanes(p, i, width)
                    var (first, second) = (lanes(m, i, width), lanes(v, i, width))
                    store(moments.update(old * factor, gradient: lanes(g, i, width) + decay * old, m: &first, v: &second),
                          p, i, width)
                    store(first, m, i, width)
                    store(second, v, i, width)
                    i += width
                }
            }
        }
    }
}

/// Elements i..<i + width of `values` (width ≤ 8), zeros in the lanes past `width`.
@inline(__always)
private func lanes(_ values: UnsafePointer<Float>, _ i: Int, _ width: Int) -> SIMD8<Float> {
    if width == 8 { return UnsafeRawPointer(values + i).loadUnaligned(as: SIMD8<Float>.self) }
    var lanes = SIMD8<Float>()
    for lane in 0..<width { lanes[lane] = values[i + lane] }
    return lanes
}

/// Writes the first `width` lanes of `lanes` to elements i..<i + width of `values`.
@inline(__always)
private func store(_ lanes: SIMD8<Float>, _ values: UnsafeMutablePointer<Float>, _ i: Int, _ width: Int) {
    if width == 8 { return UnsafeMutableRawPointer(values + i).storeBytes(of: lanes, as: SIMD8<Float>.self) }
    for lane in 0..<width { values[i + lane] = lanes[lane] }
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

    /// Updates the moments of eight elements and returns their new values.
    @inline(__always)
    func update(_ p: SIMD8<Float>, gradient g: SIMD8<Float>, m: inout SIMD8<Float>, v: inout SIMD8<Float>) -> SIMD8<Float> {
        m += oneMinusBeta1 * (g - m)
        v = v * beta2 + oneMinusBeta2 * g * g
        let denominator = v.squareRoot() / correction2Root + eps
        return p + negativeStepSize * m / denominator
    }
}
