import Core
import Foundation

/// out[i] = op(x[i]); `out` may alias `x`.
public func unary(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
    switch op {
    case .neg: map(x, out, count: count) { -$0 }
    case .exp: map8(x, out, count: count, exp8)
    case .log: map(x, out, count: count) { logf($0) }
    case .sqrt: map(x, out, count: count) { $0.squareRoot() }
    case .tanh: map8(x, out, count: count, tanh8)
    case .erf: map(x, out, count: count) { erff($0) }
    case .abs: map(x, out, count: count) { Swift.abs($0) }
    case .gelu: map8(x, out, count: count, gelu8)
    }
}

/// out[i] = f(x[i]). In place, the loop reads through `out`: with two pointers the vectoriser guards
/// against overlap at run time, finds it, and takes its scalar loop.
@inline(__always)
private func map(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int, _ f: (Float) -> Float) {
    if UnsafePointer(out) == x {
        for i in 0..<count { out[i] = f(out[i]) }
    } else {
        for i in 0..<count { out[i] = f(x[i]) }
    }
}

/// out = a op b with NumPy broadcasting: shapes are right-aligned and `outShape` is their broadcast.
/// Same shapes, a scalar operand, and an operand that repeats along leading axes (a bias (C) against
/// (N, C)) run as flat loops; anything else collapses axes and runs a strided inner loop.
/// `out` may alias `a` or `b` only when that operand has the output's shape.
public func binary(_ op: BinaryOp, _ a: UnsafePointer<Float>, aShape: [Int], _ b: UnsafePointer<Float>, bShape: [Int],
                   _ out: UnsafeMutablePointer<Float>, outShape: [Int]) {
    switch op {
    case .add: broadcast(Add.self, a, aShape, b, bShape, out, outShape)
    case .sub: broadcast(Sub.self, a, aShape, b, bShape, out, outShape)
    case .mul: broadcast(Mul.self, a, aShape, b, bShape, out, outShape)
    case .div: broadcast(Div.self, a, aShape, b, bShape, out, outShape)
    case .maximum: broadcast(Maximum.self, a, aShape, b, bShape, out, outShape)
    case .greater: broadcast(Greater.self, a, aShape, b, bShape, out, outShape)
    case .geluGrad where aShape == outShape && bShape == outShape:
        forEachChunk(outShape.reduce(1, *)) { j, width in
            store8(geluGradient8(load8(a + j, width), load8(b + j, width)), out + j, width)
        }
    case .geluGrad: broadcast(GELUGradient.self, a, aShape, b, bShape, out, outShape)
    }
}

/// out[i] = value.
public func fill(_ out: UnsafeMutablePointer<Float>, count: Int, value: Float) {
    out.update(repeating: value, count: count)
}

/// out[i] = x[i]; the ranges must not overlap unless they coincide.
public func copy(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
    guard UnsafePointer(out) != x else { return }
    out.update(from: x, count: count)
}

/// out[i] = cond[i] != 0 ? a[i] : b[i], all of one shape.
public func select(_ cond: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                   _ out: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { out[i] = cond[i] != 0 ? a[i] : b[i] }
}

/// One binary operator as a type, so that each broadcast loop is specialised with the operator inlined
/// instead of switching on it per element.
private protocol BinaryFunction {
    static func apply(_ a: Float, _ b: Float) -> Float
}

private enum Add: BinaryFunction {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b }
}

private enum Sub: BinaryFunction {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b }
}

private enum Mul: BinaryFunction {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b }
}

private enum Div: BinaryFunction {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b }
}

/// Propagates NaN from either side, like torch.maximum, so that a NaN is not hidden by a clamp.
private enum Maximum: BinaryFunction {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a > b || a.isNaN ? a : b }
}

private enum Greater: BinaryFunction {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a > b ? 1 : 0 }
}

/// GELU's gradient for broadcast operands (the engine's gradients come with equal shapes, above).
private enum GELUGradient: BinaryFunction {
    @inline(__always) static func apply(_ x: Float, _ g: Float) -> Float {
        geluGradient8(Float8(repeating: x), Float8(repeating: g))[0]
    }
}

private func broadcast<F: BinaryFunction>(_ f: F.Type, _ a: UnsafePointer<Float>, _ aShape: [Int],
                                          _ b: UnsafePointer<Float>, _ bShape: [Int],
                                          _ out: UnsafeMutablePointer<Float>, _ outShape: [Int]) {
    let count = outShape.reduce(1, *)
    guard count > 0 else { return }
    // An operand with as many elements as the output has its layout: broadcasting only adds size-1 axes.
    let aFull = aShape.reduce(1, *) == count
    let bFull = bShape.reduce(1, *) == count
    if aFull && bFull {
        stridedLoop(F.self, count, a, 1, b, 1, out)
    } else if aFull && isTrailing(bShape, of: outShape) {
        // b: (inner) repeated over (outer, inner); a scalar b is inner = 1.
        let inner = bShape.reduce(1, *)
        if inner == 1 {
            stridedLoop(F.self, count, a, 1, b, 0, out)
        } else {
            for offset in stride(from: 0, to: count, by: inner) {
                stridedLoop(F.self, inner, a + offset, 1, b, 1, out + offset)
            }
        }
    } else if bFull && isTrailing(aShape, of: outShape) {
        let inner = aShape.reduce(1, *)
        if inner == 1 {
            stridedLoop(F.self, count, a, 0, b, 1, out)
        } else {
            for offset in stride(from: 0, to: count, by: inner) {
                stridedLoop(F.self, inner, a, 1, b + offset, 1, out + offset)
            }
        }
    } else {
        generalBroadcast(F.self, a, aShape, b, bShape, out, outShape)
    }
}

