import Core
import Data
import Engine
import Foundation
import Planner
import Runs
import Spec
import Text
import Translation

/// The translation task of a run: sentence pairs in length buckets (one compiled program per bucket
/// shape, all over one arena), cross-entropy over the target tokens with padding ignored, teacher-
/// forced loss and perplexity, BLEU of the decoded translations, and a translation at every report.
final class TranslationSession: TaskSession {
    let spec: ExperimentSpec
    let corpus: TranslationCorpus
    let translationPlan: TranslationPlan
    let buckets: TranslationBuckets
    /// The evaluation batches of valid and test, and where each split's shapes start in the plan's.
    let evaluation: (valid: TranslationBuckets?, test: TranslationBuckets?, testOffset: Int)
    let training: BucketPrograms
    let evaluationPrograms: [Program]
    /// The free-running evaluation programs, one per evaluation shape (none without `free_running`).
    let freeRunningPrograms: [Program]
    private(set) var latest: CheckpointStore.Latest?
    var randomState: SeededGenerator {
        get { training.randomState }
        set { training.randomState = newValue }
    }
    private var batches: [TranslationBatch] = []
    /// Decodes for BLEU and samples as `eval.decode` says; built once, so its programs are compiled once.
    private lazy var translator = Translator(plan: translationPlan, arena: arena,
                                             decoder: Decoder(spec.eval.decode, tokens: corpus.tokens),
                                             sourceEOS: corpus.tokens.sourceEOS, threads: threads)
    /// The threads the run's programs split large GEMMs over.
    let threads: Int

    var plan: any TrainingPlan { translationPlan }
    var arena: ParameterArena { training.arena }
    var batchesPerEpoch: Int { buckets.batchesPerEpoch }
    /// Training pairs are bucketed for training alone (no evaluation programs are compiled for their
    /// shapes); the training loss is in metrics.jsonl.
    var scoredSplits: [String] { ["valid", "test"] }
    var warnings: [String] { latest?.warnings ?? [] }

    convenience init(spec: ExperimentSpec, locator: DataLocator) throws {
        try self.init(spec, corpus: try TranslationCorpus(spec, locator: locator))
    }

    convenience init(opening run: RunDirectory, spec: ExperimentSpec, locator: DataLocator,
                     checkpoint: CheckpointChoice = .latest) throws {
        let latest = try run.checkpoint(checkpoint)
        try self.init(spec, corpus: try TranslationCorpus(spec, locator: locator, tokenizers: try run.translationTokenizers()))
        try arena.load(latest.checkpoint, path: latest.url.path)
        self.latest = latest
    }

    init(_ spec: ExperimentSpec, corpus: TranslationCorpus) throws {
        self.spec = spec
        self.corpus = corpus
        let train = spec.train
        let bucketed = { (pairs: [TranslationPair], scoring: Bool) in
            try TranslationBuckets(pairs, count: spec.data.buckets, batchSize: train.batchSize, batchTokens: train.batchTokens,
                                   tokens: corpus.tokens, composition: spec.data.batching.composition,
                                   readsPadding: spec.data.padding == .read, fitsSmallBuckets: scoring)
        }
        buckets = try bucketed(corpus.train, false)
        let scoring = { (pairs: [TranslationPair]) in pairs.isEmpty ? nil : try bucketed(pairs, true) }
        let (valid, test) = (try scoring(corpus.valid), try scoring(corpus.test))
        let shapes = { (buckets: TranslationBuckets?) in
            (buckets?.buckets ?? []).map {
                TranslationPlan.BucketShape(batchSize: $0.batchSize, sourceLength: $0.sourceLength, targetLength: $0.targetLength)
            }
        }
        evaluation = (valid, test, shapes(valid).count)
        translationPlan = try TranslationPlan(spec, sourceVocabularySize: corpus.source.vocabularySize,
                                              targetVocabularySize: corpus.target.vocabularySize, shapes: shapes(buckets),
                                              evaluationShapes: shapes(valid) + shapes(test))
        let threads = train.threadCount()
        self.threads = threads
        let training = try BucketPrograms(translationPlan.train.map { ($0.graph, $0.loss, $0.gradients) }, seed: spec.seed,
                                          threads: threads)
        self.training = training
        let compile = { (pass: TranslationPlan.Pass) in try training.compileEvaluation(pass.graph, outputs: [pass.loss]) }
        evaluationPrograms = try translationPlan.eval.map(compile)
        freeRunningPrograms = try translationPlan.freeRunning.map(compile)
    }

    func drawEpoch(using generator: inout SeededGenerator) -> Int {
        batches = buckets.epoch(using: &generator)
        return batches.count
    }

    func train(batch index: Int, state: inout [[Float]], lr: Float) throws -> (loss: Float, predictions: Int, share: Double) {
        let batch = batches[index]
        let loss = try training.run(bucket: batch.bucket) { try run($0, batch, translationPlan.train[batch.bucket]) }
        return (loss, batch.predictions, 1)
    }

