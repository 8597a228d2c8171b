import Core

/// One experiment, fully typed: what `runner` trains. Each property is one YAML key of DESIGN.md's
/// spec format and holds its default until a file or a `--set` override says otherwise; see
/// `ExperimentSpec.load(path:overrides:)` for how a file becomes one.
///
/// `extends:` is not a property: it is resolved while loading, and a resolved spec (the one written to
/// a run directory by `resolvedYAML()`) no longer needs the file it came from.
public struct ExperimentSpec: Sendable, Equatable {
    /// Names the run directory. Defaults to the spec file's name without its extension.
    public var name = ""
    /// Seeds parameter initialisation, batch order, dropout and sampling.
    public var seed = 42
    /// What the run trains for; when the file does not say, the model kind's usual task.
    public var task = Task.languageModel
    /// The published result this experiment reproduces, for `runner table`; nil when none.
    public var reproduces: ReproducesSpec?
    public var data = DataSpec()
    /// The tokenizer of every side; with `targetTokenizer`, the source side's.
    public var tokenizer = TokenizerSpec()
    /// Translation with a tokenizer per side (`tokenizer: {source: {…}, target: {…}}`): the target's.
    public var targetTokenizer: TokenizerSpec?
    public var model = ModelSpec()
    public var train = TrainSpec()
    public var eval = EvalSpec()
    public var sample = SampleSpec()
    public var checkpoint = CheckpointSpec()
    public var log = LogSpec()
    /// Weights a new run starts from instead of its initializer: a `model.safetensors` (or the
    /// directory holding one, as `runner export --format safetensors` writes) with the model's keys.
    public var initFrom: String?
    /// Where the files and `--set` wrote each key, for errors found after loading.
    public var origins = SpecOrigins()

    public init() {}

    /// The tokenizer of each side of a translation; the same one twice unless the spec gives one a side.
    public var tokenizers: (source: TokenizerSpec, target: TokenizerSpec) { (tokenizer, targetTokenizer ?? tokenizer) }

    /// What a run trains for (DESIGN.md, "Tasks"): it decides the data, the batches, the loss, the
    /// metrics and the decoding around the model.
    public enum Task: String, SpecChoice {
        case languageModel = "language_model"
        case translation
        case embeddings
        case classification
        case maskedLM = "masked_lm"
        static let label = "task"

        /// What a scored split logs beyond `eval.loggedNames`, whatever `eval.metrics` lists.
        public var loggedNames: [String] {
            switch self {
            case .classification: ["accuracy", "macro_f1"]
            case .maskedLM: ["mlm_loss", "mlm_ppl", "mlm_accuracy", "nsp_loss", "nsp_accuracy"]
            case .languageModel, .translation, .embeddings: []
            }
        }
    }
}

/// A published number and where it comes from, e.g. `{metric: train.ppl, value: 1.1, tolerance: 0.2,
/// source: "d2l §9.1"}`: a run reproduces it when its metric lies within `tolerance` of `value`.
public struct ReproducesSpec: Sendable, Equatable {
    /// A metric as `metrics.jsonl` names it: `<split>.<metric>`, e.g. `valid.ppl`.
    public var metric = ""
    public var value = 0.0
    /// Absolute; the default accepts only the published number itself.
    public var tolerance = 0.0
    public var source = ""

    public init() {}
}

extension ExperimentSpec: SpecSection {
    static var fields: [Field<ExperimentSpec>] {
        [
            Field(key: "extends", decode: { _, node, _ throws(SpecError) in
                throw node.mark.error("'extends' is resolved while loading a file and cannot be set here")
            }, encode: { _ in nil }),
            .string("name", \.name),
            .int("seed", \.seed, .nonNegative),
            .choice("task", \.task),
            .section("reproduces", \.reproduces),
            .section("data", \.data),
            tokenizerField,
            .section("model", \.model),
            .section("train", \.train),
            .section("eval", \.eval),
            .section("sample", \.sample),
            .section("checkpoint", \.checkpoint),
            .section("log", \.log),
            .string("init_from", \.initFrom),
        ]
    }

