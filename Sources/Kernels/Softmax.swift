import Foundation

/// Softmax and the fused softmax + cross-entropy, all over the last axis with x viewed as (rows, cols).
/// Every row subtracts its maximum before exponentiating, so no logit is too large for `exp`.

/// Mean over non-ignored rows of -log softmax(logits)[target]; 0 when every row is ignored. With
/// `smoothing` ε each row's term is (1 − ε)·(-log p[target]) + ε·mean over the classes of -log p,
/// PyTorch's `cross_entropy(label_smoothing=ε)`.
/// logits: (rows, cols), targets: (rows) class ids as Float. Row terms and their sum are in Double, so
/// the loss of a large batch does not drift with the order of the rows.
public func logSoftmaxNLL(_ logits: UnsafePointer<Float>, targets: UnsafePointer<Float>, rows: Int, cols: Int,
                          ignoreIndex: Int, smoothing: Float = 0) -> Float {
    let terms = UnsafeMutablePointer<Double>.allocate(capacity: rows)
    defer { terms.deallocate() }
    logSoftmaxNLLTerms(logits, targets: targets, rows: 0..<rows, cols: cols, ignoreIndex: ignoreIndex, smoothing: smoothing,
                       into: terms)
    return meanOfScoredTerms(terms, rows: rows, scored: scoredRowCount(targets: targets, rows: rows, cols: cols,
                                                                         ignoreIndex: ignoreIndex))
}

/// Each row's term of `logSoftmaxNLL`, for the rows in `range` (so that parts of a batch can be done
/// apart); an ignored row's is 0. terms: (rows), written at the rows' own indices.
public func logSoftmaxNLLTerms(_ logits: UnsafePointer<Float>, targets: UnsafePointer<Float>, rows range: Range<Int>,
                               cols: Int, ignoreIndex: Int, smoothing: Float, into terms: UnsafeMutablePointer<Double>) {
    let epsilon = Double(smoothing)
    for r in range {
        guard let target = classIndex(targets[r], cols: cols, ignoreIndex: ignoreIndex) else {
            terms[r] = 0
            continue
        }
        let row = logits + r * cols
        let max = rowMax(row, cols)
        // -log softmax[t] = log Σ exp(x - max) + max - x[t]; the mean over classes has mean(x) for x[t].
        var term = log(sumOfExp(row, cols, minus: max)) + Double(max) - Double(row[target])
        if epsilon > 0 {
            let mean = (0..<cols).reduce(0.0) { $0 + Double(row[$1]) } / Double(cols)
            term += epsilon * (Double(row[target]) - mean)
        }
        terms[r] = term
    }
}

/// The rows' terms (0 for ignored ones) summed in row order, whatever computed them, over the
/// `scored` rows; 0 when none is. A NaN term (a diverged row) makes the mean NaN.
public func meanOfScoredTerms(_ terms: UnsafePointer<Double>, rows: Int, scored: Int) -> Float {
    var total = 0.0
    for r in 0..<rows { total += terms[r] }
    return scored == 0 ? 0 : Float(total / Double(scored))
}

/// The rows whose target is scored: not `ignoreIndex`.
public func scoredRowCount(targets: UnsafePointer<Float>, rows: Int, cols: Int, ignoreIndex: Int) -> Int {
    (0..<rows).reduce(0) { $0 + (classIndex(targets[$1], cols: cols, ignoreIndex: ignoreIndex) == nil ? 0 : 1) }
}

/// dLogits = gradLoss / nValid · (softmax(logits) - (1 − ε)·onehot(target) − ε / cols) on valid rows,
/// 0 on ignored rows. logits, dLogits: (rows, cols); targets: (rows).
public func logSoftmaxNLLBackward(_ logits: UnsafePointer<Float>, targets: UnsafePointer<Float>, rows: Int, cols: Int,
                                  ignoreIndex: Int, smoothing: Float = 0, gradLoss: Float, _ dLogits: UnsafeMutablePointer<Float>) {
    logSoftmaxNLLBackward(logits, targets: targets, rows: 0..<rows, cols: cols, ignoreIndex: ignoreIndex, smoothing: smoothing,
                          scale: scoredScale(targets: targets, rows: rows, cols: cols, ignoreIndex: ignoreIndex, gradLoss: gradLoss),
                          dLogits)
}

/// gradLoss / the number of scored rows: what each scored row's gradient is scaled by; 0 when none is.
public func scoredScale(targets: UnsafePointer<Float>, rows: Int, cols: Int, ignoreIndex: Int, gradLoss: Float) -> Float {
    let scored = scoredRowCount(targets: targets, rows: rows, cols: cols, ignoreIndex: ignoreIndex)
    return scored == 0 ? 0 : gradLoss / Float(scored)
}