    private func run(_ program: Program, _ batch: TranslationBatch, _ pass: TranslationPlan.Pass) throws -> Float {
        try program.setInput(TranslationPlan.source, batch.source.map(Float.init))
        try program.setInput(TranslationPlan.mask, batch.sourceMask)
        try program.setInput(TranslationPlan.inputs, batch.decoderInputs.map(Float.init))
        try program.setInput(TranslationPlan.targets, batch.targets.map(Float.init))
        program.run()
        return try program.scalar(pass.loss)
    }

    /// Teacher-forced loss per target token and its perplexity; with the spec's metrics asking for them,
    /// the free-running loss and perplexity and the BLEU of the decoded split.
    func evaluate(_ split: String) throws -> [String: Double]? {
        let (scoring, offset, pairs, references) = split == "valid"
            ? (evaluation.valid, 0, corpus.valid, corpus.references.valid)
            : split == "test" ? (evaluation.test, evaluation.testOffset, corpus.test, corpus.references.test) : (nil, 0, [], [])
        guard let scoring else { return nil }
        let batches = scoring.ordered.prefix(spec.eval.batches ?? .max)
        let predictions = batches.reduce(0) { $0 + $1.predictions }
        guard predictions > 0 else { return nil }
        // The mean loss per target token of the programs `programs` (one per evaluation shape).
        let loss = { (programs: [Program], passes: [TranslationPlan.Pass]) throws -> Double in
            try batches.reduce(0.0) { total, batch in
                let bucket = offset + batch.bucket
                return total + Double(try self.run(programs[bucket], batch, passes[bucket])) * Double(batch.predictions)
            } / Double(predictions)
        }
        let forced = try loss(evaluationPrograms, translationPlan.eval)
        var metrics = ["loss": forced, "ppl": Foundation.exp(forced)]
        if !freeRunningPrograms.isEmpty {
            let free = try loss(freeRunningPrograms, translationPlan.freeRunning)
            (metrics["free_loss"], metrics["free_ppl"]) = (free, Foundation.exp(free))
        }
        if spec.eval.metrics.contains(.bleu) {
            let hypotheses = try translate(pairs.map(\.source))
            let tokenization: BLEU.Tokenization = spec.eval.bleuTokenize == .none ? .none : .mteval13a
            metrics["bleu"] = BLEU(tokenization: tokenization, lowercase: spec.tokenizers.target.lowercase)
                .corpus(hypotheses: hypotheses, references: references).score
        }
        return metrics
    }

    /// The best translation of each source, decoded as `eval.decode` says and detokenised.
    func translate(_ sources: [[Int]]) throws -> [String] {
        try translator.translate(sources).map { corpus.target.decode($0.first?.tokens ?? []) }
    }

    /// The first validation sentence and its translation.
    func sample(step: Int) throws -> String? {
        guard let pair = corpus.valid.first else { return nil }
        return corpus.sourceText(of: pair) + " → " + (try translate([pair.source]).first ?? "")
    }

    var overview: String {
        let (model, shapes) = (translationPlan.model.summary, translationPlan.shapes)
        let shapeList = shapes.map(\.description).joined(separator: " ")
        let batches = spec.data.batching == .random
            ? "; batches of \(spec.train.batchSize) random pairs (in file order for evaluation), each in the smallest shape "
                + "that holds it" : ""
        let padding = spec.data.padding == .read ? "; the encoder reads each batch's padding up to its longest source" : ""
        return "\(spec.name): \(model), vocabularies \(corpus.source.vocabularySize) → \(corpus.target.vocabularySize), "
            + dataSummary + "\n"
            + "\(shapes.count) training buckets (B, S, T), each compiled once: \(shapeList); "
            + "\(translationPlan.evaluationShapes.count) evaluation buckets (valid, test): "
            + translationPlan.evaluationShapes.map(\.description).joined(separator: " ") + batches + padding
    }

    var dataNote: String? { dataSummary }

    /// The pairs of each split, and those left out of training and why.
    private var dataSummary: String {
        "train pairs \(corpus.train.count) (\(corpus.tooLong) over data.max_length left out, \(corpus.empty) with an empty "
            + "side dropped), valid \(corpus.valid.count), test \(corpus.test.count)"
    }

    var parameterSummary: String {
        translationPlan.train[0].summary.text
    }

    func memorySummary(optimizerState: Int) -> String {
        training.memorySummary(shapes: translationPlan.shapes.map(\.description), optimizerState: optimizerState)
    }

    func saveTokenizers(to run: RunDirectory) throws {
        try corpus.source.save(to: run.tokenizerURL(side: "source"))
        try corpus.target.save(to: run.tokenizerURL(side: "target"))
    }
}

extension Decoder {
    /// The decoder `decoding` describes, over the target's special tokens.
    init(_ decoding: DecodeSpec, tokens: TranslationTokens, nBest: Int = 1) {
        self.init(beam: decoding.beam, lengthPenalty: decoding.lenpen, maxLengthA: decoding.maxLenA,
                  maxLengthB: decoding.maxLenB, nBest: nBest, bos: tokens.bos, eos: tokens.eos, padding: tokens.padding)
    }
}
