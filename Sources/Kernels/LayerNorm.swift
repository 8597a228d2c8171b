/// Layer normalisation over the last axis, without the affine part: γ and β are ordinary graph ops on
/// the output, so they get their gradients from the generic rules. Biased variance, as in PyTorch.
///
/// The backward recomputes mean and 1/σ from x instead of caching them: two row reductions cost less than
/// keeping a (rows) side buffer alive from the forward pass to the backward one.

/// out = (x - mean) / sqrt(var + eps) per row. x, out: (rows, cols).
public func layerNorm(_ x: UnsafePointer<Float>, rows: Int, cols: Int, eps: Float, _ out: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let src = x + r * cols, dst = out + r * cols
        let (mean, rstd) = moments(src, cols, eps: eps)
        for i in 0..<cols { dst[i] = (src[i] - mean) * rstd }
    }
}

/// dx = rstd · (gy - mean(gy) - xhat · mean(gy · xhat)) per row, xhat = (x - mean) · rstd.
/// x, gy, dx: (rows, cols).
public func layerNormBackward(_ x: UnsafePointer<Float>, _ gy: UnsafePointer<Float>, rows: Int, cols: Int, eps: Float,
                              _ dx: UnsafeMutablePointer<Float>) {
    let invCols = 1 / Float(cols)
    for r in 0..<rows {
        let src = x + r * cols, g = gy + r * cols, dst = dx + r * cols
        let (mean, rstd) = moments(src, cols, eps: eps)
        let meanG = rowSum(g, cols) * invCols
        let meanGX = rowCenteredDot(g, src, cols, mean: mean) * rstd * invCols
        for i in 0..<cols {
            let xhat = (src[i] - mean) * rstd
            dst[i] = rstd * (g[i] - meanG - xhat * meanGX)
        }
    }
}

/// The row's mean and 1 / sqrt(biased variance + eps), variance by the two-pass formula.
@inline(__always)
private func moments(_ p: UnsafePointer<Float>, _ n: Int, eps: Float) -> (mean: Float, rstd: Float) {
    let mean = rowSum(p, n) / Float(n)
    let variance = rowSquaredDeviation(p, n, mean: mean) / Float(n)
    return (mean, 1 / (variance + eps).squareRoot())
}
