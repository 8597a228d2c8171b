import Data
import Foundation
import Text

/// The three subword pipelines of ../shared/fixtures/tokenizers trained on tinyshakespeare (vocab 2,000,
/// the fixtures' special tokens), then the corpus encoded line by line on one thread — what
/// ../shared/bench/tokenizers_reference.py measures for Hugging Face `tokenizers` (`encode_batch` with
/// RAYON_NUM_THREADS=1).
enum TokenizerBench {
    static func run(reference: Reference, repetitions: Int = 3) throws {
        let text = try DataLocator.forCurrentProcess(dataDirectory: nil).text(of: "tinyshakespeare")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .dropLast(text.hasSuffix("\n") ? 1 : 0)
        let megabytes = Double(text.utf8.count) / 1e6
        let pipelines: [(name: String, pipeline: SubwordPipeline, lowercase: Bool)] = [
            ("tokenizer_bpe_bytelevel", .byteLevelBPE, false),
            ("tokenizer_bpe_whitespace", .bpe, true),
            ("tokenizer_wordpiece_bert", .wordPiece, true),
        ]
        for (name, pipeline, lowercase) in pipelines {
            let options = TokenizerOptions(lowercase: lowercase, maxSize: 2000, pipeline: pipeline)
            var tokenizer: HuggingFaceTokenizer?
            var failure: (any Error)?
            let trainSeconds = medianSeconds(repetitions: repetitions) {
                do { tokenizer = try HuggingFaceTokenizer.train(on: text, options: options) } catch { failure = error }
            }
            guard let tokenizer else { throw failure! }
            var tokens = 0
            let encodeSeconds = medianSeconds(repetitions: repetitions) {
                tokens = lines.reduce(0) { $0 + tokenizer.encode($1).count }
            }
            let throughput = megabytes / encodeSeconds
            var line = String(format: "bench %@ train_s=%.3f encode_s=%.3f encode_mb_per_s=%.2f tokens=%d vocab=%d",
                              name, trainSeconds, encodeSeconds, throughput, tokens, tokenizer.vocabularySize)
            if let referenceTrain = reference["\(name) train_s"],
               let referenceThroughput = reference["\(name) encode_mb_per_s"] {
                line += String(format: " ref_train_s=%.3f train_ratio=%.2f ref_encode_mb_per_s=%.2f encode_ratio=%.2f",
                               referenceTrain, trainSeconds / referenceTrain, referenceThroughput,
                               throughput / referenceThroughput)
                line += " ref=\"\(reference.source)\""
            }
            print(line)
        }
    }
}
