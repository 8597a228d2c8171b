import Foundation

// `make bench`: one line per benchmark, `bench NAME key=value…`, with PyTorch's figure and the ratio.
let reference = Reference(benches: ["gemm", "gru_charlm"])
print("# reference: \(reference.source)")
GemmBench.run(reference: reference)
do {
    try CharLMBench.run(reference: reference)
} catch {
    print("bench gru_charlm failed: \(error)")
    exit(1)
}