    /// `tokenizer`: one block for every side, or `{source: {…}, target: {…}}` (translation only).
    private static var tokenizerField: Field<ExperimentSpec> {
        let sides = ["source", "target"]
        let schema = TokenizerSpec.keySchema
        return Field(key: "tokenizer", decode: { spec, node, name throws(SpecError) in
            guard let entries = node.entries, entries.contains(where: { sides.contains($0.key) }) else {
                (spec.tokenizer, spec.targetTokenizer) = (try TokenizerSpec.decode(node, section: name), nil)
                return
            }
            if let shared = entries.first(where: { !sides.contains($0.key) }) {
                throw shared.keyMark.error("'\(name).\(shared.key)' beside per-side blocks: give one tokenizer for both sides "
                    + "or a 'source' and a 'target' block", hint: "move '\(shared.key)' into both blocks")
            }
            var blocks: [TokenizerSpec] = []
            for side in sides {
                guard let block = node.entry(side) else {
                    throw node.mark.error("'\(name)' has a block for one side only", hint: "add '\(name).\(side)'")
                }
                blocks.append(try TokenizerSpec.decode(block.value, section: "\(name).\(side)"))
            }
            (spec.tokenizer, spec.targetTokenizer) = (blocks[0], blocks[1])
        }, encode: { spec in
            spec.targetTokenizer.map { .mapping([("source", spec.tokenizer.yaml), ("target", $0.yaml)]) } ?? spec.tokenizer.yaml
        }, nested: KeySchema(keys: schema.keys + sides.map { ($0, schema) }))
    }

    static func validate(_ value: inout ExperimentSpec, _ node: Node, section: String) throws(SpecError) {
        value.origins = SpecOrigins(node)
        if let problem = RunName.problem(value.name) {
            throw (node.entry("name")?.value.mark ?? node.mark).error("'name' \(problem)",
                                                                      hint: "it names a directory under the runs directory")
        }
        if node.entry("data") == nil {
            throw node.mark.error("missing required section 'data'", hint: "it names the corpus: data: {corpus: timemachine}")
        }
        let usual = value.model.kind.task
        if let task = node.entry("task") {
            if let usual, value.task != usual {
                throw task.value.mark.error("model kind '\(value.model.kind.rawValue)' is trained for \(usual.rawValue), "
                    + "not \(value.task.rawValue)", hint: "set 'task: \(usual.rawValue)' or a model kind of that task")
            }
        } else {
            value.task = usual ?? .languageModel
        }
        try checkTaskKeys(value, node)
        if value.model.kind == .classifier, value.model.encoder == .elmo, value.initFrom == nil {
            throw (node.entry("model")?.value.entry("encoder")?.value.mark ?? node.mark)
                .error("'encoder: elmo' reads the features of a pretrained biLM, and this spec names none",
                       hint: "set 'init_from:' to an elmo run's directory (experiments/elmo_wikitext2.yaml trains one)")
        }
        try checkTransformerFits(value, node)
        try checkPlateauMetric(value, node)
    }

    /// A plateau schedule watches a metric the run logs: the training loss or perplexity, or one it
    /// logs on a validation split the data has; the best checkpoint is chosen by a validation metric.
    private static func checkPlateauMetric(_ value: ExperimentSpec, _ node: Node) throws(SpecError) {
        if value.train.schedule.kind == .plateau {
            let scheduleNode = node.entry("train")?.value.entry("schedule")?.value
            try checkLogged(value.train.schedule.metric, key: "train.schedule.metric", value, training: true,
                            at: scheduleNode?.entry("metric")?.value.mark ?? scheduleNode?.mark ?? node.mark)
        }
        if value.checkpoint.bestBy != CheckpointSpec().bestBy {
            let checkpointNode = node.entry("checkpoint")?.value
            try checkLogged(value.checkpoint.bestBy, key: "checkpoint.best_by", value, training: false,
                            at: checkpointNode?.entry("best_by")?.value.mark ?? checkpointNode?.mark ?? node.mark)
        }
    }

    /// Whether the runs of this spec score a validation split. Translation, classification and
    /// masked_lm read a dataset's own valid file when no files are named; word vectors are scored on
    /// their evaluation sets, as valid.
    public var hasValidationSplit: Bool {
        let readsFiles = [.translation, .classification, .maskedLM].contains(task)
        return task == .embeddings || (data.files.map { $0.valid != nil } ?? (readsFiles || (data.split?.valid ?? 0) > 0))
    }

    /// The metrics a scored split (valid, test) of this spec's runs logs, without the split:
    /// classification and masked_lm log their own whatever eval.metrics lists, word vectors a score of
    /// each evaluation file.
    public var scoredMetricNames: [String] {
        task == .embeddings ? eval.wordVectorNames
            : task.loggedNames.isEmpty ? eval.loggedNames + model.kind.loggedNames
            : ["loss", "ppl"] + task.loggedNames
    }

