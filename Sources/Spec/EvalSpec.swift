import Foundation

/// How a run is scored: when (every so many steps or epochs), which metrics, on how many batches, how
/// translations are decoded for BLEU, and the evaluation sets of word vectors.
public struct EvalSpec: Sendable, Equatable {
    public enum Metric: String, SpecChoice {
        case loss, perplexity, accuracy, bleu
        /// Translation: loss and perplexity with the decoder fed its own argmax at every step (teacher
        /// forcing 0), as bentrevett/pytorch-seq2seq evaluates: `free_loss`, `free_ppl`.
        case freeRunning = "free_running"
        /// Bits per character: the loss in bits spread over the characters the tokens stand for, so
        /// that models over different vocabularies (chars, BPE) compare.
        case bpc
        static let label = "metric"
    }

    /// Evaluate every this many steps; nil when `every_epochs` sets the rhythm instead.
    public var everySteps: Int? = 100
    /// Evaluate at the end of every this many epochs instead (the rhythm of the epoch-based recipes,
    /// e.g. PyTorch's `word_language_model`); nil for steps.
    public var everyEpochs: Int?
    public var metrics: [Metric] = [.loss, .perplexity]
    /// Evaluate on this many batches; nil for the whole split.
    public var batches: Int?
    /// How translations are decoded for `bleu`.
    public var decode = DecodeSpec()
    /// How `bleu` splits translations and references into words, as sacreBLEU's `--tokenize`: `none`
    /// for text tokenised already (Multi30k's `.tok` files), `13a` for text as written (its raw files).
    public var bleuTokenize = BLEUTokenize.none
    /// Word vectors: word-similarity files (`word<TAB>word<TAB>score`) scored by Spearman's ρ, as
    /// registry references or paths; each metric is named by its file's role or stem.
    public var wordPairs = ["wordsim:wordsim353", "wordsim:simlex999"]
    /// Word vectors: the analogy questions answered by 3CosAdd; nil for none.
    public var analogies: String? = "wordsim:questions-words"
    /// Word vectors: analogies are answered among this many of the most frequent words.
    public var restrictVocab = 30_000

    public enum BLEUTokenize: String, SpecChoice {
        case none
        case mteval13a = "13a"
        static let label = "BLEU tokenization"
    }

    public init() {}
}

extension EvalSpec: SpecSection {
    static var fields: [Field<EvalSpec>] {
        [
            .int("every_steps", \.everySteps, .atLeastOne),
            .int("every_epochs", \.everyEpochs, .atLeastOne),
            .choices("metrics", \.metrics),
            .int("batches", \.batches, .atLeastOne),
            .section("decode", \.decode),
            .choice("bleu_tokenize", \.bleuTokenize),
            .strings("word_pairs", \.wordPairs),
            .string("analogies", \.analogies),
            .int("restrict_vocab", \.restrictVocab, .atLeastOne),
        ]
    }

    /// As `train`'s `epochs` and `steps`: `every_steps` has a default and `every_epochs` does not, so
    /// naming `every_epochs` alone evaluates by epochs; naming both is ambiguous, naming neither refused.
    static func validate(_ value: inout EvalSpec, _ node: Node, section: String) throws(SpecError) {
        try resolveAlternative(&value, node, section: section, "every_steps", \.everySteps, or: "every_epochs", \.everyEpochs,
                               purpose: "evaluate by epochs")
        if value.everySteps == nil, value.everyEpochs == nil {
            throw node.mark.error("'\(section)' needs 'every_steps' or 'every_epochs'")
        }
    }

    static let embeddingsKeys = ["word_pairs", "analogies", "restrict_vocab"]

    /// A word-similarity file's metric name: its registry role (`wordsim:simlex999` → `simlex999`) or its
    /// file name's stem.
    public static func metricName(_ reference: String) -> String {
        if let colon = reference.lastIndex(of: ":"), !reference.contains("/") {
            return String(reference[reference.index(after: colon)...])
        }
        return ((reference as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    /// The scores word vectors log at "valid", one for each evaluation file (ρ of a word-pair file, the
    /// analogy accuracies), without the details (`.oov`, `.answered`, `.section.<name>`).
    public var wordVectorNames: [String] {
        wordPairs.map(Self.metricName) + (analogies == nil ? [] : ["analogy", "analogy.semantic", "analogy.syntactic"])
    }

    /// The names a split's events carry in metrics.jsonl when these metrics are asked for.
    public var loggedNames: [String] {
        ["loss", "ppl"] + metrics.flatMap { metric -> [String] in
            switch metric {
            case .loss, .perplexity: []
            case .bpc: ["bpc"]
            case .bleu: ["bleu"]
            case .freeRunning: ["free_loss", "free_ppl"]
            case .accuracy: ["accuracy"]
            }
        }
    }
}

/// Decoding a translation: greedy (`beam: 1`) or beam search, fairseq's length penalty α (a
/// hypothesis scores log p / length^α) and length limit: at most ⌊max_len_a · (source length + 1) +
/// max_len_b⌋ tokens before `<eos>`, the source counted with its `<eos>`, as fairseq counts (and with
/// its `<bos>` under `data.source_bos`: the positions the encoder reads).
public struct DecodeSpec: Sendable, Equatable {
    public var beam = 1
    public var lenpen = 1.0
    public var maxLenA = 0.0
    public var maxLenB = 200

    /// The widest beam kept (each step scores beam × sentences rows).
    public static let maxBeam = 1024

    public init() {}
}

extension DecodeSpec: SpecSection {
    static var fields: [Field<DecodeSpec>] {
        [
            .int("beam", \.beam, .atLeastOneAtMost(maxBeam)),
            .double("lenpen", \.lenpen, .any),
            .double("max_len_a", \.maxLenA, .nonNegative),
            // Decoding stops at 1,024 tokens whatever a and b say (BeamSearch's length limit).
            .int("max_len_b", \.maxLenB, .atLeastOneAtMost(1024)),
        ]
    }

}

extension DecodeSpec {
    /// `text` read as the value of the `eval.decode` key `key` by that key's own rule (`--beam` for `beam`).
    public static func value<Value>(_ text: String, of key: String, _ path: KeyPath<DecodeSpec, Value>)
        throws(SpecError) -> Value {
        try commandLineValue(text, of: key, path, section: "eval.decode")
    }
}
