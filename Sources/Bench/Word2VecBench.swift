import Data
import Foundation
import Spec
import Training

/// word2vec skip-gram and CBOW with negative sampling on Multi30k's English side, gensim's reference
/// setup (../shared/bench/word2vec_reference.md): raw corpus words per second over 5 epochs, against
/// gensim 4.4 measured in the same invocation with as many workers as threads.
enum Word2VecBench {
    static func spec(architecture: String, threads: Int) throws -> ExperimentSpec {
        try ExperimentSpec.parse("""
            name: word2vec_\(architecture)
            seed: 1
            data: {corpus: "multi30k:train.en", lowercase: true}
            model: {kind: word2vec, architecture: \(architecture), negatives: 5, dimensions: 100, window: 5, min_count: 5,
                    subsample: 0.001, alpha: 0.025, min_alpha: 0.0001}
            train: {epochs: 5, threads: \(threads)}
            """, path: "word2vec_bench.yaml")
    }

    static func run(references: [Reference]) throws {
        for (threads, reference) in zip([1, 2], references) {
            for (name, architecture) in [("word2vec_sgns", "skipgram"), ("word2vec_cbow", "cbow")] {
                resetPeakRSS()
                let timing = try WordVectorTiming(spec: try spec(architecture: architecture, threads: threads),
                                                  locator: .forCurrentProcess(dataDirectory: nil))
                let seconds = try timing.train()
                let (wordsPerSecond, peakRSS) = (Double(timing.corpusWords * 5) / seconds, peakRSSMegabytes())
                print(String(format: "bench %@ threads=%d words_per_s=%.0f ms_per_epoch=%.1f peak_rss_mb=%.0f", name, threads,
                             wordsPerSecond, seconds / 5 * 1000, peakRSS)
                      + reference.comparison(name, tokensPerSecond: wordsPerSecond, peakRSS: peakRSS))
            }
        }
    }
}
