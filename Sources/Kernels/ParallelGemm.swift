import Dispatch

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
    let parts = min(threads, splitRows ? m : n)
    guard parts > 1, 2 * m * n * k >= parallelGemmMinimumFlops else {
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
              beta: beta, c: c, ldc: ldc)
        return
    }
    split(parts) { part in
        if splitRows {
            // Rows r0..<r1 of op(A) and of C; op(A)'s row r starts at a + r·lda, or at a + r when transposed.
            let (r0, r1) = (part * m / parts, (part + 1) * m / parts)
            sgemm(transA: transA, transB: transB, m: r1 - r0, n: n, k: k, alpha: alpha, a: a + (transA ? r0 : r0 * lda),
                  lda: lda, b: b, ldb: ldb, beta: beta, c: c + r0 * ldc, ldc: ldc)
        } else {
            // Columns c0..<c1 of op(B) and of C; op(B)'s column j starts at b + j, or at b + j·ldb when transposed.
            let (c0, c1) = (part * n / parts, (part + 1) * n / parts)
            sgemm(transA: transA, transB: transB, m: m, n: c1 - c0, k: k, alpha: alpha, a: a, lda: lda,
                  b: b + (transB ? c0 * ldb : c0), ldb: ldb, beta: beta, c: c + c0, ldc: ldc)
        }
    }
}

/// Runs `count` independent jobs over `threads` threads in contiguous shares (the batch of a batched
/// GEMM); on the calling thread alone when one share is all there is.
public func parallelFor(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
    let parts = min(threads, count)
    guard parts > 1 else {
        body(0..<count)
        return
    }
    split(parts) { part in body((part * count / parts)..<((part + 1) * count / parts)) }
}

/// Runs `body(0)`…`body(parts − 1)` at once: two parts on the caller and the spinning helper thread,
/// more through dispatch's pool.
private func split(_ parts: Int, _ body: (Int) -> Void) {
    if parts == 2 {
        HelperThread.shared.run({ body(1) }, alongside: { body(0) })
        return
    }
    withoutActuallyEscaping(body) { body in
        let shared = Unchecked(body)
        DispatchQueue.concurrentPerform(iterations: parts) { shared.value($0) }
    }
}

/// A value handed to worker threads that the compiler cannot prove safe to share: raw addresses and
/// the closures over them. Safe here because every thread writes a part of memory no other reads.
private struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// The smallest product (2·m·n·k) worth splitting.
public let parallelGemmMinimumFlops = 250_000