    /// `metric` must be one the run logs: on the validation split (which the data must have), or with
    /// `training` also the training loss or perplexity.
    private static func checkLogged(_ metric: String, key: String, _ value: ExperimentSpec, training: Bool, at mark: Mark)
        throws(SpecError) {
        let parts = metric.split(separator: ".", maxSplits: 1).map(String.init)
        let hasValid = value.hasValidationSplit
        let validNames = value.scoredMetricNames
        let logged: [String] = switch parts.first {
        case "train" where training: ["loss", "ppl"]
        case "valid" where hasValid: validNames
        default: []
        }
        guard parts.count == 2, logged.contains(parts[1]) else {
            let offered = (training ? ["train.loss", "train.ppl"] : []) + (hasValid ? validNames.map { "valid." + $0 } : [])
            throw mark.error("'\(key)' is '\(metric)', which this run does not log"
                + (parts.first == "valid" && !hasValid ? " (the data has no validation split)" : ""),
                hint: offered.isEmpty ? "give the data a validation split" : "use one of " + offered.joined(separator: ", "))
        }
    }

    /// A Transformer's position table must hold the longest sentence the data keeps, one embedding
    /// shared by both sides needs one vocabulary, and its decoder reads the whole target at once, so
    /// it cannot run free.
    private static func checkTransformerFits(_ value: ExperimentSpec, _ node: Node) throws(SpecError) {
        let model = value.model
        guard model.kind == .transformer else { return }
        if value.eval.metrics.contains(.freeRunning), let eval = node.entry("eval")?.value {
            throw (eval.entry("metrics")?.value.mark ?? eval.mark).error("eval metric 'free_running' needs a recurrent "
                + "seq2seq model; a transformer reads the whole target at once", hint: "remove it from eval.metrics")
        }
        guard let modelNode = node.entry("model")?.value else { return }
        let mark = { (key: String) in modelNode.entry(key)?.value.mark ?? modelNode.mark }
        // A sentence of max_length tokens takes one more position, the source's `<eos>` or the target's
        // `<bos>`, and two for a source that also starts with `<bos>`.
        let framing = value.data.sourceBOS ? 2 : 1
        if let maxLength = value.data.maxLength, maxLength + framing > model.maxPositions {
            // The caret goes to the key the file gives: max_positions, or else the max_length it is too small for.
            let maxLengthMark = node.entry("data")?.value.entry("max_length")?.value.mark ?? modelNode.mark
            let at = modelNode.entry("max_positions") != nil ? mark("max_positions") : maxLengthMark
            let frame = value.data.sourceBOS ? "the source's <bos> and <eos>" : "its <bos> or <eos>"
            throw at.error("'model.max_positions' (\(model.maxPositions)) is smaller than the "
                + "\(maxLength + framing) positions a sentence of 'data.max_length' (\(maxLength)) takes with \(frame)",
                hint: "raise max_positions to \(maxLength + framing) or lower data.max_length")
        }
        if model.shareEmbeddings == .all, let target = value.targetTokenizer, target != value.tokenizer {
            throw mark("share_embeddings").error("'model.share_embeddings: all' needs one vocabulary for both sides, but "
                + "'tokenizer' gives the source and the target their own", hint: "give one tokenizer block, or share "
                + "decoder_output only")
        }
    }

    /// Word vectors learn by their own rule (a rate falling from `model.alpha` to `min_alpha`, one update
    /// per prediction) from one corpus split into words at whitespace: the optimizer, the batches, the
    /// splits and a tokenizer would be ignored, so they are refused.
    private static func checkEmbeddingsKeys(_ value: ExperimentSpec, _ given: [(String, [Node.Entry])], _ node: Node)
        throws(SpecError) {
        let refused = ["data": DataSpec.splitKeys, "train": TrainSpec.stepKeys, "eval": ["metrics", "batches"]]
        for (section, entries) in given {
            if let entry = entries.first(where: { refused[section]?.contains($0.key) ?? false }) {
                throw entry.keyMark.error("'\(section).\(entry.key)' does not apply to task embeddings: word vectors learn "
                    + "from the whole corpus by their own rule, at a rate falling from model.alpha to model.min_alpha",
                    hint: "remove it")
            }
        }
        // A resolved spec writes the (default) block back, which is not a request for a tokenizer.
        if let tokenizer = node.entry("tokenizer"), value.tokenizer != TokenizerSpec() || value.targetTokenizer != nil {
            throw tokenizer.keyMark.error("task embeddings splits its corpus into words at whitespace and takes no "
                + "tokenizer", hint: "remove the block; 'data.lowercase: true' lowercases the text first")
        }
    }

