import Core
import Foundation

/// A reference library's figures for a benchmark: measured now by its script in ../shared/bench when
/// the library imports, otherwise the medians on file in ../shared/bench/README.md.
struct Reference {
    /// bench name (or "gemm MxKxN") → tokens/s (or GFLOP/s for GEMMs), and "NAME peak_rss_mb" where
    /// the script measured its process's peak memory; tokenizer benches give "NAME train_s" and
    /// "NAME encode_mb_per_s".
    private(set) var values: [String: Double] = [:]
    /// "measured now" or "on file (…)", printed on every line.
    let source: String

    static let torchScript = "../shared/bench/torch_reference.py"
    static let tokenizersScript = "../shared/bench/tokenizers_reference.py"
    static let seq2seqScript = "Sources/Bench/seq2seq_reference.py"
    static let wordLMScript = "Sources/Bench/wordlm_reference.py"
    static let word2vecScript = "Sources/Bench/word2vec_reference.py"
    static let bertScript = "Sources/Bench/bert_reference.py"

    /// Two-thread eager medians from ../shared/bench/README.md (2026-11-23).
    static let onFileTwoThreads: [String: Double] = [
        "gru_charlm": 49_617, "lstm2_charlm": 32_142, "gpt_baby_cpu": 17_355, "gpt_small_char": 2_133, "transformer_mt": 2_718,
    ]

    /// Hugging Face `tokenizers` 0.23.3, single thread, tinyshakespeare, vocab 2,000 (2026-11-23).
    static let tokenizersOnFile: [String: Double] = [
        "tokenizer_bpe_bytelevel train_s": 0.43, "tokenizer_bpe_bytelevel encode_mb_per_s": 1.97,
        "tokenizer_bpe_whitespace train_s": 0.28, "tokenizer_bpe_whitespace encode_mb_per_s": 2.21,
        "tokenizer_wordpiece_bert train_s": 0.54, "tokenizer_wordpiece_bert encode_mb_per_s": 1.78,
    ]

    /// Single-thread eager medians from ../shared/bench/README.md (2026-11-23).
    static let onFile: [String: Double] = [
        "gru_charlm": 36_935, "lstm2_charlm": 16_008, "mlp_names": 98_785, "gpt_baby_cpu": 12_157, "gpt_small_char": 1_175, "gpt_sample_kv": 1_413,
        "gpt_sample_nocache": 487, "transformer_mt": 1_702,
        "gemm 256x256x256": 96, "gemm 512x512x512": 99, "gemm 1024x1024x1024": 94, "gemm 2048x2048x2048": 89,
        "gemm 32x256x768": 84, "gemm 1120x256x28": 57, "gemm 768x128x512": 100, "gemm 2048x384x1536": 95,
        "gemm 1792x256x5893": 61,
    ]

    /// PyTorch's figures for these benches at a thread count.
    init(torchBenches benches: [String], threads: Int = 1) {
        self.init(module: "torch", onFile: threads == 1 ? Self.onFile : Self.onFileTwoThreads,
                  command: ["python3", Self.torchScript, "--threads", String(threads), "--json", "--only",
                            benches.joined(separator: ",")]) {
            bench, object in
            if bench == "gemm", let shape = object["shape"] as? String, let gflops = object["gflops"] as? Double {
                return [("gemm \(shape)", gflops)]
            }
            return Self.throughputAndMemory(bench, object)
        }
    }

    /// A training bench's tokens/s and, when the script gives it, its peak RSS.
    private static func throughputAndMemory(_ bench: String, _ object: [String: Any]) -> [(String, Double)] {
        [(bench, object["tokens_per_s"] as? Double), (bench + " peak_rss_mb", object["peak_rss_mb"] as? Double)]
            .compactMap { key, value in value.map { (key, $0) } }
    }

    /// A library's figures from one of the scripts beside this file: PyTorch's for the recurrent
    /// encoder–decoders and the word LM, gensim's for word2vec (nothing on file: the scripts are ours,
    /// not ../shared/bench's).
    init(script: String, module: String = "torch", threads: Int) {
        self.init(module: module, onFile: [:], command: ["python3", script, "--threads", String(threads), "--json"],
                  values: Self.throughputAndMemory)
    }

    /// Hugging Face `tokenizers`' training time and encode throughput.
    init(tokenizers: Void) {
        self.init(module: "tokenizers", onFile: Self.tokenizersOnFile,
                  command: ["python3", Self.tokenizersScript, "--threads", "1", "--repeat", "3"]) { bench, object in
            ["train_s", "encode_mb_per_s"].compactMap { key in (object[key] as? Double).map { ("\(bench) \(key)", $0) } }
        }
    }

    private init(module: String, onFile: [String: Double], command: [String],
                 values read: (String, [String: Any]) -> [(String, Double)]) {
        if let measured = Self.measure(module: module, command: command, read) {
            values = measured
            source = "measured now"
        } else {
            values = onFile
            source = "on file (../shared/bench/README.md; \(module) not importable here)"
        }
    }

    subscript(name: String) -> Double? { values[name] }

    /// ` ref_tokens_per_s=… ratio=… ref="…"` for a throughput bench, or nothing without a figure; with
    /// this process's `peakRSS` (MiB) and the reference's, also ` ref_peak_rss_mb=… rss_ratio=…`.
    func comparison(_ name: String, tokensPerSecond: Double, peakRSS: Double? = nil) -> String {
        guard let ref = values[name] else { return "" }
        var memory = ""
        if let peakRSS, let theirs = values[name + " peak_rss_mb"] {
            memory = String(format: " ref_peak_rss_mb=%.0f rss_ratio=%.2f", theirs, peakRSS / theirs)
        }
        return String(format: " ref_tokens_per_s=%.0f ratio=%.2f", ref, tokensPerSecond / ref) + memory + " ref=\"\(source)\""
    }

    /// Runs the script when `module` imports and reads its JSON lines, one `"bench"` object each.
    private static func measure(module: String, command: [String],
                                _ read: (String, [String: Any]) -> [(String, Double)]) -> [String: Double]? {
        guard FileManager.default.fileExists(atPath: command[1]),
              standardOutput(of: ["python3", "-c", "import \(module)"]) != nil,
              let output = standardOutput(of: command)
        else { return nil }
        var values: [String: Double] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("{") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let bench = object["bench"] as? String else { continue }
            for (key, value) in read(bench, object) { values[key] = value }
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

/// Starts the peak resident set size over from the current one (Linux's `clear_refs` 5), so that a
/// bench's peak is its own, not the largest of those before it.
func resetPeakRSS() {
    try? Data("5".utf8).write(to: URL(fileURLWithPath: "/proc/self/clear_refs"))
}

/// Peak resident set size of this process since it started or `resetPeakRSS`, from /proc/self/status (VmHWM).
func peakRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kilobytes / 1024
}
