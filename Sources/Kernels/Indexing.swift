/// Row gathers and their adjoint: the embedding lookup and its gradient. Indices are exact integers
/// stored as Float, checked against the table so that a bad token id stops the program instead of
/// reading or writing outside the buffer.

/// out[i] = table[indices[i]]: table (rows, cols), indices (count) → out (count, cols).
public func gatherRows(_ table: UnsafePointer<Float>, rows: Int, cols: Int, indices: UnsafePointer<Float>, count: Int,
                       _ out: UnsafeMutablePointer<Float>) {
    for i in 0..<count {
        let row = rowIndex(indices[i], rows: rows)
        (out + i * cols).update(from: table + row * cols, count: cols)
    }
}

/// out = 0, then out[indices[i]] += grad[i]: grad (count, cols) → out (rows, cols). Repeated indices
/// accumulate, which is what makes this the gradient of `gatherRows`.
public func scatterAddRows(_ grad: UnsafePointer<Float>, indices: UnsafePointer<Float>, count: Int, cols: Int,
                           _ out: UnsafeMutablePointer<Float>, rows: Int) {
    out.update(repeating: 0, count: rows * cols)
    for i in 0..<count {
        let dst = out + rowIndex(indices[i], rows: rows) * cols, src = grad + i * cols
        for j in 0..<cols { dst[j] += src[j] }
    }
}

/// The Float-stored index as an Int; traps on anything that is not an integer in 0..<rows.
@inline(__always)
func rowIndex(_ value: Float, rows: Int) -> Int {
    precondition(value >= 0 && value < Float(rows) && value == value.rounded(.towardZero),
                 "index \(value) out of range 0..<\(rows)")
    return Int(value)
}