    /// The data and training keys of one task are refused in a spec of another (when they change
    /// something: a resolved spec writes every key).
    private static func checkTaskKeys(_ value: ExperimentSpec, _ node: Node) throws(SpecError) {
        let given = [
            ("data", node.entry("data").map { DataSpec.givenEntries(value.data, $0.value) } ?? []),
            ("train", node.entry("train").map { TrainSpec.givenEntries(value.train, $0.value) } ?? []),
            ("eval", node.entry("eval").map { EvalSpec.givenEntries(value.eval, $0.value) } ?? []),
        ]
        let owners: [(keys: [String], tasks: [Task])] = [
            (DataSpec.translationKeys, [.translation]),
            (DataSpec.bucketKeys + TrainSpec.bucketKeys, [.translation, .classification]),
            (DataSpec.languageModelKeys + TrainSpec.languageModelKeys, [.languageModel]),
            (TrainSpec.sequenceKeys, [.languageModel, .maskedLM]),
            (DataSpec.embeddingsKeys + EvalSpec.embeddingsKeys, [.embeddings]),
            (DataSpec.classificationKeys + TrainSpec.classificationKeys, [.classification]),
            (DataSpec.maskedLMKeys, [.maskedLM]),
        ]
        for (section, entries) in given {
            for entry in entries {
                guard let owner = owners.first(where: { $0.keys.contains(entry.key) }), !owner.tasks.contains(value.task) else {
                    continue
                }
                throw entry.keyMark.error("'\(section).\(entry.key)' applies to task "
                    + owner.tasks.map(\.rawValue).joined(separator: " and ") + ", not \(value.task.rawValue)", hint: "remove it")
            }
        }
        // These tasks read a file per split (a registered dataset's, or data.files): a share of one
        // corpus would be ignored.
        if [.translation, .classification, .maskedLM].contains(value.task), value.data.split != nil,
           let split = given[0].1.first(where: { $0.key == "split" }) {
            throw split.keyMark.error("'data.split' divides one corpus for a language model; task \(value.task.rawValue) "
                + "reads a file for each split", hint: "name them with data.files: {train: …, valid: …, test: …}")
        }
        if value.task == .embeddings { try checkEmbeddingsKeys(value, given, node) }
        if value.targetTokenizer != nil, value.task != .translation, let tokenizer = node.entry("tokenizer") {
            throw tokenizer.keyMark.error("a tokenizer per side ('tokenizer.source', 'tokenizer.target') is for translation, "
                + "not \(value.task.rawValue)", hint: "give one tokenizer block")
        }
        if value.data.batching == .random, value.train.batchTokens != nil {
            let batchTokens = node.entry("train")?.value.entry("batch_tokens")
            throw (batchTokens?.keyMark ?? node.mark).error("'train.batch_tokens' sizes batches of one length bucket; "
                + "'data.batching: random' draws batches of train.batch_size examples from all of them",
                hint: "give train.batch_size, or use data.batching: buckets")
        }
        if value.task == .translation {
            let data = node.entry("data")?.value
            for (key, language) in [("source", value.data.source), ("target", value.data.target)] where language == nil {
                throw (data?.mark ?? node.mark).error("a translation spec needs 'data.\(key)', the \(key) language",
                                                      hint: "e.g. data: {corpus: multi30k, source: de, target: en}")
            }
            // Both sides are read from the files of their language code: one code twice, or a file
            // path without `{lang}`, would pair every sentence with itself.
            if value.data.source == value.data.target, let target = data?.entry("target") {
                throw target.value.mark.error("'data.source' and 'data.target' are both '\(value.data.target ?? "")': "
                    + "both sides would read the same files", hint: "name two languages, e.g. source: de, target: en")
            }
            let files = data?.entry("files")?.value
            for key in ["train", "valid", "test"] {
                guard let path = files?.entry(key)?.value, !path.isNull, case .scalar(let text, _) = path.value,
                      !text.contains("{lang}") else {
                    continue
                }
                throw path.mark.error("'data.files.\(key)' needs '{lang}' where the language code goes, so that one "
                    + "pattern names both sides' files", hint: "e.g. \(key): corpus/\(key).{lang}")
            }
        }
    }
}

