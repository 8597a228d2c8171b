import CBLAS
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS as the engine runs it, set up once before the first product: one BLAS thread (its own
/// threads cost ~15 ms of wake-up on every small GEMM when the other core is busy, ../shared/REPRODUCE.md;
/// SeqLab splits large products itself), and on CPUs with AVX-512 the kernels OpenBLAS has for it.
///
/// Debian's OpenBLAS (0.3.21, built for every x86 model) picks its kernels when it loads, by CPU model
/// or by `OPENBLAS_CORETYPE`; on this project's AMD Zen 4 machines that is Haswell, AVX2 only, while
/// its SkylakeX kernels run there and nearly double sgemm (`seqlab-bench gemm`: 120 → 225 GFLOP/s on
/// 512³, 97 → 148 on the GRU's 32×256×768). So SeqLab switches to them through the library's own
/// run-time dispatch (`gotoblas_dynamic_init`, looked up by name: a BLAS built for one model simply
/// keeps its kernels). `SEQLAB_BLAS_KERNELS=keep` keeps OpenBLAS's choice instead.
public enum BLASSetup {
    /// The kernels in use, e.g. "SkylakeX" or "Haswell"; nil when this BLAS does not say.
    public static var coreName: String? {
        configure()
        typealias Name = @convention(c) () -> UnsafeMutablePointer<CChar>?
        return symbol("openblas_get_corename", as: Name.self).flatMap { $0() }.map { String(cString: $0) }
    }

    /// Sets BLAS up the first time; `sgemm` calls it before every product, so nothing reaches BLAS first.
    @inline(__always)
    static func configure() {
        precondition(configured, "BLAS is set up")
    }

    /// Whether the setup ran (always true once read): a value, so that reading it cannot be optimised away.
    private static let configured: Bool = {
        if ProcessInfo.processInfo.environment["SEQLAB_BLAS_KERNELS"] != "keep", cpuHasAVX512,
           let quit = symbol("gotoblas_dynamic_quit", as: (@convention(c) () -> Void).self),
           let initialize = symbol("gotoblas_dynamic_init", as: (@convention(c) () -> Void).self) {
            // Inherited by child processes (sweep trials), whose BLAS then starts with these kernels.
            setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
            quit()
            initialize()
        }
        openblas_set_num_threads(1)
        return true
    }()

    /// AVX-512 F, CD, BW, DQ and VL, which the SkylakeX kernels use, as the kernel reports them (it
    /// lists only what it has enabled).
    private static var cpuHasAVX512: Bool {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let present = Set(flags.split(separator: " ").map(String.init))
        return ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(present.contains)
    }

    private static func symbol<T>(_ name: String, as _: T.Type) -> T? {
        guard let address = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(address, to: T.self)
    }
}
