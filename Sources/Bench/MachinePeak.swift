import Planner

/// How close a training step comes to the machine: its model FLOPs (as `runner check` counts them)
/// over the step time, against the single-core sgemm rate measured once in the same invocation
/// (512³, OpenBLAS, one thread: 3 MiB of matrices, so that the training lines' peak RSS stays
/// theirs) times the threads the step ran on. A step that is all large GEMMs
/// approaches 1; the gap is the time spent outside them (small products, elementwise work, the
/// serial chain of a recurrence, the optimizer).
enum MachinePeak {
    static let sgemmGFLOPS = GemmBench.gflops(GemmBench.blas, m: 512, k: 512, n: 512, repetitions: 16)

    /// The line that says what the ceiling is, printed once before the training lines.
    static var header: String {
        "# peak: single-core sgemm \(format(sgemmGFLOPS)) GFLOP/s (512x512x512); "
            + "peak_fraction = gflops / (that × threads)"
    }

    /// ` gflops=… peak_fraction=…` for one training step of `summary`'s work that took `seconds`, by
    /// `ranks` processes each doing that work on `threads` / `ranks` threads.
    static func figures(_ summary: PlanSummary, seconds: Double, threads: Int, ranks: Int = 1) -> String {
        let rate = Double(summary.flopsPerStep * ranks) / seconds / 1e9
        return " gflops=\(format(rate))" + String(format: " peak_fraction=%.3f", rate / (sgemmGFLOPS * Double(threads)))
    }
}
