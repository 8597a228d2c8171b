import Core

/// Scales `gradients` so their global L2 norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_`; returns the norm before clipping, which training logs.
///
/// The norm covers the whole arena at once (PyTorch's norm of per-tensor norms is the same number).
/// Squares are summed in Double: a model's gradient has millions of entries and a Float sum would
/// lose the small ones. The coefficient is `maxNorm / (norm + 1e-6)` — the 1e-6 is PyTorch's, it
/// keeps a zero gradient from dividing by zero — and gradients are scaled only when it is below 1.
/// A non-finite norm is returned as is and leaves the gradients untouched, so the caller can see it
/// and skip the step.
///
/// Over `threads`, blocks of the arena are summed side by side and scaled side by side; the block sums
/// add up in block order, so the norm has the same bits at any thread count.
@discardableResult
public func clipGradNorm(_ gradients: UnsafeMutableBufferPointer<Float>, maxNorm: Float, threads: Int = 1) -> Float {
    precondition(maxNorm >= 0, "clipGradNorm: maxNorm must be >= 0")
    let norm = Float(sumOfSquares(UnsafeBufferPointer(gradients), threads: threads).squareRoot())
    let coefficient = maxNorm / (norm + 1e-6)
    if norm.isFinite, coefficient < 1 {
        forEachBlock(of: gradients.count, threads: threads) { _, range in
            for i in range { gradients[i] *= coefficient }
        }
    }
    return norm
}

/// Σ x² in Double: the sums of blocks of `sumOfSquaresBlock` floats (each over eight interleaved
/// partial sums: one running sum is a chain of dependent additions, latency-bound, ~60 ms over a
/// 50M-float arena; eight keep the adder busy), added in block order. The grouping differs from a
/// single sum only in Double rounding, far below Float's.
func sumOfSquares(_ values: UnsafeBufferPointer<Float>, threads: Int = 1) -> Double {
    let blocks = (values.count + sumOfSquaresBlock - 1) / sumOfSquaresBlock
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: max(blocks, 1)) { sums in
        forEachBlock(of: values.count, threads: threads) { block, range in
            sums[block] = interleavedSumOfSquares(UnsafeBufferPointer(rebasing: values[range]))
        }
        return sums.prefix(blocks).reduce(0, +)
    }
}

/// Calls `body(block, range)` for the blocks of `sumOfSquaresBlock` elements of 0..<count, spread over
/// `threads` when there are several.
private func forEachBlock(of count: Int, threads: Int, _ body: (Int, Range<Int>) -> Void) {
    let blocks = (count + sumOfSquaresBlock - 1) / sumOfSquaresBlock
    parallelFor(blocks, threads: threads) { share in
        for block in share {
            body(block, (block * sumOfSquaresBlock)..<min(count, (block + 1) * sumOfSquaresBlock))
        }
    }
}

/// 64k floats, about 40 µs of summing: the unit a thread takes.
private let sumOfSquaresBlock = 1 << 16

private func interleavedSumOfSquares(_ values: UnsafeBufferPointer<Float>) -> Double {
    var partial = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    let whole = values.count - values.count % 8
    var i = 0
    while i < whole {
        let (a, b, c, d) = (Double(values[i]), Double(values[i + 1]), Double(values[i + 2]), Double(values[i + 3]))
        let (e, f, g, h) = (Double(values[i + 4]), Double(values[i + 5]), Double(values[i + 6]), Double(values[i + 7]))
        partial.0 += a * a; partial.1 += b * b; partial.2 += c * c; partial.3 += d * d
        partial.4 += e * e; partial.5 += f * f; partial.6 += g * g; partial.7 += h * h
        i += 8
    }
    var sum = ((partial.0 + partial.1) + (partial.2 + partial.3)) + ((partial.4 + partial.5) + (partial.6 + partial.7))
    for j in whole..<values.count { sum += Double(values[j]) * Double(values[j]) }
    return sum
}

/// `clipGradNorm` on an array.
@discardableResult
public func clipGradNorm(_ gradients: inout [Float], maxNorm: Float) -> Float {
    gradients.withUnsafeMutableBufferPointer { clipGradNorm($0, maxNorm: maxNorm) }
}
