/// Kernels that move elements without arithmetic. Outputs are always contiguous row-major; `slice`, `pad`
/// and `concat` view their operands as (outer, axis, inner) and copy whole (axis·inner) blocks.

/// out.dims[i] = shape[perm[i]]: x (d0, d1, …) → out (d_perm[0], d_perm[1], …).
public func permute(_ x: UnsafePointer<Float>, shape: [Int], perm: [Int], _ out: UnsafeMutablePointer<Float>) {
    permute(x, shape: shape, perm: perm, out, outputRows: 0..<(perm.first.map { shape[$0] } ?? 1))
}

/// `permute` of the output rows `rows` only (indices along the output's first axis; `out` is the whole
/// output), so that threads can share one permute, a range of rows each.
public func permute(_ x: UnsafePointer<Float>, shape: [Int], perm: [Int], _ out: UnsafeMutablePointer<Float>,
                    outputRows rows: Range<Int>) {
    let rank = shape.count
    precondition(perm.count == rank && (0..<rank).allSatisfy { perm.contains($0) }, "permute: \(perm) is not a permutation")
    let strides = shape.indices.map { shape[($0 + 1)...].reduce(1, *) }
    // A row of the output: its first axis's stride in the output, and in x that axis's.
    let (outRow, xRow) = rank == 0 ? (1, 1) : (perm.dropFirst().reduce(1) { $0 * shape[$1] }, strides[perm[0]])
    stridedCopy(x + rows.lowerBound * xRow, rank: rank, out + rows.lowerBound * outRow) { dims, copyStrides in
        for outAxis in 0..<rank {
            let axis = perm[outAxis]
            dims[outAxis] = outAxis == 0 ? rows.count : shape[axis]
            copyStrides[outAxis] = strides[axis]
        }
    }
}

/// Broadcasts x to `outShape` of the same rank; every x dim is 1 or equal to the output's.
public func expand(_ x: UnsafePointer<Float>, shape: [Int], to outShape: [Int], _ out: UnsafeMutablePointer<Float>) {
    let rank = outShape.count
    precondition(shape.count == rank, "expand: rank \(shape.count) to rank \(rank)")
    stridedCopy(x, rank: rank, out) { dims, strides in
        var step = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            precondition(shape[axis] == 1 || shape[axis] == outShape[axis], "expand: \(shape) to \(outShape)")
            dims[axis] = outShape[axis]
            strides[axis] = shape[axis] == 1 ? 0 : step
            step *= shape[axis]
        }
    }
}

/// x[…, start..<end, …] along `axis`: x (outer, d, inner) → out (outer, end - start, inner).
public func slice(_ x: UnsafePointer<Float>, shape: [Int], axis: Int, start: Int, end: Int,
                  _ out: UnsafeMutablePointer<Float>) {
    precondition(shape.indices.contains(axis), "slice: axis \(axis) out of range for \(shape)")
    precondition(0 <= start && start <= end && end <= shape[axis], "slice: \(start)..<\(end) of \(shape[axis])")
    let (outer, d, inner) = split(shape, at: axis)
    let block = (end - start) * inner
    for o in 0..<outer {
        (out + o * block).update(from: x + (o * d + start) * inner, count: block)
    }
}

/// Zeros around x along `axis`, `before` slots ahead of it and `after` behind:
/// x (outer, d, inner) → out (outer, before + d + after, inner).
public func pad(_ x: UnsafePointer<Float>, shape: [Int], axis: Int, before: Int, after: Int,
                _ out: UnsafeMutablePointer<Float>) {
    precondition(shape.indices.contains(axis), "pad: axis \(axis) out of range for \(shape)")
    precondition(before >= 0 && after >= 0, "pad: negative padding \(before), \(after)")
    let (outer, d, inner) = split(shape, at: axis)
    let (head, body, tail) = (before * inner, d * inner, after * inner)
    for o in 0..<outer {
        let dst = out + o * (head + body + tail)
        dst.update(repeating: 0, count: head)
        (dst + head).update(from: x + o * body, count: body)
        (dst + head + body).update(repeating: 0, count: tail)
    }
}

/// Joins inputs along `axis`; their shapes agree on every other axis:
/// inputs[j] (outer, d_j, inner) → out (outer, Σ d_j, inner).
public func concat(_ inputs: [UnsafePointer<Float>], shapes: [[Int]], axis: Int, _ out: UnsafeMutablePointer<Float>) {
    precondition(!inputs.isEmpty && inputs.count == shapes.count, "concat: \(inputs.count) inputs, \(shapes.count) shapes")
    precondition(shapes[0].indices.contains(axis), "concat: axis \(axis) out of range for \(shapes[0])")
    let (outer, _, inner) = split(shapes[0], at: axis)
    var total = 0
    for shape in shapes { total += shape[axis] }
    let outBlock = total * inner
    var column = 0
    for (input, shape) in zip(inputs, shapes) {
        let block = shape[axis] * inner
        for o in 0..<outer {
            (out + o * outBlock + column).update(from: input + o * block, count: block)
        }
        column += block
    }
}

/// (outer, d, inner) with outer the product of the axes before `axis` and inner of those after it.
@inline(__always)
private func split(_ shape: [Int], at axis: Int) -> (outer: Int, d: Int, inner: Int) {
    var outer = 1, inner = 1
    for i in 0..<axis { outer *= shape[i] }
    for i in (axis + 1)..<shape.count { inner *= shape[i] }
    return (outer, shape[axis], inner)
}
