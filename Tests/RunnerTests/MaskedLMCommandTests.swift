import Foundation
import XCTest

/// BERT pretrained through the binary on a small corpus of titled documents (WordPiece trained by
/// SeqLab), then `fill-mask`, `eval`, and a classifier that starts from its encoder (`init_from`).
extension RunnerTests {
    func testMaskedLMThroughTheBinaryThenFineTuned() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bert-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let words = ["river", "stone", "light", "north", "garden", "winter", "silver", "harbour"]
        var state: UInt64 = 3
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        func corpus(documents: Int) -> String {
            (0..<documents).map { d in
                " = Article \(d) = \n" + (0..<4).map { _ in
                    (0..<(3 + next(5))).map { _ in words[next(words.count)] }.joined(separator: " ") + " ."
                }.joined(separator: " ") + " \n"
            }.joined(separator: "\n")
        }
        try corpus(documents: 30).write(to: directory.appendingPathComponent("train.txt"), atomically: true, encoding: .utf8)
        try corpus(documents: 6).write(to: directory.appendingPathComponent("valid.txt"), atomically: true, encoding: .utf8)
        try "\n \n".write(to: directory.appendingPathComponent("empty.txt"), atomically: true, encoding: .utf8)
        let spec = directory.appendingPathComponent("bert.yaml")
        try """
            name: bert
            task: masked_lm
            data: {corpus: tiny, files: {train: "\(directory.path)/train.txt", valid: "\(directory.path)/valid.txt"}}
            tokenizer: {kind: wordpiece, vocab_size: 60}
            model: {kind: bert, width: 16, layers: 1, heads: 2, ffn: 32, max_positions: 32}
            train: {batch_size: 8, seq_len: 24, steps: 40, optimizer: {kind: adamw, lr: 0.003}}
            eval: {every_steps: 20}
            checkpoint: {every_steps: 20}
            """.write(to: spec, atomically: true, encoding: .utf8)
        let (checked, plan, checkError) = try run(["check", spec.path])
        XCTAssertEqual(checked, 0, checkError)
        XCTAssertTrue(plan.contains("bert (1 layers, 2 heads, width 16, ffn 32, 32 positions; masked LM + next sentence over "
            + "pairs of 24 positions)"), plan)
        XCTAssertTrue(plan.contains("train 30 documents, 120 sentences, 90 pairs an epoch; valid 18 pairs"), plan)
        let runs = directory.appendingPathComponent("runs")
        let (trained, _, trainError) = try run([spec.path, "--runs-dir", runs.path])
        XCTAssertEqual(trained, 0, trainError)
        let path = runs.appendingPathComponent(try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: runs.path).first)).path
        let metrics = try String(contentsOfFile: path + "/metrics.jsonl", encoding: .utf8)
        XCTAssertTrue(metrics.contains("\"mlm_accuracy\""), metrics)
        XCTAssertTrue(metrics.contains("\"nsp_accuracy\""), metrics)

        let (filled, guesses, fillError) = try run(["fill-mask", path, "river [MASK] light .", "--top-k", "3"])
        XCTAssertEqual(filled, 0, fillError)
        let rows = guesses.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        XCTAssertEqual(rows.count, 3, guesses)
        XCTAssertEqual(rows.map { $0[0] }, ["1", "1", "1"])
        let probabilities = rows.compactMap { Double($0[2]) }
        XCTAssertEqual(probabilities, probabilities.sorted(by: >), guesses)
        XCTAssertTrue(probabilities.allSatisfy { $0 > 0 && $0 <= 1 }, guesses)
        // One vector per line, the same for a line alone as beside a longer one (padding changes nothing).
        let (embedded, vectors, embedError) = try run(["embed", path, "--pool", "mean"], input: "river stone .\nwinter silver north garden .\n")
        XCTAssertEqual(embedded, 0, embedError)
        let embeddings = try vectors.split(separator: "\n").map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [Double]) }
        XCTAssertEqual(embeddings.map(\.count), [16, 16])
        let (_, alone, _) = try run(["embed", path, "--pool", "mean"], input: "river stone .\n")
        let single = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(alone.utf8.dropLast())) as? [Double])
        for (a, b) in zip(single, embeddings[0]) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        let matrix = directory.appendingPathComponent("vectors.npy")
        let (saved, _, saveError) = try run(["embed", path, "--layer", "0", "--out", matrix.path], input: "river\nstone\nlight\n")
        XCTAssertEqual(saved, 0, saveError)
        let bytes = try Data(contentsOf: matrix)
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        XCTAssertEqual(bytes.count, 10 + headerLength + 3 * 16 * 4)
        XCTAssertTrue(String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self).contains("'shape': (3, 16)"))
        // No lines: no vectors, but of the model's width, so that the matrix stacks with others.
        XCTAssertEqual(try run(["embed", path, "--out", matrix.path], input: "").0, 0)
        XCTAssertTrue(String(decoding: try Data(contentsOf: matrix), as: UTF8.self).contains("'shape': (0, 16)"))
        let (scored, score, scoreError) = try run(["eval", path, "--split", "valid"])
        XCTAssertEqual(scored, 0, scoreError)
        XCTAssertTrue(score.contains("mlm_accuracy"), score)

        // A classifier whose encoder starts from the pretrained one, reading text with its tokenizer.
        let lines = (0..<80).map { i in "\(i % 2)\t" + (i % 2 == 0 ? "river stone light" : "winter silver north") }
        try (["label\ttext"] + lines).joined(separator: "\n").write(to: directory.appendingPathComponent("labels.tsv"),
                                                                  atomically: true, encoding: .utf8)
        let classifier = directory.appendingPathComponent("classifier.yaml")
        try """
            name: tuned
            task: classification
            data: {corpus: labels, files: {train: "\(directory.path)/labels.tsv", valid: "\(directory.path)/labels.tsv"}}
            model: {kind: classifier, encoder: bert, width: 16, layers: 1, heads: 2, ffn: 32, max_positions: 32}
            train: {batch_size: 16, steps: 10, optimizer: {kind: adamw, lr: 0.001}, head_lr: 0.01}
            eval: {every_steps: 10}
            init_from: "\(path)"
            """.write(to: classifier, atomically: true, encoding: .utf8)
        let (planned, transfer, transferError) = try run(["check", classifier.path])
        XCTAssertEqual(planned, 0, transferError)
        XCTAssertTrue(transfer.contains("classifier (BERT encoder, 1 layers, 2 heads, width 16, ffn 32, cls pooling through the "
            + "pooler, 2 classes)"), transfer)
        XCTAssertTrue(transfer.contains("  loaded  23: embeddings.tokens.weight, "), transfer)
        XCTAssertTrue(transfer.contains("  new     2: head.weight, head.bias"), transfer)
        XCTAssertTrue(transfer.contains("  unused  7: mlm.dense.weight, "), transfer)
        let (tuned, _, tuneError) = try run([classifier.path, "--runs-dir", runs.path, "--name", "tuned"])
        XCTAssertEqual(tuned, 0, tuneError)
        let tunedRun = runs.appendingPathComponent(try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: runs.path)
            .first { $0.hasPrefix("tuned") })).path
        let long = Array(repeating: "river", count: 40).joined(separator: " ")
        let (refused, _, refusal) = try run(["predict", tunedRun], input: "river stone\n\(long)\n")
        XCTAssertEqual(refused, 64, refusal)
        XCTAssertTrue(refusal.hasPrefix("error: input line 2 takes "), refusal)
        XCTAssertTrue(refusal.contains(" positions with its framing, more than the 32 of the model"), refusal)

        let cases: [BadInput] = [
            (["fill-mask", path, "river stone"], 64, "has no [MASK] to fill"),
            (["embed", path, "--layer", "2"], 64, "--layer 2: the model has layers 0 (the embeddings) to 1"),
            (["embed", path, "--pool", "max"], 64, "--pool takes cls or mean (got 'max')"),
            (["embed", path, "--out", "vectors.txt"], 64, "--out takes a .npy file name"),
            (["fill-mask", path], 64, "fill-mask needs a masked_lm run directory and a text"),
            (["fill-mask", path, "[MASK]", "--top-k", "0"], 64, "--top-k takes an integer ≥ 1"),
            (["check", spec.path, "--set", "train.seq_len=40"], 64, "train.seq_len (40) is more than model.max_positions (32)"),
            (["check", spec.path, "--set", "train.seq_len=2"], 64, "train.seq_len 2 leaves no room for a pair"),
            (["check", spec.path, "--set", "data.mask_rate=1.5"], 64, "'data.mask_rate' must be in (0, 1)"),
            (["check", spec.path, "--set", "data.mask_rate=0"], 64, "'data.mask_rate' must be in (0, 1)"),
            (["check", classifier.path, "--set", "model={kind: classifier, encoder: bilstm}"], 64,
             "shares no weight with this model (its first key is 'embeddings.tokens.weight', this model's 'embedding.weight')"),
            (["check", spec.path, "--set", "checkpoint.best_by=valid.accuracy"], 64,
             "'checkpoint.best_by' is 'valid.accuracy', which this run does not log"),
            (["check", spec.path, "--set", "tokenizer={kind: word}"], 64, "masked_lm needs a tokenizer with [PAD], [CLS], [SEP]"),
            // An empty file is said to be empty, not blamed on the vocabulary or skipped.
            (["check", spec.path, "--set", "data.files.train=\(directory.path)/empty.txt"], 64,
             "the training file \(directory.path)/empty.txt has no text"),
            (["check", spec.path, "--set", "data.files.valid=\(directory.path)/empty.txt"], 64,
             "the valid file \(directory.path)/empty.txt has no document of two sentences or more"),
        ]
        try assertRefusals(cases, onFirstLine: true)
    }
}
