import Foundation
import XCTest

/// A word-vector run trained through the binary, then `runner check`, `similar`, `analogy`, `export`
/// and `eval`, and what they refuse.
extension RunnerTests {
    func testWordVectorsThroughTheBinary() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vectors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Two topics: animals and vehicles; a sentence draws from one.
        let topics = [["cat", "dog", "horse", "cow"], ["car", "bus", "truck", "train"]]
        var state: UInt64 = 9
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        let lines = (0..<1_500).map { _ in
            let topic = topics[next(2)]
            return (0..<6).map { _ in topic[next(4)].uppercased() }.joined(separator: " ")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("corpus.txt"), atomically: true,
                                                          encoding: .utf8)
        try "cat\tdog\t9\ncat\tcar\t1\nbus\ttruck\t8\n".write(to: directory.appendingPathComponent("pairs.tsv"), atomically: true,
                                                              encoding: .utf8)
        let spec = directory.appendingPathComponent("vectors.yaml")
        try """
            name: vectors
            data: {corpus: "\(directory.path)/corpus.txt", lowercase: true}
            model: {kind: word2vec, dimensions: 12, window: 2, min_count: 1, batch_words: 1000}
            train: {epochs: 3, threads: 1}
            eval: {every_epochs: 3, word_pairs: ["\(directory.path)/pairs.tsv"], analogies: null}
            """.write(to: spec, atomically: true, encoding: .utf8)
        let (checked, plan, checkError) = try run(["check", spec.path])
        XCTAssertEqual(checked, 0, checkError)
        XCTAssertTrue(plan.contains("vocabulary 8 words (min_count 1) of 9000 words in 1500 sentences"), plan)
        XCTAssertTrue(plan.contains("sgd lr 0.025; linear to 0.0001"), plan)
        // The best checkpoint is chosen by a score of the evaluation files: their stems name them.
        XCTAssertEqual(try run(["check", spec.path, "--set", "checkpoint.best_by=valid.pairs"]).0, 0)
        let (noAnalogies, _, noAnalogiesError) = try run(["check", spec.path, "--set", "checkpoint.best_by=valid.analogy"])
        XCTAssertEqual(noAnalogies, 64)
        XCTAssertTrue(noAnalogiesError.contains("'checkpoint.best_by' is 'valid.analogy', which this run does not log "
            + "(use one of valid.pairs)"), noAnalogiesError)
        let runs = directory.appendingPathComponent("runs")
        let (trained, log, trainError) = try run([spec.path, "--runs-dir", runs.path])
        XCTAssertEqual(trained, 0, trainError)
        XCTAssertTrue(log.contains("valid  pairs 1.000"), log)
        let path = runs.appendingPathComponent(try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: runs.path).first)).path

        let (similarCode, similar, similarError) = try run(["similar", path, "cat", "--k", "3"])
        XCTAssertEqual(similarCode, 0, similarError)
        XCTAssertEqual(Set(similar.split(separator: "\n").map { String($0.split(separator: " ")[0]) }), ["dog", "horse", "cow"])
        let (analogyCode, analogy, analogyError) = try run(["analogy", path, "car", "bus", "cat", "--k", "2"])
        XCTAssertEqual(analogyCode, 0, analogyError)
        XCTAssertEqual(analogy.split(separator: "\n").count, 2)
        let (exportCode, exported, exportError) = try run(["export", path, "--format", "word2vec"])
        XCTAssertEqual(exportCode, 0, exportError)
        let text = try String(contentsOfFile: exported.trimmingCharacters(in: .newlines), encoding: .utf8)
        XCTAssertEqual(text.split(separator: "\n").first, "8 12")
        XCTAssertEqual(text.split(separator: "\n").count, 9)
        let (evalCode, evaluation, evalError) = try run(["eval", path])
        XCTAssertEqual(evalCode, 0, evalError)
        XCTAssertTrue(evaluation.hasPrefix("valid  pairs 1.000  (step "), evaluation)

        let refusals: [([String], Int32, String)] = [
            (["similar", path, "zebra"], 64, "error: 'zebra' is not in the model's vocabulary (8 words)"),
            (["similar", path], 64, "error: similar needs a run directory and a word"),
            (["analogy", path, "cat", "dog"], 64, "error: analogy needs a run directory and three words"),
            (["similar", path, "cat", "--k", "0"], 64, "error: --k takes an integer ≥ 1, found '0'"),
            (["export", path], 64, "error: export needs --format word2vec or safetensors"),
            (["eval", path, "--split", "test"], 64, "error: embeddings runs are scored on valid only, not on test"),
            (["translate", path], 64, "error: \(path) is an embeddings run; translate needs a translation run"),
            (["export", path, "--format", "glove"], 64, "error: --format takes word2vec or safetensors (got 'glove')"),
            (["similar", directory.path + "/nowhere", "cat"], 66, "nowhere"),
        ]
        for (arguments, code, message) in refusals {
            let (status, _, stderr) = try run(arguments)
            XCTAssertEqual(status, code, "\(arguments): \(stderr)")
            XCTAssertTrue(stderr.contains(message), "\(arguments): \(stderr)")
        }
    }
}
