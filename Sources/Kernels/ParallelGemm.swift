import Core

/// `sgemm` over `threads` threads: C is cut into bands of rows (or of columns, when it has more of
/// those) and each band is one single-threaded OpenBLAS call, so the bands run side by side with no
/// BLAS thread pool to wake. The split never cuts the inner dimension, but OpenBLAS's edge tiles sum
/// in another order than its full ones, so results match the one-thread call up to rounding; for a
/// given thread count they are the same on every run (resuming stays bit for bit).
///
/// Products under `minimumFlops` run on the calling thread: below ~1 MFLOP the hand-off costs more
/// than the second core saves.
public func sgemm(threads: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    let splitRows = m >= n
    let parts = sgemmParts(threads: threads, m: m, n: n, k: k)
    guard parts > 1 else {
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
              beta: beta, c: c, ldc: ldc)
        return
    }
    parallelFor(splitRows ? m : n, threads: parts) { band in
        if splitRows {
            // Rows `band` of op(A) and of C; op(A)'s row r starts at a + r·lda, or at a + r when transposed.
            let r0 = band.lowerBound
            sgemm(transA: transA, transB: transB, m: band.count, n: n, k: k, alpha: alpha, a: a + (transA ? r0 : r0 * lda),
                  lda: lda, b: b, ldb: ldb, beta: beta, c: c + r0 * ldc, ldc: ldc)
        } else {
            // Columns `band` of op(B) and of C; op(B)'s column j starts at b + j, or at b + j·ldb when transposed.
            let c0 = band.lowerBound
            sgemm(transA: transA, transB: transB, m: m, n: band.count, k: k, alpha: alpha, a: a, lda: lda,
                  b: b + (transB ? c0 * ldb : c0), ldb: ldb, beta: beta, c: c + c0, ldc: ldc)
        }
    }
}

/// The threads `sgemm(threads:…)` splits an (m, k)·(k, n) product over: bands of the longer side of C,
/// or 1 below `parallelGemmMinimumFlops`.
public func sgemmParts(threads: Int, m: Int, n: Int, k: Int) -> Int {
    2 * m * n * k >= parallelGemmMinimumFlops ? min(threads, max(m, n)) : 1
}

/// The smallest product (2·m·n·k) worth splitting.
public let parallelGemmMinimumFlops = 250_000
