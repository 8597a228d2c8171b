import Spec

/// The recurrent and window models of ../shared/bench/torch_reference.py: `gru_charlm` (vocab 28,
/// embedding 32, GRU 256, 32 × 35, SGD lr 1, clip 1), `lstm2_charlm` (the same with two LSTM layers,
/// lr 2) and `mlp_names` (makemore's MLP: block 3, embedding 10, hidden 200, batch 32, SGD lr 0.1).
enum CharLMBench {
    static func recurrent(cell: ModelSpec.Cell, layers: Int, lr: Double) -> ExperimentSpec {
        var spec = ExperimentSpec()
        (spec.model.kind, spec.model.cell, spec.model.layers) = (.rnnLM, cell, layers)
        (spec.model.embedding, spec.model.hidden) = (32, 256)
        (spec.train.batchSize, spec.train.seqLen, spec.train.clipGradNorm) = (32, 35, 1)
        spec.train.optimizer.lr = lr
        return spec
    }

    /// word_language_model's medium LSTM (Sources/Bench/wordlm_reference.py): vocabulary 33,278,
    /// embedding 650, two LSTM layers of 650, Zaremba's dropout 0.5, 20 × 35, SGD lr 20, clip 0.25.
    static var wordLM: ExperimentSpec {
        var spec = recurrent(cell: .lstm, layers: 2, lr: 20)
        (spec.model.embedding, spec.model.hidden, spec.model.dropout) = (650, 650, 0.5)
        (spec.train.batchSize, spec.train.seqLen, spec.train.clipGradNorm) = (20, 35, 0.25)
        return spec
    }

    static var mlp: ExperimentSpec {
        var spec = ExperimentSpec()
        (spec.model.kind, spec.model.blockSize, spec.model.embedding, spec.model.hidden) = (.mlpLM, 3, 10, 200)
        (spec.train.batchSize, spec.data.format) = (32, .lines)
        spec.train.optimizer.lr = 0.1
        return spec
    }

    /// `references[t]` holds PyTorch's figures at t + 1 threads; the recurrent models train at each of
    /// those counts, the MLP (too small to split) at one.
    static func run(references: [Reference]) throws {
        for (index, reference) in references.enumerated() {
            try StepBench(name: "gru_charlm", spec: recurrent(cell: .gru, layers: 1, lr: 1), vocabulary: 28, warmup: 20,
                          steps: 100, threads: index + 1).run(reference: reference)
            try StepBench(name: "lstm2_charlm", spec: recurrent(cell: .lstm, layers: 2, lr: 2), vocabulary: 28, warmup: 10,
                          steps: 50, threads: index + 1).run(reference: reference)
        }
        try StepBench(name: "mlp_names", spec: mlp, vocabulary: 27, warmup: 500, steps: 2000).run(reference: references[0])
    }

    /// `lstm_wordlm` at one and two threads, each against PyTorch at as many.
    static func runWordLM(references: [Reference]) throws {
        for (threads, reference) in zip([1, 2], references) {
            try StepBench(name: "lstm_wordlm", spec: wordLM, vocabulary: 33_278, warmup: 3, steps: 10, threads: threads)
                .run(reference: reference)
        }
    }
}