extension ReproducesSpec: SpecSection {
    static var fields: [Field<ReproducesSpec>] {
        [
            .string("metric", \.metric),
            .double("value", \.value),
            .double("tolerance", \.tolerance, .nonNegative),
            .string("source", \.source),
        ]
    }

    static func validate(_ value: inout ReproducesSpec, _ node: Node, section: String) throws(SpecError) {
        for key in ["metric", "value"] where node.entry(key) == nil {
            throw node.mark.error("missing required key '\(key)' in '\(section)'")
        }
    }
}

/// Where the text comes from and how it is divided.
public struct DataSpec: Sendable, Equatable {
    /// A registry name (`timemachine`, `tinyshakespeare`…) or a path to a text file. Required.
    public var corpus = ""
    /// Fractions of the corpus, in order; nil when `files` gives the splits instead.
    public var split: SplitSpec? = SplitSpec()
    /// One file per split; nil when `split` divides `corpus`.
    public var files: DataFilesSpec?
    /// Keep only the first N characters of the corpus (d2l trains on the first 10,000).
    public var maxChars: Int?
    public var format = Format.stream
    /// Translation: the source and target languages, the suffixes of a parallel corpus's files
    /// (`multi30k`'s `de`, `en`); with `files`, each path's `{lang}` is replaced by them.
    public var source: String?
    public var target: String?
    /// Translation: pairs with more tokens than this on either side are left out (and counted).
    public var maxLength: Int?
    /// Translation and classification: the length buckets, each one padded shape compiled once.
    public var buckets = 4
    /// Translation and classification: whether a batch comes from one length bucket or is drawn from all.
    public var batching = Batching.buckets
    /// Translation: whether the encoder passes over a batch's padding or reads it.
    public var padding = Padding.packed
    /// Translation: whether every source starts with `<bos>` (it always ends with `<eos>`), as
    /// torchtext's `init_token` frames the sources of bentrevett's tutorials.
    public var sourceBOS = false
    /// Language models of running text: what ends a line in the token stream.
    public var lineEnd = LineEnd.none
    /// Word vectors: lowercase the corpus before splitting it into words.
    public var lowercase = false
    /// masked_lm: the probability that a word position is selected for prediction (BERT's 15 %).
    public var maskRate = 0.15
    /// Classification: which column of a labelled line holds the label.
    public var columns = Columns.labelText
    /// Classification: whether each file starts with a header line; nil to tell by its first line
    /// (a header's label field is a label no other line has).
    public var header: Bool?

    /// How examples are grouped into batches.
    public enum Batching: String, SpecChoice {
        /// Each batch from one length bucket: the least padding.
        case buckets
        /// Batches of `train.batch_size` examples drawn at random from all of them (in file order for
        /// evaluation), as a shuffled PyTorch DataLoader forms them; each padded in the smallest bucket
        /// shape that holds it.
        case random
        static let label = "batching"
    }

    /// What the encoder does with the `<pad>` positions of a batch's shorter sources.
    public enum Padding: String, SpecChoice {
        /// Passes over them as over PyTorch's packed sequences; attention ignores them.
        case packed
        /// Reads them as tokens up to the batch's longest source, and attention weighs them, as an
        /// RNN over a padded batch without packing (bentrevett's 2023 tutorials). Decoding reads none.
        case read
        static let label = "padding"
    }

    /// The order of a labelled line's two tab-separated fields.
    public enum Columns: String, SpecChoice {
        case labelText = "label_text"
        case textLabel = "text_label"
        static let label = "columns"
    }

    /// What stands for a line's end in a language model's token stream.
    public enum LineEnd: String, SpecChoice {
        /// Whatever the tokenizer makes of the newline (a char tokenizer's `\n`; nothing for words).
        case none
        /// An `<eos>` token after every line, empty lines included (the word-level corpora's convention).
        case eos
        static let label = "line end"
    }

    /// How the corpus becomes training examples.
    public enum Format: String, SpecChoice {
        /// One token stream, cut into windows (language modelling of running text).
        case stream
        /// Every non-empty line is one example, framed by a boundary token `.` that starts and ends
        /// it (makemore's names): the lines are shuffled with the seed, then split by `split`.
        case lines
        static let label = "data format"
    }

    public init() {}
}