/// `logSoftmaxNLLBackward` for the rows in `range`, with the batch's `scale` (`scoredScale`) given.
public func logSoftmaxNLLBackward(_ logits: UnsafePointer<Float>, targets: UnsafePointer<Float>, rows range: Range<Int>,
                                  cols: Int, ignoreIndex: Int, smoothing: Float, scale: Float,
                                  _ dLogits: UnsafeMutablePointer<Float>) {
    for r in range {
        let dst = dLogits + r * cols
        guard let target = classIndex(targets[r], cols: cols, ignoreIndex: ignoreIndex) else {
            dst.update(repeating: 0, count: cols)
            continue
        }
        let row = logits + r * cols
        let sum = expRow(row, cols, minus: rowMax(row, cols), into: dst)
        scaleRow(dst, cols, by: scale / sum)
        if smoothing > 0 {
            let uniform = scale * smoothing / Float(cols)
            for i in 0..<cols { dst[i] -= uniform }
        }
        dst[target] -= scale * (1 - smoothing)
    }
}

/// y = softmax(x + mask[r % maskRows]) per row; the additive mask may hold -infinity, and a row that is
/// entirely -infinity gives zeros rather than NaN. With maskRows = T a (T, T) causal mask serves scores
/// of shape (B, H, T, T). x, out: (rows, cols); mask: (maskRows, cols).
///
/// Where the mask is -infinity y is 0 whatever x holds, NaN and +infinity included (as after PyTorch's
/// `masked_fill(-inf)`), so columns past a mask row's last finite entry are not computed at all: half
/// of a causal row. The computed span is rounded up to whole blocks of `rowSum`'s 16 floats, so a row
/// sums the same terms in the same order as it would over every column, and gives the same bits.
public func softmax(_ x: UnsafePointer<Float>, rows: Int, cols: Int, mask: UnsafePointer<Float>?, maskRows: Int,
                    _ out: UnsafeMutablePointer<Float>) {
    withUnsafeTemporaryAllocation(of: Int.self, capacity: max(maskRows, 1)) { spans in
        for m in 0..<maskRows { spans[m] = mask.map { computedSpan(ofMaskRow: $0 + m * cols, cols) } ?? cols }
        for r in 0..<rows {
            let src = x + r * cols, dst = out + r * cols
            let maskRow = mask.map { $0 + (r % maskRows) * cols }
            let span = spans[r % maskRows]
            (dst + span).update(repeating: 0, count: cols - span)
            let max: Float
            if let maskRow {
                // Stage x + mask in `out`: the max and then the exponentials read it in place.
                for i in 0..<span { dst[i] = maskRow[i] == -.infinity ? -.infinity : src[i] + maskRow[i] }
                max = rowMax(dst, span)
            } else {
                max = rowMax(src, span)
            }
            guard max > -.infinity else {
                dst.update(repeating: 0, count: span)
                continue
            }
            let sum = expRow(maskRow == nil ? src : UnsafePointer(dst), span, minus: max, into: dst)
            scaleRow(dst, span, by: 1 / sum)
        }
    }
}

/// The columns of a row under `maskRow` that softmax computes: through the last finite entry, rounded
/// up to a multiple of 16 (or all of them).
private func computedSpan(ofMaskRow maskRow: UnsafePointer<Float>, _ cols: Int) -> Int {
    var end = cols
    while end > 0 && maskRow[end - 1] == -.infinity { end -= 1 }
    return min(cols, (end + 15) / 16 * 16)
}

/// dx = y · (gy - Σ gy·y) per row, from the softmax output alone. y, gy, dx: (rows, cols).
public func softmaxBackward(_ y: UnsafePointer<Float>, _ gy: UnsafePointer<Float>, rows: Int, cols: Int,
                            _ dx: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        let yRow = y + r * cols, gRow = gy + r * cols, dst = dx + r * cols
        let dot = rowDot(yRow, gRow, cols)
        for i in 0..<cols { dst[i] = yRow[i] * (gRow[i] - dot) }
    }
}

/// The class index of a Float-stored target, or nil for `ignoreIndex`; traps on anything else outside 0..<cols.
@inline(__always)
private func classIndex(_ value: Float, cols: Int, ignoreIndex: Int) -> Int? {
    if value == Float(ignoreIndex) { return nil }
    return rowIndex(value, rows: cols)
}

/// Σ exp(p[i] - max), each eight-lane partial sum added in Double.
private func sumOfExp(_ p: UnsafePointer<Float>, _ n: Int, minus max: Float) -> Double {
    var sum = 0.0
    forEachChunk(n) { j, width in
        let e = exp8(load8(p + j, width) - max)
        if width == 8 {
            sum += Double(e.sum())
        } else {
            // The zero-filled lanes of a partial chunk hold exp(-max), not 0.
            for lane in 0..<width { sum += Double(e[lane]) }
        }
    }
    return sum
}

/// dst[i] = exp(p[i] - max); returns Σ dst[i]. `dst` may alias `p`.
@inline(__always)
private func expRow(_ p: UnsafePointer<Float>, _ n: Int, minus max: Float, into dst: UnsafeMutablePointer<Float>) -> Float {
    map8(p, dst, count: n) { exp8($0 - max) }
    return rowSum(dst, n)
}

@inline(__always)
private func scaleRow(_ p: UnsafeMutablePointer<Float>, _ n: Int, by factor: Float) {
    for i in 0..<n { p[i] *= factor }
}
