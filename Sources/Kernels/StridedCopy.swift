/// Materialises a strided view: out, contiguous over `dims`, gets x[i0·s0 + i1·s1 + …].
///
/// `permute` and `expand` are both this copy with different strides (permuted row-major strides;
/// stride 0 on broadcast axes). `layout` writes `rank` dims and strides into scratch space, so that no
/// array is allocated per call. Before copying, size-1 axes are dropped and neighbours whose strides chain
/// (s_outer = s_inner·d_inner) are merged; what remains picks the inner loop:
/// - inner stride 1: contiguous block copies (the (B, T, H, D) → (B, H, T, D) head split);
/// - inner stride 0: block fills (broadcasting along the last axis);
/// - the last two axes a transpose (stride 1 on the second to last): tiles, so that both the reads and the
///   writes of a tile stay in cache;
/// - otherwise a strided gather per row.
func stridedCopy(_ x: UnsafePointer<Float>, rank: Int, _ out: UnsafeMutablePointer<Float>,
                 layout: (_ dims: UnsafeMutablePointer<Int>, _ strides: UnsafeMutablePointer<Int>) -> Void) {
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 3 * rank + 1) { scratch in
        let dims = scratch.baseAddress!, strides = dims + rank, index = dims + 2 * rank
        layout(dims, strides)
        if (0..<rank).contains(where: { dims[$0] == 0 }) { return }
        var kept = 0
        for axis in 0..<rank where dims[axis] != 1 {
            let (d, s) = (dims[axis], strides[axis])
            if kept > 0 && strides[kept - 1] == s * d {
                dims[kept - 1] *= d
                strides[kept - 1] = s
            } else {
                (dims[kept], strides[kept]) = (d, s)
                kept += 1
            }
        }
        guard kept > 0 else {
            out[0] = x[0]
            return
        }
        if kept >= 2 && strides[kept - 2] == 1 && strides[kept - 1] != 0 {
            copyTiles(x, dims: dims, strides: strides, index: index, rank: kept, out)
        } else {
            copyRows(x, dims: dims, strides: strides, index: index, rank: kept, out)
        }
    }
}

/// Walks every axis but the last with an odometer; the last is one loop of `dims[rank - 1]` elements.
private func copyRows(_ x: UnsafePointer<Float>, dims: UnsafeMutablePointer<Int>, strides: UnsafeMutablePointer<Int>,
                      index: UnsafeMutablePointer<Int>, rank: Int, _ out: UnsafeMutablePointer<Float>) {
    let last = rank - 1
    let (n, step) = (dims[last], strides[last])
    forEachOffset(dims: dims, strides: strides, index: index, axes: last) { row, offset in
        let src = x + offset, dst = out + row * n
        switch step {
        case 1: dst.update(from: src, count: n)
        case 0: dst.update(repeating: src[0], count: n)
        default: for i in 0..<n { dst[i] = src[i * step] }
        }
    }
}

/// The last two axes form a transpose: out (…, rows, cols) reads x with stride 1 down a column.
/// Copying a square tile at a time reads and writes whole cache lines.
private func copyTiles(_ x: UnsafePointer<Float>, dims: UnsafeMutablePointer<Int>, strides: UnsafeMutablePointer<Int>,
                       index: UnsafeMutablePointer<Int>, rank: Int, _ out: UnsafeMutablePointer<Float>) {
    let tile = 32
    let (rows, cols, colStride) = (dims[rank - 2], dims[rank - 1], strides[rank - 1])
    forEachOffset(dims: dims, strides: strides, index: index, axes: rank - 2) { matrix, offset in
        let src = x + offset, dst = out + matrix * rows * cols
        for r0 in stride(from: 0, to: rows, by: tile) {
            let r1 = min(r0 + tile, rows)
            for c0 in stride(from: 0, to: cols, by: tile) {
                let c1 = min(c0 + tile, cols)
                for r in r0..<r1 {
                    let dstRow = dst + r * cols
                    for c in c0..<c1 { dstRow[c] = src[r + c * colStride] }
                }
            }
        }
    }
}

/// Calls `body(k, offset)` for the k-th index of the first `axes` axes in row-major order, with `offset`
/// the matching Σ i·stride.
@inline(__always)
private func forEachOffset(dims: UnsafeMutablePointer<Int>, strides: UnsafeMutablePointer<Int>,
                           index: UnsafeMutablePointer<Int>, axes: Int, _ body: (Int, Int) -> Void) {
    let count = product(dims, axes)
    for axis in 0..<axes { index[axis] = 0 }
    var offset = 0
    for k in 0..<count {
        body(k, offset)
        var axis = axes - 1
        while axis >= 0 {
            index[axis] += 1
            offset += strides[axis]
            if index[axis] < dims[axis] { break }
            offset -= strides[axis] * dims[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}
