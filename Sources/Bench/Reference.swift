import Core
import Foundation

/// PyTorch's figures for a benchmark: measured now by ../shared/bench/torch_reference.py when
/// `import torch` works, otherwise the medians on file in ../shared/bench/README.md.
struct Reference {
    /// bench name (or "gemm MxKxN") → tokens/s (or GFLOP/s for GEMMs).
    private(set) var values: [String: Double] = [:]
    /// "measured now" or "on file (…)", printed on every line.
    let source: String

    static let script = "../shared/bench/torch_reference.py"

    /// Single-thread eager medians from ../shared/bench/README.md (2026-11-23).
    static let onFile: [String: Double] = [
        "gru_charlm": 36_935,
        "gemm 256x256x256": 96, "gemm 512x512x512": 99, "gemm 1024x1024x1024": 94, "gemm 2048x2048x2048": 89,
        "gemm 32x256x768": 84, "gemm 1120x256x28": 57, "gemm 768x128x512": 100, "gemm 2048x384x1536": 95,
        "gemm 1792x256x5893": 61,
    ]

    init(benches: [String]) {
        if let measured = Self.measure(benches) {
            values = measured
            source = "measured now"
        } else {
            values = Self.onFile
            source = "on file (../shared/bench/README.md; torch not importable here)"
        }
    }

    subscript(name: String) -> Double? { values[name] }

    private static func measure(_ benches: [String]) -> [String: Double]? {
        guard FileManager.default.fileExists(atPath: script),
              standardOutput(of: ["python3", "-c", "import torch"]) != nil,
              let output = standardOutput(of: ["python3", script, "--threads", "1", "--json", "--only", benches.joined(separator: ",")])
        else { return nil }
        var values: [String: Double] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("{") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let bench = object["bench"] as? String else { continue }
            if bench == "gemm", let shape = object["shape"] as? String, let gflops = object["gflops"] as? Double {
                values["gemm \(shape)"] = gflops
            } else if let tokens = object["tokens_per_s"] as? Double {
                values[bench] = tokens
            }
        }
        return values.isEmpty ? nil : values
    }
}

/// Median of a few timed repetitions, in seconds.
func medianSeconds(repetitions: Int, _ body: () -> Void) -> Double {
    var samples: [Double] = []
    for _ in 0..<repetitions {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    }
    return samples.sorted()[samples.count / 2]
}

/// Peak resident set size of this process so far, from /proc/self/status (VmHWM).
func peakRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kilobytes / 1024
}
