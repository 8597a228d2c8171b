import CBLAS

/// C = alpha·op(A)·op(B) + beta·C, row-major, through OpenBLAS.
///
/// op(A) is (m, k): A is stored (m, k) with row stride `lda`, or (k, m) when `transA`. op(B) is (k, n): B is
/// stored (k, n) with row stride `ldb`, or (n, k) when `transB`. C is (m, n) with row stride `ldc`.
/// beta = 0 never reads C, so C may hold garbage (NaN included) on entry.
public func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    checkGemmArguments(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
    BLASSetup.configure()
    guard m > 0, n > 0 else { return }
    // An empty inner dimension leaves C = beta·C; handled here because BLAS implementations disagree on it.
    guard k > 0 else {
        scaleMatrix(c, rows: m, cols: n, ld: ldc, by: beta)
        return
    }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
}

/// The reference for `sgemm`: the textbook triple loop with Double accumulators. Same contract,
/// about a hundred times slower; tests and the GEMM benchmark compare against it.
public func sgemmNaive(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                       a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                       beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    checkGemmArguments(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
    // op(A)[i, p] and op(B)[p, j] as offsets: one of each pair of strides is 1.
    let (aRow, aCol) = transA ? (1, lda) : (lda, 1)
    let (bRow, bCol) = transB ? (1, ldb) : (ldb, 1)
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k {
                sum += Double(a[i * aRow + p * aCol]) * Double(b[p * bRow + j * bCol])
            }
            let scaled = Double(alpha) * sum
            let cij = c + i * ldc + j
            cij.pointee = Float(beta == 0 ? scaled : scaled + Double(beta) * Double(cij.pointee))
        }
    }
}

/// Leading dimensions must cover a stored row; a violation is a bug in the caller, and BLAS itself would
/// only print a warning and return.
private func checkGemmArguments(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int) {
    precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m=\(m) n=\(n) k=\(k)")
    precondition(lda >= max(1, transA ? m : k), "sgemm: lda=\(lda) too small")
    precondition(ldb >= max(1, transB ? k : n), "sgemm: ldb=\(ldb) too small")
    precondition(ldc >= max(1, n), "sgemm: ldc=\(ldc) too small")
}

// c: (rows, cols) with row stride ld
private func scaleMatrix(_ c: UnsafeMutablePointer<Float>, rows: Int, cols: Int, ld: Int, by beta: Float) {
    for i in 0..<rows {
        let row = c + i * ld
        if beta == 0 {
            row.update(repeating: 0, count: cols)
        } else {
            for j in 0..<cols { row[j] *= beta }
        }
    }
}
