import Core
import Data
import Embeddings
import Engine
import Foundation
import Planner
import Runs
import Spec

/// The embeddings task of a run (DESIGN.md, "Tasks"): word2vec, fastText or GloVe over one corpus.
/// A step is one group of sentences (GloVe: of co-occurrence entries) learned in place at the step's
/// rate, prediction by prediction as the reference tools do; evaluation is word similarity and
/// analogies; a report shows the nearest neighbours of two probe words.
final class EmbeddingsSession: TaskSession {
    let spec: ExperimentSpec
    let corpus: EmbeddingsCorpus
    let model: WordVectorModel
    let arena: ParameterArena
    let embeddingsPlan: EmbeddingsPlan
    /// word2vec's and fastText's steps: groups of consecutive sentences.
    private let groups: [Range<Int>]
    /// GloVe's counts and the order of the epoch under way; empty for the others.
    private let cooccurrences: [Cooccurrences.Entry]
    private var order: [Int32] = []
    private let learner: Word2VecLearner?
    /// Where the draws of the epoch under way start: each step's come from it and the step's index,
    /// so a resumed run draws what the uninterrupted one did.
    private var epochSeed: UInt64 = 0
    private let threads: Int
    private let evaluation: EmbeddingsEvaluation
    private(set) var latest: CheckpointStore.Latest?
    /// Nothing here drops out; kept for the checkpoint's generator list.
    var randomState = SeededGenerator(seed: 0)

    var plan: any TrainingPlan { embeddingsPlan }
    var batchesPerEpoch: Int { model.model.kind == .glove ? cooccurrenceSteps : groups.count }
    var warnings: [String] { latest?.warnings ?? [] }
    var learnsInPlace: Bool { true }
    var scoredSplits: [String] { ["valid"] }
    private var cooccurrenceSteps: Int { (cooccurrences.count + model.model.batchWords - 1) / model.model.batchWords }

    convenience init(spec: ExperimentSpec, locator: DataLocator) throws {
        try self.init(spec, corpus: try EmbeddingsCorpus(spec, locator: locator), locator: locator)
    }

    convenience init(opening run: RunDirectory, spec: ExperimentSpec, locator: DataLocator,
                     checkpoint: CheckpointChoice = .latest) throws {
        let latest = try run.checkpoint(checkpoint)
        let vocabulary = try EmbeddingsEvaluation.vocabulary(of: run)
        try self.init(spec, corpus: try EmbeddingsCorpus(spec, locator: locator, vocabulary: vocabulary), locator: locator)
        try arena.load(latest.checkpoint, path: latest.url.path)
        self.latest = latest
    }

    init(_ spec: ExperimentSpec, corpus: EmbeddingsCorpus, locator: DataLocator) throws {
        (self.spec, self.corpus) = (spec, corpus)
        model = WordVectorModel(spec.model, vocabulary: corpus.vocabulary)
        arena = try model.arena(seed: spec.seed)
        embeddingsPlan = EmbeddingsPlan(spec)
        // One thread unless asked: more share the tables without locks and give up bit-reproducibility.
        threads = spec.train.threads ?? 1
        evaluation = try EmbeddingsEvaluation(spec.eval, locator: locator)
        let kind = spec.model
        if kind.kind == .glove {
            (groups, learner) = ([], nil)
            cooccurrences = Cooccurrences(corpus.sentences, vocabularySize: corpus.vocabulary.count, window: kind.window).entries
            guard !cooccurrences.isEmpty else { throw EmbeddingsError.noCooccurrences(window: kind.window) }
        } else {
            (groups, cooccurrences) = (corpus.groups(of: kind.batchWords), [])
            learner = Word2VecLearner(architecture: kind.architecture == .cbow ? .cbow : .skipGram, window: kind.window,
                                      dimensions: kind.dimensions, output: model.outputLayer, subwords: model.subwords,
                                      keepProbabilities: corpus.vocabulary.keepProbabilities(sample: kind.subsample))
        }
    }

    func drawEpoch(using generator: inout SeededGenerator) -> Int {
        epochSeed = generator.next()
        if !cooccurrences.isEmpty {
            // GloVe visits its entries in a fresh random order every epoch.
            var order = (0..<Int32(cooccurrences.count)).map { $0 }
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
            self.order = order
        }
        return batchesPerEpoch
    }

