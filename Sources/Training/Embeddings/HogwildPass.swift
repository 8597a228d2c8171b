import Dispatch
import Embeddings

/// word2vec's parallel training (Recht et al.'s Hogwild!, as word2vec.c and gensim's workers run
/// it): the threads take contiguous shares of a step's sentences and update the shared tables
/// without locks. Updates touch few rows each and rarely collide; when they do, one is lost, so a
/// run on more than one thread is not bit-reproducible. One thread is.
enum HogwildPass {
    static func run(_ learner: Word2VecLearner, _ sentences: ArraySlice<[Int32]>, threads: Int, seed: UInt64,
                    input: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>, alpha: Float) -> Word2VecLearner.Pass {
        let parts = min(threads, sentences.count)
        guard parts > 1 else {
            var random = WordRandom(seed: seed)
            return learner.train(sentences, input: input, output: output, alpha: alpha, random: &random)
        }
        let results = UnsafeMutableBufferPointer<Word2VecLearner.Pass>.allocate(capacity: parts)
        results.initialize(repeating: .init())
        defer { results.deallocate() }
        // The tables are shared on purpose (see above); nothing else is.
        nonisolated(unsafe) let (shared, input, output) = (results, input, output)
        let start = sentences.startIndex, count = sentences.count
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let share = sentences[(start + count * part / parts)..<(start + count * (part + 1) / parts)]
            var random = WordRandom(seed: seed &+ UInt64(part) &* 0xD1B5_4A32_D192_ED03)
            shared[part] = learner.train(share, input: input, output: output, alpha: alpha, random: &random)
        }
        return results.reduce(Word2VecLearner.Pass(), +)
    }
}
