import Core
import Data
import Embeddings
import Foundation
import Runs
import Spec
@testable import Training
import XCTest

/// The embeddings task through the shared Trainer: a corpus with planted topics, evaluation files of
/// its own words, the run directory (vocabulary.tsv, no gradients), a resume that continues bit for
/// bit with one thread, and the inputs it refuses.
final class EmbeddingsTrainingTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("embeddings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Three topics of six words; a sentence draws from one topic. Pairs of a topic are similar.
        var random = WordRandom(seed: 5)
        let topics = (0..<3).map { topic in (0..<6).map { "w\(topic)\($0)" } }
        let lines = (0..<3_000).map { _ in
            let topic = topics[random.next(below: 3)]
            return (0..<7).map { _ in topic[random.next(below: 6)] }.joined(separator: " ")
        }
        try (lines.joined(separator: "\r\n") + "\n").write(to: directory.appendingPathComponent("corpus.txt"), atomically: true,
                                                            encoding: .utf8)
        // Similar pairs score 9, the others 1: a model that ranks the two kinds apart scores ρ = 0.894
        // whatever the order within each kind.
        try "# pairs\nw00\tw01\t9\nw00\tw10\t1\nw11\tw12\t9\nw20\tw02\t1\nw21\tunseen\t5\n"
            .write(to: directory.appendingPathComponent("pairs.tsv"), atomically: true, encoding: .utf8)
        try ": topics\nw00 w01 w10 w11\nw10 w12 w20 w22\n"
            .write(to: directory.appendingPathComponent("questions.txt"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func spec(_ model: String = "{kind: word2vec, dimensions: 16, window: 3, min_count: 1, batch_words: 2000}",
                      _ overrides: [String] = []) throws -> ExperimentSpec {
        let files = directory.path
        return try ExperimentSpec.parse("""
            name: topics
            data: {corpus: "\(files)/corpus.txt"}
            model: \(model)
            train: {epochs: 3, threads: 1}
            eval: {every_epochs: 1, word_pairs: ["\(files)/pairs.tsv"], analogies: "\(files)/questions.txt"}
            """, path: "topics.yaml", overrides: overrides)
    }

    private func train(_ spec: ExperimentSpec, name: String) throws -> (RunDirectory, [String: JSONValue]) {
        let run = try RunDirectory.create(runsDirectory: directory.appendingPathComponent("runs"), name: name)
        return (run, try Trainer(spec: spec, run: run, locator: .forCurrentProcess(dataDirectory: nil), echo: false).fit())
    }

    func testEveryKindLearnsThePlantedTopics() throws {
        let kinds = ["{kind: word2vec, dimensions: 16, window: 3, min_count: 1, batch_words: 2000}",
                     "{kind: word2vec, architecture: cbow, dimensions: 16, window: 3, min_count: 1, batch_words: 2000}",
                     "{kind: word2vec, loss: hierarchical_softmax, dimensions: 16, window: 3, min_count: 1, batch_words: 2000}",
                     "{kind: fasttext, dimensions: 16, window: 3, min_count: 1, buckets: 1000, batch_words: 2000}",
                     "{kind: glove, dimensions: 16, window: 3, min_count: 1, batch_words: 100}"]
        // The first kind again on two threads (Hogwild): not bit-reproducible, but it learns the same.
        for (index, model) in (kinds + [kinds[0]]).enumerated() {
            let threads = index == kinds.count ? ["train.threads=2"] : []
            let spec = try spec(model, (model.contains("glove") ? ["train.epochs=30", "eval.every_epochs=30"] : []) + threads)
            let (run, summary) = try train(spec, name: "kind\(index)")
            guard case .double(let rho)? = summary["valid.pairs"], case .double(let oov)? = summary["valid.pairs.oov"] else {
                return XCTFail("\(model): \(summary)")
            }
            XCTAssertEqual(rho, 0.8944271909999159, accuracy: 1e-9, model)
            XCTAssertEqual(oov, 20, "one pair of five has an unseen word")
            XCTAssertTrue(FileManager.default.fileExists(atPath: run.vocabularyURL.path))
            let vectors = try WordVectorRun(run, command: "similar").vectors
            let neighbours = try vectors.similar(to: "w00", count: 5).map(\.word)
            XCTAssertEqual(Set(neighbours), Set((1..<6).map { "w0\($0)" }), "\(model): \(neighbours)")
        }
    }

    /// 3 epochs straight against 3 whose last are redone from a checkpoint in the middle of the second.
    func testResumeIsBitForBitWithOneThread() throws {
        for model in ["{kind: word2vec, dimensions: 16, window: 3, min_count: 1, batch_words: 2000}",
                      "{kind: glove, dimensions: 8, window: 3, min_count: 1, batch_words: 50}"] {
            let base = try spec(model)
            let steps = try TaskRegistry.newSession(base, locator: .forCurrentProcess(dataDirectory: nil)).session.batchesPerEpoch * 3
            let middle = steps / 2 + 1
            let spec = try self.spec(model, ["checkpoint.every_steps=\(middle)"])
            let (straight, _) = try train(spec, name: "straight")
            let (resumed, _) = try train(spec, name: "resumed")
            try FileManager.default.removeItem(at: resumed.checkpoints.url(step: steps))
            let trainer = try Trainer.resume(resumed, locator: .forCurrentProcess(dataDirectory: nil), echo: false)
            XCTAssertEqual(trainer.step, middle)
            try trainer.fit()
            XCTAssertEqual(try Checkpoint.read(from: resumed.checkpoints.url(step: steps)).values,
                           try Checkpoint.read(from: straight.checkpoints.url(step: steps)).values, model)
            try FileManager.default.removeItem(at: straight.url)
            try FileManager.default.removeItem(at: resumed.url)
        }
    }

    /// A line longer than word2vec's 10,000-word sentences is cut into such sentences, every word kept
    /// (as word2vec.c and gensim's LineSentence read text8's one line), and the data note counts them all.
    func testALongLineIsCutIntoSentencesNotTruncated() throws {
        let words = (0..<25_000).map { "w\($0 % 7)" }.joined(separator: " ")
        try (words + "\nw1 w2\n").write(to: directory.appendingPathComponent("corpus.txt"), atomically: true, encoding: .utf8)
        let corpus = try EmbeddingsCorpus(try spec("{kind: word2vec, min_count: 1}"), locator: .forCurrentProcess(dataDirectory: nil))
        XCTAssertEqual(corpus.sentences.map(\.count), [10_000, 10_000, 5_000, 2])
        XCTAssertEqual(corpus.trainingWords, 25_002)
        XCTAssertEqual(corpus.rawSentences, 2)
    }

    func testRefusals() throws {
        let locator = DataLocator.forCurrentProcess(dataDirectory: nil)
        let refusedSpecs: [(model: String, overrides: [String], message: String)] = [
            ("{kind: word2vec, window: 0}", [], "'model.window' must be between 1 and 1024, found 0"),
            ("{kind: word2vec, negatives: 0}", [], "'model.negatives' is 0, but negative sampling needs noise words"),
            ("{kind: fasttext, min_n: 5, max_n: 4}", [], "'model.min_n' (5) is larger than 'max_n' (4)"),
            ("{kind: word2vec, alpha: 0.01, min_alpha: 0.1}", [], "'model.min_alpha' (0.1) is above the starting rate"),
            ("{kind: word2vec, cell: lstm}", [], "'model.cell' does not apply to model kind 'word2vec'"),
            ("{kind: word2vec}", ["train.optimizer.lr=0.3"], "'train.optimizer' does not apply to task embeddings"),
            ("{kind: word2vec}", ["tokenizer.kind=word"], "task embeddings splits its corpus into words at whitespace"),
            ("{kind: word2vec}", ["data.split={train: 0.8, valid: 0.2}"], "'data.split' does not apply to task embeddings"),
            ("{kind: gpt}", ["data.lowercase=true"], "'data.lowercase' applies to task embeddings, not language_model"),
        ]
        for (model, overrides, message) in refusedSpecs {
            XCTAssertThrowsError(try spec(model, overrides), model) { error in
                XCTAssertTrue((error as? SpecError)?.rendered.contains(message) ?? false, "\(model): \(error)")
            }
        }
        XCTAssertThrowsError(try TaskRegistry.newSession(try spec("{kind: word2vec, min_count: 100000}"), locator: locator)) {
            XCTAssertEqual($0 as? EmbeddingsError, .tooFewWords(corpus: "\(directory.path)/corpus.txt", found: 0, minCount: 100_000,
                                                                  words: 21_000))
        }
        try "# pairs\nw00 w01 9\n".write(to: directory.appendingPathComponent("pairs.tsv"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TaskRegistry.newSession(try spec(), locator: locator)) {
            XCTAssertEqual("\($0)", "\(directory.path)/pairs.tsv:2: expected two words and a score, separated by tabs")
        }
    }
}
