import Autodiff
import Core
import Engine
import Graph
import Models
import Optim

/// One training step of the `gru_charlm` reference model — vocab 28, embedding 32, GRU 256, batch 32,
/// 35 steps of truncated BPTT with the hidden state carried — forward, backward, clip 1, SGD lr 1,
/// exactly what ../shared/bench/torch_reference.py times. Batches are random ids, as there.
enum CharLMBench {
    static func run(reference: Reference, warmup: Int = 20, steps: Int = 100) throws {
        let (vocab, embeddingSize, hidden, batch, length) = (28, 32, 256, 32, 35)
        let g = Graph()
        let tokens = g.input("tokens", shape: [length, batch], dtype: .int32)
        let targets = g.input("targets", shape: [length, batch], dtype: .int32)
        let h0 = g.input("h0", shape: [batch, hidden])
        let model = try RNNLanguageModel(g, config: .init(vocabularySize: vocab, embedding: embeddingSize, hidden: hidden))
        let (logits, states) = try model(tokens, initialStates: [[h0]])
        let loss = try logits.crossEntropy(targets: targets)
        let parameters = g.parameters.map { g.tensor($0.node) }
        let gradients = try g.gradients(of: loss, withRespectTo: parameters)
        let hT = states[0][0]
        let program = try Engine.compile(g, outputs: [loss, hT], gradients: Array(zip(parameters, gradients)), seed: 1)
        let arena = program.arena
        var optimizer = SGD(layout: arena.layout)

        var rng = SeededGenerator(seed: 1337)
        let batches = (0..<16).map { _ in
            ((0..<(length * batch)).map { _ in Float(rng.next() % UInt64(vocab)) },
             (0..<(length * batch)).map { _ in Float(rng.next() % UInt64(vocab)) })
        }
        var hidden0 = [Float](repeating: 0, count: batch * hidden)
        var lastLoss: Float = 0
        func step(_ i: Int) throws {
            try program.setInput("tokens", batches[i % batches.count].0)
            try program.setInput("targets", batches[i % batches.count].1)
            try program.setInput("h0", hidden0)
            program.run()
            _ = clipGradNorm(arena.gradients, maxNorm: 1)
            optimizer.step(parameters: arena.values, gradients: UnsafeBufferPointer(arena.gradients), layout: arena.layout, lr: 1)
            hidden0 = try program.read(hT)     // carried, detached: truncated BPTT
            lastLoss = try program.scalar(loss)
        }
        for i in 0..<warmup { try step(i) }
        var times: [Double] = []
        for i in 0..<steps { times.append(medianSeconds(repetitions: 1) { try? step(i) }) }
        let median = times.sorted()[times.count / 2]
        let tokensPerSecond = Double(batch * length) / median
        print(String(format: "bench gru_charlm ms_per_step=%.2f tokens_per_s=%.0f peak_rss_mb=%.0f loss=%.3f",
                          median * 1e3, tokensPerSecond, peakRSSMegabytes(), lastLoss)
              + reference.comparison("gru_charlm", tokensPerSecond: tokensPerSecond))
        if SeqLabEnvironment.debug { print(program.memorySummary(optimizerState: optimizer.stateSize)) }
    }
}
