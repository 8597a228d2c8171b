/// Scales `gradients` so their global L2 norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_`; returns the norm before clipping, which training logs.
///
/// The norm covers the whole arena at once (PyTorch's norm of per-tensor norms is the same number).
/// Squares are summed in Double: a model's gradient has millions of entries and a Float sum would
/// lose the small ones. The coefficient is `maxNorm / (norm + 1e-6)` — the 1e-6 is PyTorch's, it
/// keeps a zero gradient from dividing by zero — and gradients are scaled only when it is below 1.
/// A non-finite norm is returned as is and leaves the gradients untouched, so the caller can see it
/// and skip the step.
@discardableResult
public func clipGradNorm(_ gradients: UnsafeMutableBufferPointer<Float>, maxNorm: Float) -> Float {
    precondition(maxNorm >= 0, "clipGradNorm: maxNorm must be >= 0")
    var sum: Double = 0
    for g in gradients { sum += Double(g) * Double(g) }
    let norm = Float(sum.squareRoot())
    let coefficient = maxNorm / (norm + 1e-6)
    if norm.isFinite, coefficient < 1 {
        for i in gradients.indices { gradients[i] *= coefficient }
    }
    return norm
}

/// `clipGradNorm` on an array.
@discardableResult
public func clipGradNorm(_ gradients: inout [Float], maxNorm: Float) -> Float {
    gradients.withUnsafeMutableBufferPointer { clipGradNorm($0, maxNorm: maxNorm) }
}