/// True when `shape`, less its leading 1s, equals the last axes of `outShape`: the operand is one
/// contiguous block that repeats along the leading axes.
private func isTrailing(_ shape: [Int], of outShape: [Int]) -> Bool {
    let trimmed = shape.drop { $0 == 1 }
    return outShape.count >= trimmed.count && outShape.suffix(trimmed.count).elementsEqual(trimmed)
}

/// Any broadcast. Each axis gets a stride per operand (0 where it broadcasts); adjacent axes whose strides
/// chain are merged, size-1 axes dropped, then an odometer walks all but the last axis and the last runs
/// as one strided loop. (N, C, 1) against (N, 1, C), say, becomes N·C inner loops of length C.
private func generalBroadcast<F: BinaryFunction>(_ f: F.Type, _ a: UnsafePointer<Float>, _ aShape: [Int],
                                                 _ b: UnsafePointer<Float>, _ bShape: [Int],
                                                 _ out: UnsafeMutablePointer<Float>, _ outShape: [Int]) {
    let rank = outShape.count
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 4 * rank) { scratch in
        let dims = scratch.baseAddress!, strideA = dims + rank, strideB = dims + 2 * rank, index = dims + 3 * rank
        var runA = 1, runB = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            let dimA = operandDim(aShape, axis: axis, rank: rank), dimB = operandDim(bShape, axis: axis, rank: rank)
            dims[axis] = outShape[axis]
            strideA[axis] = dimA == 1 ? 0 : runA
            strideB[axis] = dimB == 1 ? 0 : runB
            runA *= dimA
            runB *= dimB
        }
        var kept = 0
        for axis in 0..<rank where dims[axis] != 1 {
            let (d, sa, sb) = (dims[axis], strideA[axis], strideB[axis])
            if kept > 0 && strideA[kept - 1] == sa * d && strideB[kept - 1] == sb * d {
                dims[kept - 1] *= d
                strideA[kept - 1] = sa
                strideB[kept - 1] = sb
            } else {
                (dims[kept], strideA[kept], strideB[kept]) = (d, sa, sb)
                kept += 1
            }
        }
        guard kept > 0 else {
            out[0] = F.apply(a[0], b[0])
            return
        }
        let last = kept - 1
        let (n, innerA, innerB) = (dims[last], strideA[last], strideB[last])
        let rows = product(dims, last)
        for axis in 0..<last { index[axis] = 0 }
        var (offsetA, offsetB) = (0, 0)
        for row in 0..<rows {
            stridedLoop(F.self, n, a + offsetA, innerA, b + offsetB, innerB, out + row * n)
            var axis = last - 1
            while axis >= 0 {
                index[axis] += 1
                offsetA += strideA[axis]
                offsetB += strideB[axis]
                if index[axis] < dims[axis] { break }
                offsetA -= strideA[axis] * dims[axis]
                offsetB -= strideB[axis] * dims[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

/// The size of `shape` along output axis `axis` once right-aligned to `rank` axes.
@inline(__always)
private func operandDim(_ shape: [Int], axis: Int, rank: Int) -> Int {
    let i = axis - (rank - shape.count)
    return i < 0 ? 1 : shape[i]
}

/// Product of the first `n` entries of `dims`.
@inline(__always)
func product(_ dims: UnsafePointer<Int>, _ n: Int) -> Int {
    var result = 1
    for i in 0..<n { result *= dims[i] }
    return result
}

/// out[i] = f(a[i·sa], b[i·sb]), i < n. Strides of 1 and 0 get their own loops so that they vectorise;
/// in place (the engine's fused residual and gradient adds), they read the aliased operand through `out`
/// for the reason given at `map`.
@inline(__always)
private func stridedLoop<F: BinaryFunction>(_ f: F.Type, _ n: Int, _ a: UnsafePointer<Float>, _ sa: Int,
                                            _ b: UnsafePointer<Float>, _ sb: Int, _ out: UnsafeMutablePointer<Float>) {
    let inPlaceA = UnsafePointer(out) == a, inPlaceB = UnsafePointer(out) == b
    switch (sa, sb) {
    case (1, 1) where inPlaceA:
        for i in 0..<n { out[i] = F.apply(out[i], b[i]) }
    case (1, 1) where inPlaceB:
        for i in 0..<n { out[i] = F.apply(a[i], out[i]) }
    case (1, 1):
        for i in 0..<n { out[i] = F.apply(a[i], b[i]) }
    case (1, 0):
        let s = b[0]
        if inPlaceA {
            for i in 0..<n { out[i] = F.apply(out[i], s) }
        } else {
            for i in 0..<n { out[i] = F.apply(a[i], s) }
        }
    case (0, 1):
        let s = a[0]
        if inPlaceB {
            for i in 0..<n { out[i] = F.apply(s, out[i]) }
        } else {
            for i in 0..<n { out[i] = F.apply(s, b[i]) }
        }
    default:
        for i in 0..<n { out[i] = F.apply(a[i * sa], b[i * sb]) }
    }
}
