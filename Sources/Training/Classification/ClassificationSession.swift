import Core
import Data
import Engine
import Foundation
import Planner
import Runs
import Spec
import Text

/// The classification task of a run: labelled texts in length buckets (one compiled program per
/// bucket shape, all over one arena), cross-entropy over the classes, and accuracy, macro-F1 and the
/// confusion matrix of each scored split; a report shows the first validation text's prediction.
final class ClassificationSession: TaskSession {
    let spec: ExperimentSpec
    let corpus: ClassificationCorpus
    let classificationPlan: ClassificationPlan
    let buckets: ClassificationBuckets
    /// The evaluation batches of valid and test, and where test's shapes start in the plan's.
    let evaluation: (valid: ClassificationBuckets?, test: ClassificationBuckets?, testOffset: Int)
    let training: BucketPrograms
    let evaluationPrograms: [Program]
    private(set) var latest: CheckpointStore.Latest?
    var randomState: SeededGenerator {
        get { training.randomState }
        set { training.randomState = newValue }
    }
    private var batches: [ClassificationBatch] = []
    /// The confusion matrix of each split's latest evaluation, for the summary.
    private var confusion: [String: ConfusionMatrix] = [:]

    var plan: any TrainingPlan { classificationPlan }
    var arena: ParameterArena { training.arena }
    var batchesPerEpoch: Int { buckets.batchesPerEpoch }
    var scoredSplits: [String] { ["valid", "test"] }
    var warnings: [String] { latest?.warnings ?? [] }

    convenience init(spec: ExperimentSpec, locator: DataLocator) throws {
        try self.init(spec, corpus: try ClassificationCorpus(spec, locator: locator))
    }

    convenience init(opening run: RunDirectory, spec: ExperimentSpec, locator: DataLocator,
                     checkpoint: CheckpointChoice = .latest) throws {
        let latest = try run.checkpoint(checkpoint)
        try self.init(spec, corpus: try ClassificationCorpus(spec, locator: locator, tokenizer: try TokenizerFile.load(from: run.tokenizerURL),
                                                             labels: try run.labels()))
        try arena.load(latest.checkpoint, path: latest.url.path)
        self.latest = latest
    }

    init(_ spec: ExperimentSpec, corpus: ClassificationCorpus) throws {
        (self.spec, self.corpus) = (spec, corpus)
        let train = spec.train
        let padding = corpus.tokenizer.paddingID ?? 0
        let bucketed = { (texts: [LabelledText], scoring: Bool) in
            try ClassificationBuckets(texts, count: spec.data.buckets, batchSize: train.batchSize, batchTokens: train.batchTokens,
                                      padding: padding, composition: spec.data.batching.composition, fitsSmallBuckets: scoring)
        }
        buckets = try bucketed(corpus.train, false)
        let scoring = { (texts: [LabelledText]) in texts.isEmpty ? nil : try bucketed(texts, true) }
        let (valid, test) = (try scoring(corpus.valid), try scoring(corpus.test))
        evaluation = (valid, test, valid?.shapes.count ?? 0)
        classificationPlan = try ClassificationPlan(spec, vocabularySize: corpus.tokenizer.vocabularySize,
                                                    classes: corpus.labels.count, shapes: buckets.shapes,
                                                    evaluationShapes: (valid?.shapes ?? []) + (test?.shapes ?? []))
        let threads = train.threadCount()
        let training = try BucketPrograms(classificationPlan.train.map { ($0.graph, $0.loss, $0.gradients) }, seed: spec.seed,
                                          threads: threads)
        self.training = training
        evaluationPrograms = try classificationPlan.eval.map { pass in
            try training.compileEvaluation(pass.graph, outputs: [pass.loss, pass.logits])
        }
    }

    func drawEpoch(using generator: inout SeededGenerator) -> Int {
        batches = buckets.epoch(using: &generator)
        return batches.count
    }

    func train(batch index: Int, state: inout [[Float]], lr: Float) throws -> (loss: Float, predictions: Int, share: Double) {
        let batch = batches[index]
        let loss = try training.run(bucket: batch.bucket) { try ClassificationPlan.run($0, batch, classificationPlan.train[batch.bucket]).loss }
        return (loss, batch.examples, 1)
    }