/// Consecutive fractions of the corpus: the first `train`, then `valid`, then `test`.
public struct SplitSpec: Sendable, Equatable {
    public var train = 0.9
    public var valid = 0.1
    public var test = 0.0

    public init() {}
}

/// Splits given as files, as registry names or paths like `corpus`.
public struct DataFilesSpec: Sendable, Equatable {
    public var train = ""
    public var valid: String?
    public var test: String?

    public init() {}
}

extension DataSpec: SpecSection {
    static var fields: [Field<DataSpec>] {
        [
            .string("corpus", \.corpus),
            .section("split", \.split),
            .section("files", \.files),
            .int("max_chars", \.maxChars, .atLeastOne),
            .choice("format", \.format),
            .string("source", \.source),
            .string("target", \.target),
            // A bound far above any sentence, so that the positions and shapes counted from it cannot overflow.
            .int("max_length", \.maxLength, .atLeastOneAtMost(1 << 20)),
            .int("buckets", \.buckets, .atLeastOne),
            .choice("batching", \.batching),
            .choice("padding", \.padding),
            .bool("source_bos", \.sourceBOS),
            .choice("line_end", \.lineEnd),
            .bool("lowercase", \.lowercase),
            .double("mask_rate", \.maskRate, .openFraction),
            .choice("columns", \.columns),
            .bool("header", \.header),
        ]
    }

    static let translationKeys = ["source", "target", "max_length", "padding", "source_bos"]
    /// Sentences batched in length buckets: translation and classification.
    static let bucketKeys = ["buckets", "batching"]
    static let languageModelKeys = ["max_chars", "format", "line_end"]
    static let embeddingsKeys = ["lowercase"]
    static let classificationKeys = ["columns", "header"]
    static let maskedLMKeys = ["mask_rate"]
    /// Word vectors read one corpus, every file of it, one sentence per line: no splits.
    static let splitKeys = ["split", "files"]

    /// `split` has a default and `files` does not, so naming `files` alone switches to files; naming
    /// both (say, `files` in a file that extends one with `split`) is ambiguous and refused.
    static func validate(_ value: inout DataSpec, _ node: Node, section: String) throws(SpecError) {
        guard let corpus = node.entry("corpus") else {
            throw node.mark.error("missing required key 'corpus' in '\(section)'",
                                  hint: node.entry("files") == nil ? "a registry name such as 'timemachine', or a path"
                                      : "with 'files', a name for the data, such as 'corpus: reviews'")
        }
        if value.corpus.isEmpty { throw corpus.value.mark.error("'\(section).corpus' must not be empty") }
        if value.format == .lines, let key = ["files", "max_chars"].first(where: { node.entry($0).map { !$0.value.isNull } ?? false }) {
            throw (node.entry(key)?.keyMark ?? node.mark).error("'\(section).\(key)' does not apply to 'format: lines'",
                                                            hint: "lines are shuffled and divided by 'split'")
        }
        if value.format == .lines, value.lineEnd == .eos, let lineEnd = node.entry("line_end") {
            throw lineEnd.keyMark.error("'\(section).line_end' does not apply to 'format: lines'",
                                        hint: "each line is one example, framed by its boundary token")
        }
        try resolveAlternative(&value, node, section: section, "split", \.split, or: "files", \.files, purpose: "use files")
    }
}

extension SplitSpec: SpecSection {
    static var fields: [Field<SplitSpec>] {
        [
            .double("train", \.train, .closedFraction),
            .double("valid", \.valid, .closedFraction),
            .double("test", \.test, .closedFraction),
        ]
    }

    static func validate(_ value: inout SplitSpec, _ node: Node, section: String) throws(SpecError) {
        let total = value.train + value.valid + value.test
        // A little slack: 0.8 + 0.1 + 0.1 is 1.0000000000000002 in binary.
        if total > 1 + 1e-9 {
            throw node.mark.error("the fractions of '\(section)' sum to \(total) (train \(value.train) + valid "
                                  + "\(value.valid) + test \(value.test)), more than 1")
        }
        if value.train <= 0 { throw node.mark.error("'\(section).train' must be > 0") }
    }
}

extension DataFilesSpec: SpecSection {
    static var fields: [Field<DataFilesSpec>] {
        [.string("train", \.train), .string("valid", \.valid), .string("test", \.test)]
    }

    static func validate(_ value: inout DataFilesSpec, _ node: Node, section: String) throws(SpecError) {
        if node.entry("train") == nil { throw node.mark.error("missing required key 'train' in '\(section)'") }
    }
}
