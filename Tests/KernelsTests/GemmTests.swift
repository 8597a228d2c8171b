import Foundation
import Kernels
import XCTest

final class GemmTests: KernelTestCase {
    /// A (2, 3)·(3, 2) product worked by hand, so that the reference itself is checked.
    func testNaiveMatchesHandComputedProduct() {
        let a = buffer([1, 2, 3, 4, 5, 6])        // (2, 3)
        let b = buffer([7, 8, 9, 10, 11, 12])     // (3, 2)
        let c = buffer([1, 1, 1, 1])
        sgemmNaive(transA: false, transB: false, m: 2, n: 2, k: 3, alpha: 2, a: a.p, lda: 3, b: b.p, ldb: 2,
                   beta: 10, c: c.pointer, ldc: 2)
        // A·B = [[58, 64], [139, 154]]; 2·A·B + 10·1
        XCTAssertEqual(c.array, [126, 138, 288, 318])
    }

    func testBLASMatchesNaiveForAllTransposes() {
        var random = TestRandom(seed: 1)
        let sizes = [(1, 1, 1), (3, 5, 7), (17, 13, 9), (33, 65, 31), (64, 1, 40)]
        for transA in [false, true] {
            for transB in [false, true] {
                for (m, n, k) in sizes {
                    for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1), (-1.5, 0.25)] {
                        checkAgainstNaive(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
                                          padding: 0, random: &random)
                        checkAgainstNaive(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
                                          padding: 3, random: &random)
                    }
                }
            }
        }
    }

    /// Split over threads, by rows or by columns, every transpose, padded leading dimensions: the
    /// result equals the one-thread call up to rounding (OpenBLAS's edge tiles sum in another order),
    /// is the same on every run with the same thread count, and nothing outside C's (m, n) is written.
    func testThreadedGemmEqualsOneThread() {
        var random = TestRandom(seed: 3)
        let sizes = [(257, 65, 96), (40, 300, 128), (3, 2, 1), (128, 128, 128)]   // rows, columns, tiny, square
        for transA in [false, true] {
            for transB in [false, true] {
                for (m, n, k) in sizes {
                    let (aRows, aCols) = transA ? (k, m) : (m, k)
                    let (bRows, bCols) = transB ? (n, k) : (k, n)
                    let (lda, ldb, ldc) = (aCols + 2, bCols + 1, n + 3)
                    let a = buffer(random.array(aRows * lda)), b = buffer(random.array(bRows * ldb))
                    let initial = random.array(m * ldc)
                    let one = buffer(initial)
                    sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a.p, lda: lda, b: b.p, ldb: ldb,
                          beta: 0.75, c: one.pointer, ldc: ldc)
                    for threads in [2, 3] {
                        let runs = (0..<2).map { _ in
                            let split = buffer(initial)
                            sgemm(threads: threads, transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a.p,
                                  lda: lda, b: b.p, ldb: ldb, beta: 0.75, c: split.pointer, ldc: ldc)
                            return split.array
                        }
                        let label = "threads=\(threads) transA=\(transA) transB=\(transB) \(m)x\(n)x\(k)"
                        assertClose(runs[0], one.array, rtol: 1e-5, atol: 1e-5, label)
                        XCTAssertTrue(runs[0] == runs[1], "\(label): differs between runs")
                        for i in 0..<m where runs[0][(i * ldc + n)..<((i + 1) * ldc)] != one.array[(i * ldc + n)..<((i + 1) * ldc)] {
                            XCTFail("\(label): wrote padding of row \(i)")
                        }
                    }
                }
            }
        }
    }

    /// beta = 0 must not read C: garbage, NaN included, is overwritten.
    func testBetaZeroIgnoresNaNInC() {
        let a = buffer([1, 2, 3, 4]), b = buffer([1, 0, 0, 1])
        for gemm in [sgemm, sgemmNaive] {
            let c = buffer(count: 4)
            gemm(false, false, 2, 2, 2, 1, a.p, 2, b.p, 2, 0, c.pointer, 2)
            XCTAssertEqual(c.array, [1, 2, 3, 4])
        }
    }

    /// k = 0: the product is empty and C becomes beta·C.
    func testEmptyInnerDimensionScalesC() {
        let a = buffer([0]), b = buffer([0])
        let c = buffer([1, 2, 3, 4, 5, 6])
        sgemm(transA: false, transB: false, m: 2, n: 2, k: 0, alpha: 1, a: a.p, lda: 1, b: b.p, ldb: 2,
              beta: 2, c: c.pointer, ldc: 3)
        XCTAssertEqual(c.array, [2, 4, 3, 8, 10, 6])
        let nan = buffer(count: 4)
        sgemm(transA: false, transB: false, m: 2, n: 2, k: 0, alpha: 1, a: a.p, lda: 1, b: b.p, ldb: 2,
              beta: 0, c: nan.pointer, ldc: 2)
        XCTAssertEqual(nan.array, [0, 0, 0, 0])
    }

    /// Both kernels on the same random operands, with leading dimensions `padding` past the minimum; the
    /// padding columns of C hold a sentinel that must survive.
    private func checkAgainstNaive(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, beta: Float,
                                   padding: Int, random: inout TestRandom,
                                   file: StaticString = #filePath, line: UInt = #line) {
        let (aRows, aCols) = transA ? (k, m) : (m, k)
        let (bRows, bCols) = transB ? (n, k) : (k, n)
        let (lda, ldb, ldc) = (aCols + padding, bCols + padding, n + padding)
        let a = buffer(random.array(aRows * lda)), b = buffer(random.array(bRows * ldb))
        var initial = random.array(m * ldc)
        for i in 0..<m {
            for j in n..<ldc { initial[i * ldc + j] = 42 }
        }
        let fast = buffer(initial), naive = buffer(initial)
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a.p, lda: lda, b: b.p, ldb: ldb,
              beta: beta, c: fast.pointer, ldc: ldc)
        sgemmNaive(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a.p, lda: lda, b: b.p, ldb: ldb,
                   beta: beta, c: naive.pointer, ldc: ldc)
        let label = "transA=\(transA) transB=\(transB) m=\(m) n=\(n) k=\(k) alpha=\(alpha) beta=\(beta) pad=\(padding)"
        let (fastC, naiveC) = (fast.array, naive.array)
        assertClose(fastC, naiveC, rtol: 1e-4, atol: 1e-5, label, file: file, line: line)
        for i in 0..<m {
            for j in n..<ldc where fastC[i * ldc + j] != 42 {
                XCTFail("\(label): wrote padding at (\(i), \(j))", file: file, line: line)
            }
        }
        // The naive reference, recomputed straight from the definition of op(A)·op(B).
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let aip = transA ? a.p[p * lda + i] : a.p[i * lda + p]
                    let bpj = transB ? b.p[j * ldb + p] : b.p[p * ldb + j]
                    sum += Double(aip) * Double(bpj)
                }
                let expected = Double(alpha) * sum + Double(beta) * Double(initial[i * ldc + j])
                assertClose(naiveC[i * ldc + j], expected, rtol: 1e-5, atol: 1e-6, label, file: file, line: line)
            }
        }
    }
}
