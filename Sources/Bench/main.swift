import Foundation
import Kernels

// `make bench`: one line per benchmark, `bench NAME key=value…`, with the reference's figure and the
// ratio. `seqlab-bench gpt tokenizer` runs only the groups named. The training benchmark runs first
// so that its peak RSS is its own, not the large GEMMs'.
// Started by `mpirun` for the data-parallel lines: this process is one rank of that model's step.
if let model = ProcessInfo.processInfo.environment[DataParallelBench.rankVariable] {
    do {
        try DataParallelBench.runRank(model)
        exit(0)
    } catch {
        print("bench failed: \(error)")
        exit(1)
    }
}
print("# BLAS kernels: \(BLASSetup.coreName ?? "unknown"), one BLAS thread as the engine runs it")
let groups = ["rnn", "wordlm", "gemm", "gpt", "mpi", "seq2seq", "transformer", "bert", "word2vec", "tokenizer"]
let chosen = CommandLine.arguments.count > 1 ? Set(CommandLine.arguments.dropFirst()) : Set(groups)
if let unknown = chosen.subtracting(groups).first {
    print("seqlab-bench: no benchmark group '\(unknown)' (groups: \(groups.joined(separator: ", ")))")
    exit(64)
}
let torchBenches = ["rnn": ["gru_charlm", "lstm2_charlm", "mlp_names"], "gemm": ["gemm"], "gpt": ["gpt_baby_cpu", "gpt_small_char", "gpt_sample"]]
    .filter { chosen.contains($0.key) }.flatMap(\.value)
let reference = torchBenches.isEmpty ? nil : Reference(torchBenches: torchBenches)
if let reference { print("# reference: \(reference.source)") }
if !chosen.isDisjoint(with: ["rnn", "wordlm", "gpt", "mpi", "seq2seq", "transformer", "bert"]) { print(MachinePeak.header) }
do {
    if let reference, chosen.contains("rnn") {
        try CharLMBench.run(references: [reference, Reference(torchBenches: ["gru_charlm", "lstm2_charlm"], threads: 2)])
    }
    if chosen.contains("wordlm") {
        try CharLMBench.runWordLM(references: [1, 2].map { Reference(script: Reference.wordLMScript, threads: $0) })
    }
    if let reference, chosen.contains("gemm") { GemmBench.run(reference: reference) }
    if let reference, chosen.contains("gpt") {
        let twoThreads = Reference(torchBenches: ["gpt_baby_cpu", "gpt_small_char"], threads: 2)
        try GPTBench.run(references: [reference, twoThreads])
    }
    if chosen.contains("mpi") { try DataParallelBench.run() }
    if chosen.contains("seq2seq") {
        try Seq2SeqBench.run(references: [1, 2].map { Reference(script: Reference.seq2seqScript, threads: $0) }, threads: [1, 2])
    }
    if chosen.contains("transformer") {
        try TransformerBench.run(references: [1, 2].map { Reference(torchBenches: ["transformer_mt"], threads: $0) }, threads: [1, 2])
    }
    if chosen.contains("bert") {
        try BERTBench.run(references: [1, 2].map { Reference(script: Reference.bertScript, module: "transformers", threads: $0) },
                          threads: [1, 2])
    }
    if chosen.contains("word2vec") {
        try Word2VecBench.run(references: [1, 2].map { Reference(script: Reference.word2vecScript, module: "gensim", threads: $0) })
    }
    if chosen.contains("tokenizer") { try TokenizerBench.run(reference: Reference(tokenizers: ())) }
} catch {
    print("bench failed: \(error)")
    exit(1)
}
