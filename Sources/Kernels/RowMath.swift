/// Eight-lane loads, stores and chunking, and reductions of one contiguous row, shared by `reduce`,
/// softmax, layer norm and the recurrent cells.
///
/// A plain `s += p[i]` loop runs at one add per FP-add latency because the compiler may not reorder
/// float additions. Two eight-lane accumulators keep sixteen independent sums in flight; the order of
/// summation changes, its error bound does not grow.

@usableFromInline typealias Float8 = SIMD8<Float>

/// The eight floats at `p`, any alignment.
@inlinable @inline(__always)
func load8(_ p: UnsafePointer<Float>) -> Float8 {
    UnsafeRawPointer(p).loadUnaligned(as: Float8.self)
}

/// The first `min(count, 8)` floats at `p`; lanes past `count` are zero.
@inline(__always)
func load8(_ p: UnsafePointer<Float>, _ count: Int) -> Float8 {
    if count >= 8 { return load8(p) }
    var v = Float8()
    withUnsafeMutableBytes(of: &v) { $0.baseAddress!.copyMemory(from: p, byteCount: count * 4) }
    return v
}

/// Writes the first `min(count, 8)` lanes of `v` to `p`.
@inline(__always)
func store8(_ v: Float8, _ p: UnsafeMutablePointer<Float>, _ count: Int = 8) {
    if count >= 8 {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Float8.self)
        return
    }
    withUnsafeBytes(of: v) { UnsafeMutableRawPointer(p).copyMemory(from: $0.baseAddress!, byteCount: count * 4) }
}

/// Calls `body(j, width)` for the chunks j = 0, 8, 16, … of `count`: width is 8 except on the last,
/// partial chunk, so after inlining the loop body runs on full vectors.
@inline(__always)
func forEachChunk(_ count: Int, _ body: (_ j: Int, _ width: Int) -> Void) {
    var j = 0
    while j + 8 <= count {
        body(j, 8)
        j += 8
    }
    if j < count { body(j, count - j) }
}

/// Σ p[i], i < n.
@inline(__always)
func rowSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc0 = Float8(), acc1 = Float8()
    var i = 0
    while i + 16 <= n {
        acc0 += load8(p + i)
        acc1 += load8(p + i + 8)
        i += 16
    }
    if i + 8 <= n {
        acc0 += load8(p + i)
        i += 8
    }
    var s = (acc0 + acc1).sum()
    while i < n {
        s += p[i]
        i += 1
    }
    return s
}

/// max p[i], i < n; -infinity for an empty row.
@inline(__always)
func rowMax(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var m = -Float.infinity
    var i = 0
    if n >= 8 {
        var acc = load8(p)
        i = 8
        while i + 8 <= n {
            let v = load8(p + i)
            acc.replace(with: v, where: v .> acc)
            i += 8
        }
        m = acc.max()
    }
    while i < n {
        if p[i] > m { m = p[i] }
        i += 1
    }
    return m
}

/// Σ a[i]·b[i], i < n. Public and inlinable for the word-vector updates, which make millions of
/// 100-float dot products a second.
@inlinable @inline(__always)
public func rowDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc0 = Float8(), acc1 = Float8()
    var i = 0
    while i + 16 <= n {
        acc0 += load8(a + i) * load8(b + i)
        acc1 += load8(a + i + 8) * load8(b + i + 8)
        i += 16
    }
    if i + 8 <= n {
        acc0 += load8(a + i) * load8(b + i)
        i += 8
    }
    var s = (acc0 + acc1).sum()
    while i < n {
        s += a[i] * b[i]
        i += 1
    }
    return s
}

/// y[i] += alpha·x[i], i < n.
@inlinable @inline(__always)
public func rowAxpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let scale = Float8(repeating: alpha)
    var i = 0
    while i + 8 <= n {
        UnsafeMutableRawPointer(y + i).storeBytes(of: load8(y + i) + scale * load8(x + i), as: Float8.self)
        i += 8
    }
    while i < n {
        y[i] += alpha * x[i]
        i += 1
    }
}

/// Σ (p[i] - mean)², i < n: the two-pass variance numerator, which does not cancel like Σp² - n·mean².
@inline(__always)
func rowSquaredDeviation(_ p: UnsafePointer<Float>, _ n: Int, mean: Float) -> Float {
    let m = Float8(repeating: mean)
    var acc0 = Float8(), acc1 = Float8()
    var i = 0
    while i + 16 <= n {
        let d0 = load8(p + i) - m, d1 = load8(p + i + 8) - m
        acc0 += d0 * d0
        acc1 += d1 * d1
        i += 16
    }
    if i + 8 <= n {
        let d = load8(p + i) - m
        acc0 += d * d
        i += 8
    }
    var s = (acc0 + acc1).sum()
    while i < n {
        let d = p[i] - mean
        s += d * d
        i += 1
    }
    return s
}

/// Σ w[i]·(p[i] - mean), i < n.
@inline(__always)
func rowCenteredDot(_ w: UnsafePointer<Float>, _ p: UnsafePointer<Float>, _ n: Int, mean: Float) -> Float {
    let m = Float8(repeating: mean)
    var acc0 = Float8(), acc1 = Float8()
    var i = 0
    while i + 16 <= n {
        acc0 += load8(w + i) * (load8(p + i) - m)
        acc1 += load8(w + i + 8) * (load8(p + i + 8) - m)
        i += 16
    }
    if i + 8 <= n {
        acc0 += load8(w + i) * (load8(p + i) - m)
        i += 8
    }
    var s = (acc0 + acc1).sum()
    while i < n {
        s += w[i] * (p[i] - mean)
        i += 1
    }
    return s
}
