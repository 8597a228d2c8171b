import Foundation
import Kernels

// `make bench`: one line per benchmark, `bench NAME key=value…`, with PyTorch's figure and the ratio.
// The training benchmark runs first so that its peak RSS is its own, not the large GEMMs'.
setBLASThreads(1)   // as the engine runs it; PyTorch's reference runs with --threads 1 too
let reference = Reference(torchBenches: ["gemm", "gru_charlm"])
print("# reference: \(reference.source)")
do {
    try CharLMBench.run(reference: reference)
} catch {
    print("bench gru_charlm failed: \(error)")
    exit(1)
}
GemmBench.run(reference: reference)
do {
    try TokenizerBench.run(reference: Reference(tokenizers: ()))
} catch {
    print("bench tokenizers failed: \(error)")
    exit(1)
}
