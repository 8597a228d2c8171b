import Core

/// Sum or max over `axes` (sorted, unique) with the axes kept as size 1: x (…, d_axis, …) → out (…, 1, …).
///
/// Axes are first collapsed: size-1 axes dropped and neighbours that are both reduced or both kept merged.
/// One reduced run leaves x viewed as (outer, reduced, inner), which is the fast path: inner = 1 sums
/// contiguous rows, inner > 1 accumulates whole rows of `inner` into the output. Several runs (axes 0 and
/// 2 of three, say) walk x once in order and accumulate into the output through kept-axis strides.
public func reduce(_ op: ReduceOp, _ x: UnsafePointer<Float>, shape: [Int], axes: [Int],
                   _ out: UnsafeMutablePointer<Float>) {
    switch op {
    case .sum: reduce(Sum.self, x, shape, axes, out)
    case .max: reduce(Max.self, x, shape, axes, out)
    }
}

/// The index of each row's largest element, the first on a tie: x (rows, cols) → out (rows) as Floats.
public func argmaxRows(_ x: UnsafePointer<Float>, rows: Int, cols: Int, _ out: UnsafeMutablePointer<Float>) {
    for row in 0..<rows {
        let p = x + row * cols
        var best = 0
        for j in 1..<max(cols, 1) where p[j] > p[best] { best = j }
        out[row] = Float(best)
    }
}

/// A reduction as a type, so that every loop below is specialised with its combine step inlined.
private protocol Reduction {
    static var identity: Float { get }
    static func combine(_ a: Float, _ b: Float) -> Float
    static func row(_ p: UnsafePointer<Float>, _ n: Int) -> Float
}

private enum Sum: Reduction {
    static var identity: Float { 0 }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) static func row(_ p: UnsafePointer<Float>, _ n: Int) -> Float { rowSum(p, n) }
}

private enum Max: Reduction {
    static var identity: Float { -.infinity }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { b > a ? b : a }
    @inline(__always) static func row(_ p: UnsafePointer<Float>, _ n: Int) -> Float { rowMax(p, n) }
}

private func reduce<R: Reduction>(_ r: R.Type, _ x: UnsafePointer<Float>, _ shape: [Int], _ axes: [Int],
                                  _ out: UnsafeMutablePointer<Float>) {
    let rank = shape.count
    precondition(axes.allSatisfy { (0..<rank).contains($0) }, "reduce: axes \(axes) out of range for rank \(rank)")
    let count = shape.reduce(1, *)
    guard count > 0 else {
        // Reducing an empty axis yields the identity; an empty kept axis yields nothing.
        var outCount = 1
        for axis in 0..<rank where !axes.contains(axis) { outCount *= shape[axis] }
        out.update(repeating: R.identity, count: outCount)
        return
    }
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * rank + 1) { scratch in
        // runs: alternating kept / reduced blocks of axes, outermost first.
        let dims = scratch.baseAddress!, reduced = dims + rank, index = dims + 2 * rank
        var runs = 0
        for axis in 0..<rank where shape[axis] != 1 {
            let isReduced = axes.contains(axis) ? 1 : 0
            if runs > 0 && reduced[runs - 1] == isReduced {
                dims[runs - 1] *= shape[axis]
            } else {
                (dims[runs], reduced[runs]) = (shape[axis], isReduced)
                runs += 1
            }
        }
        var reducedRuns = 0
        for run in 0..<runs { reducedRuns += reduced[run] }
        if reducedRuns == 0 {
            out.update(from: x, count: count)
        } else if reducedRuns == 1 {
            let at = (0..<runs).first { reduced[$0] == 1 }!
            let inner = at + 1 < runs ? dims[at + 1] : 1
            reduceMiddle(R.self, x, outer: count / (dims[at] * inner), reduced: dims[at], inner: inner, out)
        } else {
            reduceRuns(R.self, x, dims: dims, reduced: reduced, index: index, runs: runs, out)
        }
    }
}

// x: (outer, reduced, inner) → out: (outer, inner)
private func reduceMiddle<R: Reduction>(_ r: R.Type, _ x: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
                                        _ out: UnsafeMutablePointer<Float>) {
    if inner == 1 {
        for o in 0..<outer { out[o] = R.row(x + o * reduced, reduced) }
        return
    }
    for o in 0..<outer {
        let block = x + o * reduced * inner, dst = out + o * inner
        dst.update(from: block, count: inner)
        for row in 1..<reduced {
            let src = block + row * inner
            for i in 0..<inner { dst[i] = R.combine(dst[i], src[i]) }
        }
    }
}

/// Several reduced runs: x is read once, in order; each kept run advances the output by its stride and
/// each reduced run by nothing. The last run is the inner loop: a contiguous row reduction when it is
/// reduced, an elementwise accumulation into `out` when it is kept.
private func reduceRuns<R: Reduction>(_ r: R.Type, _ x: UnsafePointer<Float>, dims: UnsafeMutablePointer<Int>,
                                      reduced: UnsafeMutablePointer<Int>, index: UnsafeMutablePointer<Int>, runs: Int,
                                      _ out: UnsafeMutablePointer<Float>) {
    // Reuse `reduced` as the output stride of each run: 0 for reduced runs.
    var outCount = 1
    for run in stride(from: runs - 1, through: 0, by: -1) {
        if reduced[run] == 1 {
            reduced[run] = 0
        } else {
            reduced[run] = outCount
            outCount *= dims[run]
        }
    }
    let outStride = reduced
    out.update(repeating: R.identity, count: outCount)
    let last = runs - 1, n = dims[last]
    let rows = product(dims, last)
    for axis in 0..<last { index[axis] = 0 }
    var offset = 0
    for row in 0..<rows {
        let src = x + row * n, dst = out + offset
        if outStride[last] == 0 {
            dst[0] = R.combine(dst[0], R.row(src, n))
        } else {
            for i in 0..<n { dst[i] = R.combine(dst[i], src[i]) }
        }
        var axis = last - 1
        while axis >= 0 {
            index[axis] += 1
            offset += outStride[axis]
            if index[axis] < dims[axis] { break }
            offset -= outStride[axis] * dims[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}