    func train(batch index: Int, state: inout [[Float]], lr: Float) throws -> (loss: Float, predictions: Int, share: Double) {
        let seed = epochSeed ^ (UInt64(index + 1) &* 0x9E37_79B9_7F4A_7C15)
        guard let learner else {
            let (loss, predictions) = try trainGloVe(batch: index, lr: lr)
            return (loss, predictions, 1)
        }
        let (input, output) = (try arena.storage(WordVectorModel.inputKey), try arena.storage(WordVectorModel.outputKey))
        let sentences = corpus.sentences[groups[index]]
        let pass = HogwildPass.run(learner, sentences, threads: threads, seed: seed, input: input, output: output, alpha: lr)
        return (Float(pass.loss / Double(max(1, pass.predictions))), pass.words, 1)
    }

    private func trainGloVe(batch index: Int, lr: Float) throws -> (loss: Float, predictions: Int) {
        let m = spec.model
        let glove = GloVeLearner(dimensions: m.dimensions, xMax: Float(m.xMax), power: Float(m.weightingPower), rate: lr)
        let slice = order[index * m.batchWords..<min(order.count, (index + 1) * m.batchWords)]
        let cost = glove.train(slice.lazy.map { self.cooccurrences[Int($0)] },
                               words: try arena.storage(WordVectorModel.wordsKey),
                               contexts: try arena.storage(WordVectorModel.contextsKey),
                               wordSums: try arena.storage(WordVectorModel.wordSumsKey),
                               contextSums: try arena.storage(WordVectorModel.contextSumsKey))
        return (Float(cost / Double(max(1, slice.count))), slice.count)
    }

    /// The word-similarity and analogy scores of the vectors as they are; only at "valid" (the
    /// evaluation sets are not splits of the corpus, so there is no separate test).
    func evaluate(_ split: String) throws -> [String: Double]? {
        guard scoredSplits.contains(split) else { return nil }
        return evaluation.metrics(try model.vectors(arena))
    }

    /// The nearest neighbours of the 20th and the 200th most frequent word.
    func sample(step: Int) throws -> String? {
        let vectors = try model.vectors(arena)
        return [19, 199].filter { $0 < vectors.words.count }.map { rank in
            let word = vectors.words[rank]
            let neighbours = (try? vectors.similar(to: word, count: 5)) ?? []
            return "\(word) → " + neighbours.map { $0.word }.joined(separator: " ")
        }.joined(separator: "; ")
    }

    var overview: String { "\(spec.name): \(model.summary)\n" + dataSummary }

    var dataNote: String? { dataSummary }

    private var dataSummary: String {
        let corpus = self.corpus
        let steps = model.model.kind == .glove
            ? "\(cooccurrences.count) co-occurrence entries, \(batchesPerEpoch) steps of ≤ \(model.model.batchWords) per epoch"
            : "\(batchesPerEpoch) steps of ≥ \(model.model.batchWords) words per epoch"
        return "vocabulary \(corpus.vocabulary.count) words (min_count \(model.model.minCount)) of \(corpus.rawWords) words "
            + "in \(corpus.rawSentences) sentences; \(corpus.trainingWords) training words per epoch; \(steps)"
    }

    var parameterSummary: String {
        let rows = arena.checkpointLayout.slots.map { slot in
            "  \(slot.key.padding(toLength: 26, withPad: " ", startingAt: 0)) \(slot.shape)  \(slot.count)"
        }
        return (["parameters (learned in place: a step reads and writes only the rows of the words it sees)"] + rows)
            .joined(separator: "\n")
    }

    func memorySummary(optimizerState: Int) -> String {
        [ParameterArena.memoryLine("parameters", floats: arena.layout.count), "gradients        none: the tables learn in place",
         ParameterArena.memoryLine("buffers", floats: arena.bufferLayout.count)].joined(separator: "\n")
    }

    func saveTokenizers(to run: RunDirectory) throws {
        try atomicWrite(Data(corpus.vocabulary.tsv.utf8), to: run.vocabularyURL)
    }
}

/// word2vec's training plan: SGD at a rate falling in a straight line from `alpha` to `min_alpha`
/// over the run (GloVe's: AdaGrad at a constant `alpha`), which the shared recipe turns into each step's rate.
struct EmbeddingsPlan: TrainingPlan {
    let training: TrainSpec
    let modelWidth: Int
    var fitsByCounting: Bool { false }

    init(_ spec: ExperimentSpec) {
        var training = spec.train
        training.optimizer = OptimizerSpec()
        training.optimizer.lr = spec.model.startingAlpha
        training.schedule = ScheduleSpec()
        if spec.model.kind != .glove {
            training.schedule.kind = .linear
            training.schedule.minLR = spec.model.minAlpha
        }
        training.batchSize = 1
        training.gradAccumSteps = 1
        training.clipGradNorm = nil
        (self.training, modelWidth) = (training, spec.model.dimensions)
    }
}
