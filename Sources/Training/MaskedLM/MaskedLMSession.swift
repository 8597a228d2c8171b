import Core
import Data
import Engine
import Foundation
import Planner
import Runs
import Spec
import Text

/// The masked_lm task of a run: BERT's pretraining. Each epoch draws its sentence pairs and their
/// masks afresh with the run's generator (so a resumed run draws what the uninterrupted one did);
/// validation and test pairs are drawn once, with a generator of their own, so every report scores
/// the same pairs. Reports the masked-LM and next-sentence losses and accuracies.
final class MaskedLMSession: TaskSession {
    let spec: ExperimentSpec
    let tokenizer: any Tokenizer
    let recipe: PairRecipe
    let maskedPlan: MaskedLMPlan
    let program: Program
    let evaluationProgram: Program
    /// The training documents, and the fixed pairs of valid and test.
    let documents: Documents
    let scored: [String: [MaskedPair]]
    private(set) var latest: CheckpointStore.Latest?
    var randomState: SeededGenerator
    private var pairs: [MaskedPair] = []
    /// Pairs an epoch draws: one for every sentence that has a next one in its document.
    let pairsPerEpoch: Int

    var plan: any TrainingPlan { maskedPlan }
    var arena: ParameterArena { program.arena }
    var batchesPerEpoch: Int { (pairsPerEpoch + maskedPlan.batchSize - 1) / maskedPlan.batchSize }
    var scoredSplits: [String] { ["valid", "test"] }
    var warnings: [String] { latest?.warnings ?? [] }

    convenience init(spec: ExperimentSpec, locator: DataLocator) throws {
        try self.init(spec, locator: locator, tokenizer: nil)
    }

    convenience init(opening run: RunDirectory, spec: ExperimentSpec, locator: DataLocator,
                     checkpoint: CheckpointChoice = .latest) throws {
        let latest = try run.checkpoint(checkpoint)
        try self.init(spec, locator: locator, tokenizer: try TokenizerFile.load(from: run.tokenizerURL))
        try arena.load(latest.checkpoint, path: latest.url.path)
        self.latest = latest
    }

    init(_ spec: ExperimentSpec, locator: DataLocator, tokenizer given: (any Tokenizer)?) throws {
        self.spec = spec
        let files = spec.data.files ?? {
            var files = DataFilesSpec()
            files.train = spec.data.corpus
            return files
        }()
        let trainingText = try locator.text(of: files.train)
        // Before a tokenizer is trained on it: an empty file would be blamed on the vocabulary's size.
        guard !trainingText.isBlank else {
            throw DataError.invalidOption("the training file \(files.train) has no text")
        }
        let tokenizer = try given ?? LanguageModelCorpus.tokenizer(spec.tokenizer, training: trainingText, locator: locator)
        self.tokenizer = tokenizer
        guard let padding = tokenizer.paddingID, let cls = tokenizer.bosID, let sep = tokenizer.eosID,
              let mask = tokenizer.id(for: "[MASK]") else {
            throw DataError.invalidOption("masked_lm needs a tokenizer with [PAD], [CLS], [SEP] and [MASK]: use kind: "
                + "wordpiece (its special tokens are those) or list them in tokenizer.special_tokens")
        }
        let specials = Set([padding, cls, sep, mask] + [tokenizer.unknownID])
        guard tokenizer.vocabularySize > specials.count else {
            throw DataError.invalidOption("the tokenizer has no token but its special ones to mask with; raise tokenizer.vocab_size")
        }
        var recipe = PairRecipe(length: spec.train.seqLen, cls: cls, sep: sep, mask: mask, specials: specials,
                                vocabularySize: tokenizer.vocabularySize)
        recipe.selected = Float(spec.data.maskRate)
        // The plan checks the sizes (seq_len fits a pair and the positions) before any pair is drawn.
        maskedPlan = try MaskedLMPlan(spec, vocabularySize: tokenizer.vocabularySize,
                                      capacity: recipe.capacity(batchSize: spec.train.batchSize))
        self.recipe = recipe
        documents = Documents(text: trainingText, encode: tokenizer.encode)
        pairsPerEpoch = documents.documents.reduce(0) { $0 + max(0, $1.count - 1) }
        guard pairsPerEpoch > 0 else {
            throw DataError.invalidOption("the training file \(files.train) has no document of two sentences or more, so no "
                + "sentence pair")
        }
        // Scored pairs come from a generator of their own: the same pairs at every report and in every run of the spec.
        var scoring = SeededGenerator(seed: UInt64(truncatingIfNeeded: spec.seed) ^ 0x5EED_0F_5C0E)
        var scored: [String: [MaskedPair]] = [:]
        for (split, reference) in [("valid", files.valid), ("test", files.test)] {
            guard let reference else { continue }
            let pairs = recipe.pairs(Documents(text: try locator.text(of: reference), encode: tokenizer.encode), using: &scoring)
            // A file named for a split that gives no pair is a mistake: the split's metrics would never appear.
            guard !pairs.isEmpty else {
                throw DataError.invalidOption("the \(split) file \(reference) has no document of two sentences or more, "
                    + "so no sentence pair to score")
            }
            scored[split] = pairs
        }
        self.scored = scored
        let threads = spec.train.threadCount()
        let pass = maskedPlan.train
        program = try Engine.compile(pass.graph, outputs: [pass.loss, pass.maskedLMLoss, pass.nextSentenceLoss],
                                     gradients: pass.gradients, seed: UInt64(truncatingIfNeeded: spec.seed), threads: threads)
        let eval = maskedPlan.eval
        evaluationProgram = try Engine.compile(eval.graph, outputs: [eval.maskedLMLoss, eval.nextSentenceLoss,
                                                                     eval.maskedLMPredictions, eval.nextSentencePredictions],
                                               arena: program.arena, threads: threads)
        randomState = program.randomState
    }

