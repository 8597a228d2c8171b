import Kernels

/// GFLOP/s of `sgemm` (OpenBLAS, one thread) against the naive reference and PyTorch's `torch.mm`,
/// for the shapes of ../shared/bench/README.md.
enum GemmBench {
    static let shapes: [(label: String, m: Int, k: Int, n: Int)] = [
        ("square", 256, 256, 256), ("square", 512, 512, 512), ("square", 1024, 1024, 1024), ("square", 2048, 2048, 2048),
        ("gru_recurrence", 32, 256, 768), ("charlm_head", 1120, 256, 28), ("gpt_baby_mlp", 768, 128, 512),
        ("gpt_small_mlp", 2048, 384, 1536), ("mt_out_proj", 1792, 256, 5893), ("gpt_baby_attn", 768, 128, 128),
    ]

    static func run(reference: Reference) {
        for (label, m, k, n) in shapes {
            let flops = 2 * Double(m * k * n)
            let repetitions = Swift.max(1, Int(2e8 / flops))
            let ours = gflops(blas, m: m, k: k, n: n, repetitions: repetitions)
            // The naive loop is ~100× slower: time it once, and not at all on the largest shapes.
            let naive = flops < 5e8 ? String(format: "%.2f", gflops(naiveGemm, m: m, k: k, n: n, repetitions: 1)) : "skipped"
            let shape = "\(m)x\(k)x\(n)"
            let split = gflops(twoThreads, m: m, k: k, n: n, repetitions: repetitions)
            var line = "bench sgemm_\(label)_\(shape) gflops=\(format(ours)) gflops_2_threads=\(format(split)) naive_gflops=\(naive)"
            if let ref = reference["gemm \(shape)"] {
                line += " ref_gflops=\(format(ref)) ratio=\(String(format: "%.2f", ours / ref)) ref=\"\(reference.source)\""
            }
            print(line)
        }
    }

    /// The rate of `gemm` on (m × k)·(k × n): the median of 7 timings of `repetitions` products.
    static func gflops(_ gemm: GemmFunction, m: Int, k: Int, n: Int, repetitions: Int) -> Double {
        let a = (0..<(m * k)).map { Float($0 % 17) / 17 - 0.5 }
        let b = (0..<(k * n)).map { Float($0 % 13) / 13 - 0.5 }
        var c = [Float](repeating: 0, count: m * n)
        return a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in c.withUnsafeMutableBufferPointer { c in
            gemm(false, false, m, n, k, 1, a.baseAddress!, k, b.baseAddress!, n, 0, c.baseAddress!, n)
            return 2 * Double(m * k * n) / medianSeconds(repetitions: 7) {
                for _ in 0..<repetitions { gemm(false, false, m, n, k, 1, a.baseAddress!, k, b.baseAddress!, n, 0, c.baseAddress!, n) }
            } * Double(repetitions) / 1e9
        } } }
    }

    typealias GemmFunction = @Sendable (Bool, Bool, Int, Int, Int, Float, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int,
                              Float, UnsafeMutablePointer<Float>, Int) -> Void
    static let blas: GemmFunction = {
        sgemm(transA: $0, transB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7, b: $8, ldb: $9, beta: $10, c: $11, ldc: $12)
    }
    /// The engine's split over two threads (`sgemm(threads:…)`).
    static let twoThreads: GemmFunction = {
        sgemm(threads: 2, transA: $0, transB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7, b: $8, ldb: $9, beta: $10,
              c: $11, ldc: $12)
    }
    static let naiveGemm: GemmFunction = {
        sgemmNaive(transA: $0, transB: $1, m: $2, n: $3, k: $4, alpha: $5, a: $6, lda: $7, b: $8, ldb: $9, beta: $10, c: $11, ldc: $12)
    }
}

func format(_ value: Double) -> String { String(format: value >= 100 ? "%.0f" : "%.1f", value) }