    /// The mean loss per text, accuracy and macro-F1 of valid or test (the whole split, or `eval.batches` of it).
    func evaluate(_ split: String) throws -> [String: Double]? {
        let (scoring, offset) = split == "valid" ? (evaluation.valid, 0)
            : split == "test" ? (evaluation.test, evaluation.testOffset) : (nil, 0)
        guard let scoring else { return nil }
        var (lossSum, matrix) = (0.0, ConfusionMatrix(classes: corpus.labels.count))
        for batch in scoring.ordered.prefix(spec.eval.batches ?? .max) {
            let bucket = offset + batch.bucket
            let scored = try ClassificationPlan.run(evaluationPrograms[bucket], batch, classificationPlan.eval[bucket], logits: true)
            lossSum += Double(scored.loss) * Double(batch.examples)
            for (row, logits) in scored.logits.prefix(batch.examples).enumerated() {
                matrix.add(gold: batch.labels[row], predicted: ClassificationPlan.best(logits).class)
            }
        }
        guard matrix.total > 0 else { return nil }
        confusion[split] = matrix
        let loss = lossSum / Double(matrix.total)
        return ["loss": loss, "ppl": Foundation.exp(loss), "accuracy": matrix.accuracy, "macro_f1": matrix.macroF1]
    }

    /// The first validation text, the predicted class with its probability, and the gold class.
    func sample(step: Int) throws -> String? {
        guard let first = corpus.valid.first, let batch = evaluation.valid?.batch(ofText: 0) else { return nil }
        let scored = try ClassificationPlan.run(evaluationPrograms[batch.bucket], batch, classificationPlan.eval[batch.bucket],
                                                logits: true)
        let best = ClassificationPlan.best(scored.logits[0])
        let frame = [corpus.tokenizer.bosID, corpus.tokenizer.eosID]
        return corpus.tokenizer.decode(first.tokens.filter { !frame.contains($0) }) + " → " + corpus.labels[best.class]
            + String(format: " (%.3f; gold %@)", best.probability, corpus.labels[first.label])
    }

    var overview: String {
        let shapes = classificationPlan.shapes.map(\.description).joined(separator: " ")
        return "\(spec.name): \(classificationPlan.summary), vocabulary \(corpus.tokenizer.vocabularySize), labels "
            + corpus.labels.joined(separator: ", ") + "; " + corpus.note + "\n"
            + "\(classificationPlan.shapes.count) training buckets (B, T), each compiled once: \(shapes); "
            + "\(classificationPlan.evaluationShapes.count) evaluation buckets (valid, test): "
            + classificationPlan.evaluationShapes.map(\.description).joined(separator: " ")
    }

    var dataNote: String? { corpus.note }

    var parameterSummary: String { classificationPlan.train[0].summary.text }

    func memorySummary(optimizerState: Int) -> String {
        training.memorySummary(shapes: classificationPlan.shapes.map(\.description), optimizerState: optimizerState)
    }

    func saveTokenizers(to run: RunDirectory) throws {
        try corpus.tokenizer.save(to: run.tokenizerURL)
        try atomicWrite(Data((corpus.labels.joined(separator: "\n") + "\n").utf8), to: run.labelsURL)
    }

    /// Each scored split's confusion matrix (rows gold, columns predicted, in the order of `labels`).
    var summaryExtras: [String: JSONValue] {
        guard !confusion.isEmpty else { return [:] }
        var matrices: [(key: String, value: JSONValue)] = [("labels", .array(corpus.labels.map { .string($0) }))]
        for split in ["valid", "test"] {
            guard let matrix = confusion[split] else { continue }
            matrices.append((split, .array(matrix.counts.map { .array($0.map { .int($0) }) })))
        }
        return ["confusion": .object(JSONObject(ordered: matrices))]
    }
}

extension ClassificationBuckets {
    /// The buckets' padded shapes, in order.
    var shapes: [ClassificationPlan.BucketShape] {
        buckets.map { ClassificationPlan.BucketShape(batchSize: $0.batchSize, length: $0.length) }
    }
}

extension ClassificationBuckets {
    /// A batch of the one text `index` (row 0) in its bucket's shape.
    func batch(ofText index: Int) -> ClassificationBatch? {
        guard let bucket = buckets.firstIndex(where: { $0.members.contains(index) }) else { return nil }
        return batch(of: [index], bucket: bucket)
    }
}

extension ClassificationPlan {
    /// The most probable class of a row of logits, and its probability (softmax).
    static func best(_ logits: [Float]) -> (class: Int, probability: Double) {
        let top = logits.indices.max { logits[$0] < logits[$1] } ?? 0
        let total = logits.reduce(0.0) { $0 + Foundation.exp(Double($1 - logits[top])) }
        return (top, 1 / total)
    }

    /// Runs a batch through `program` (compiled from `pass`): its mean loss and, when asked, its logits
    /// (B rows of K).
    static func run(_ program: Program, _ batch: ClassificationBatch, _ pass: Pass, logits: Bool = false) throws
        -> (loss: Float, logits: [[Float]]) {
        try program.setInput(tokens, batch.tokens.map(Float.init))
        try program.setInput(mask, batch.mask)
        try program.setInput(labels, batch.labels.map(Float.init))
        program.run()
        return (try program.scalar(pass.loss), logits ? try program.readRows(pass.logits, count: batch.batchSize) : [])
    }
}