    func drawEpoch(using generator: inout SeededGenerator) -> Int {
        pairs = recipe.pairs(documents, using: &generator)
        return batchesPerEpoch
    }

    private func batch(_ pairs: [MaskedPair], _ index: Int) -> MaskedPairBatch {
        let size = maskedPlan.batchSize
        let start = index * size
        return MaskedPairBatch(pairs[start..<min(start + size, pairs.count)], batchSize: size, padding: tokenizer.paddingID ?? 0,
                               recipe: recipe)
    }

    private func setInputs(_ program: Program, _ batch: MaskedPairBatch) throws {
        try program.setInput(MaskedLMPlan.tokens, batch.tokens.map(Float.init))
        try program.setInput(MaskedLMPlan.segments, batch.segments.map(Float.init))
        try program.setInput(MaskedLMPlan.mask, batch.mask)
        try program.setInput(MaskedLMPlan.positions, batch.positions.map(Float.init))
        try program.setInput(MaskedLMPlan.labels, batch.labels.map(Float.init))
        try program.setInput(MaskedLMPlan.nextSentence, batch.nextSentenceLabels.map(Float.init))
    }

    func train(batch index: Int, state: inout [[Float]], lr: Float) throws -> (loss: Float, predictions: Int, share: Double) {
        let batch = self.batch(pairs, index)
        try setInputs(program, batch)
        program.randomState = randomState
        program.run()
        randomState = program.randomState
        return (try program.scalar(maskedPlan.train.loss), batch.selected, 1)
    }

    /// The masked-LM loss and top-1 accuracy over the selected positions, the next-sentence loss and
    /// accuracy over the pairs, and their summed loss (the training objective) as `loss`.
    func evaluate(_ split: String) throws -> [String: Double]? {
        guard let pairs = scored[split], !pairs.isEmpty else { return nil }
        let eval = maskedPlan.eval
        var (mlmLoss, nspLoss, mlmRight, nspRight, selected, counted) = (0.0, 0.0, 0, 0, 0, 0)
        let batches = (pairs.count + maskedPlan.batchSize - 1) / maskedPlan.batchSize
        for index in 0..<min(batches, spec.eval.batches ?? .max) {
            let batch = self.batch(pairs, index)
            try setInputs(evaluationProgram, batch)
            evaluationProgram.run()
            mlmLoss += Double(try evaluationProgram.scalar(eval.maskedLMLoss)) * Double(batch.selected)
            nspLoss += Double(try evaluationProgram.scalar(eval.nextSentenceLoss)) * Double(batch.pairs)
            let words = try evaluationProgram.read(eval.maskedLMPredictions)
            for (predicted, label) in zip(words, batch.labels) where label != MaskedPair.ignored {
                mlmRight += Int(predicted) == label ? 1 : 0
            }
            let next = try evaluationProgram.read(eval.nextSentencePredictions)
            for row in 0..<batch.pairs where Int(next[row]) == batch.nextSentenceLabels[row] { nspRight += 1 }
            (selected, counted) = (selected + batch.selected, counted + batch.pairs)
        }
        guard selected > 0, counted > 0 else { return nil }
        let (mlm, nsp) = (mlmLoss / Double(selected), nspLoss / Double(counted))
        return ["loss": mlm + nsp, "ppl": Foundation.exp(mlm + nsp), "mlm_loss": mlm, "mlm_ppl": Foundation.exp(mlm),
                "mlm_accuracy": Double(mlmRight) / Double(selected), "nsp_loss": nsp,
                "nsp_accuracy": Double(nspRight) / Double(counted)]
    }

    func sample(step: Int) throws -> String? { nil }

    var overview: String {
        "\(spec.name): \(maskedPlan.summary), vocabulary \(tokenizer.vocabularySize); " + (dataNote ?? "")
    }

    var dataNote: String? {
        "train \(documents.documents.count) documents, \(documents.sentenceCount) sentences, \(pairsPerEpoch) pairs an epoch"
            + ["valid", "test"].compactMap { split in scored[split].map { "; \(split) \($0.count) pairs" } }.joined()
    }

    var parameterSummary: String { maskedPlan.train.summary.text }

    func memorySummary(optimizerState: Int) -> String { program.memorySummary(optimizerState: optimizerState) }

    func saveTokenizers(to run: RunDirectory) throws { try tokenizer.save(to: run.tokenizerURL) }
}
