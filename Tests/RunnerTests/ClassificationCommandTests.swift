import Foundation
import XCTest

/// A classification run trained through the binary on labelled files (a header, CRLF line ends, text
/// then label), then `runner check`, `predict`, `eval`, the summary's confusion matrix, and refusals.
extension RunnerTests {
    func testClassificationThroughTheBinary() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("classify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Neutral words around one word that decides the label.
        let neutral = ["the", "film", "plot", "cast", "was", "very", "and", "a"]
        var state: UInt64 = 11
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        func write(_ name: String, count: Int) throws {
            let lines = (0..<count).map { _ -> String in
                let positive = next(2) == 0
                var words = (0..<(2 + next(6))).map { _ in neutral[next(neutral.count)] }
                words.insert(positive ? "great" : "awful", at: next(words.count + 1))
                return words.joined(separator: " ") + "\t" + (positive ? "pos" : "neg")
            }
            try (["text\tlabel"] + lines).joined(separator: "\r\n").write(to: directory.appendingPathComponent(name),
                                                                           atomically: true, encoding: .utf8)
        }
        try write("train.tsv", count: 400)
        try write("valid.tsv", count: 60)
        try "text\tlabel\n".write(to: directory.appendingPathComponent("header.tsv"), atomically: true, encoding: .utf8)
        try "the film was great\tpos\nthe plot was awful\tmeh\n".write(to: directory.appendingPathComponent("unknown.tsv"),
                                                                           atomically: true, encoding: .utf8)
        try "review text\tlabel\nthe film was great\tpos\n".write(to: directory.appendingPathComponent("headed.tsv"),
                                                                     atomically: true, encoding: .utf8)
        let spec = directory.appendingPathComponent("sentiment.yaml")
        try """
            name: sentiment
            task: classification
            data: {corpus: sentiment, columns: text_label, buckets: 2,
                   files: {train: "\(directory.path)/train.tsv", valid: "\(directory.path)/valid.tsv"}}
            tokenizer: {kind: word}
            model: {kind: classifier, encoder: bilstm, pool: max, embedding: 16, hidden: 16}
            train: {batch_size: 32, epochs: 6, optimizer: {kind: adam, lr: 0.01}}
            eval: {every_steps: 25, metrics: [loss, accuracy]}
            checkpoint: {every_steps: 25}
            """.write(to: spec, atomically: true, encoding: .utf8)
        let (checked, plan, checkError) = try run(["check", spec.path])
        XCTAssertEqual(checked, 0, checkError)
        XCTAssertTrue(plan.contains("classifier (biLSTM, 1 layer of 16 per direction, embedding 16, max pooling, 2 classes)"), plan)
        XCTAssertTrue(plan.contains("labels neg, pos; train 400 texts, header skipped; valid 60 texts, header skipped"), plan)
        XCTAssertTrue(plan.contains("2 training buckets (B, T), each compiled once"), plan)

        // A validation label the training file does not have: refused before a run directory exists.
        let badRuns = directory.appendingPathComponent("bad-runs")
        let (refused, _, refusal) = try run([spec.path, "--runs-dir", badRuns.path, "--set",
                                             "data.files={train: \"\(directory.path)/train.tsv\", valid: \"\(directory.path)/unknown.tsv\"}"])
        XCTAssertEqual(refused, 64, refusal)
        XCTAssertTrue(refusal.contains("unknown.tsv:2: error: the label 'meh' is not one of the training labels (neg, pos)"), refusal)
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: badRuns.path)) ?? [], [], "no run directory left behind")
        // A header of more than one word is not guessed: the message says how to say it is one.
        let (unguessed, _, unguessedError) = try run(["check", spec.path, "--set",
                                                      "data.files={train: \"\(directory.path)/train.tsv\", valid: \"\(directory.path)/headed.tsv\"}"])
        XCTAssertEqual(unguessed, 64, unguessedError)
        XCTAssertTrue(unguessedError.contains("headed.tsv:1: error: the label 'label' is not one of the training labels (neg, pos); "
            + "if it is a header, set data.header: true"), unguessedError)
        // In the training file such a header is a class of its own: kept, and the plan says so.
        let training = try String(contentsOf: directory.appendingPathComponent("train.tsv"), encoding: .utf8)
        try training.replacingOccurrences(of: "text\tlabel\r\n", with: "review text\tlabel\r\n")
            .write(to: directory.appendingPathComponent("headed_train.tsv"), atomically: true, encoding: .utf8)
        let (kept, keptPlan, keptError) = try run(["check", spec.path, "--set",
                                                   "data.files={train: \"\(directory.path)/headed_train.tsv\", valid: \"\(directory.path)/valid.tsv\"}"])
        XCTAssertEqual(kept, 0, keptError)
        XCTAssertTrue(keptPlan.contains("labels label, neg, pos; train 401 texts, line 1 kept as a text of 'label', a label no other "
            + "line has (if it is a header, set data.header: true)"), keptPlan)

        let runs = directory.appendingPathComponent("runs")
        let (trained, _, trainError) = try run([spec.path, "--runs-dir", runs.path])
        XCTAssertEqual(trained, 0, trainError)
        let path = runs.appendingPathComponent(try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: runs.path).first)).path
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path + "/summary.json")))
            as? [String: Any])
        let final = try XCTUnwrap(summary["final"] as? [String: Any])
        XCTAssertEqual(final["valid.accuracy"] as? Double, 1, "\(final)")
        XCTAssertEqual(final["valid.macro_f1"] as? Double, 1, "\(final)")
        let confusion = try XCTUnwrap(summary["confusion"] as? [String: Any])
        XCTAssertEqual(confusion["labels"] as? [String], ["neg", "pos"])
        let valid = try XCTUnwrap(confusion["valid"] as? [[Int]])
        XCTAssertEqual(valid[0][1] + valid[1][0], 0, "\(valid)")
        XCTAssertEqual(valid.joined().reduce(0, +), 60)

        // Chosen by accuracy, the best checkpoint scores the test split (the validation file again) at the
        // highest validation accuracy any report logged.
        let byAccuracy = directory.appendingPathComponent("accuracy-runs")
        let (selected, _, selectError) = try run([spec.path, "--runs-dir", byAccuracy.path, "--set", "checkpoint.best_by=valid.accuracy",
                                                  "--set", "data.files.test=\(directory.path)/valid.tsv", "--set", "train.epochs=1",
                                                  "--set", "eval.every_steps=2", "--set", "train.optimizer.lr=0.003"])
        XCTAssertEqual(selected, 0, selectError)
        let selectedRun = byAccuracy.appendingPathComponent(try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: byAccuracy.path).first))
        let events = try String(contentsOf: selectedRun.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let reports = events.filter { $0["split"] as? String == "valid" }
        let validAccuracies = reports.compactMap { $0["accuracy"] as? Double }
        let testAccuracy = try XCTUnwrap(events.first { $0["split"] as? String == "test" }?["accuracy"] as? Double)
        XCTAssertGreaterThan(Set(validAccuracies).count, 2, "\(validAccuracies)")
        XCTAssertEqual(testAccuracy, validAccuracies.max())
        // The first report to reach it (a tie is no improvement), by the step `eval --checkpoint best` reads.
        let bestStep = try XCTUnwrap(reports.first { $0["accuracy"] as? Double == validAccuracies.max() }?["step"] as? Int)
        let (_, bestScore, _) = try run(["eval", selectedRun.path, "--split", "valid", "--checkpoint", "best"])
        XCTAssertTrue(bestScore.contains("(step \(bestStep))"), "\(bestScore) \(validAccuracies)")

        // Predicting needs the run alone, and reads CRLF lines as lines.
        let (code, stdout, stderr) = try run(["predict", path, "--checkpoint", "best"],
                                             input: "the cast was great\r\nawful\r\na very awful plot and cast\r\n")
        XCTAssertEqual(code, 0, stderr)
        let predicted = stdout.split(separator: "\n").map { $0.split(separator: "\t") }
        XCTAssertEqual(predicted.map { String($0[0]) }, ["pos", "neg", "neg"], stdout)
        XCTAssertTrue(predicted.allSatisfy { (Double($0[1]) ?? 0) > 0.5 && (Double($0[1]) ?? 2) <= 1 }, stdout)
        let (evaluated, score, evalError) = try run(["eval", path, "--split", "valid"])
        XCTAssertEqual(evaluated, 0, evalError)
        XCTAssertTrue(score.contains("accuracy 1.000  macro_f1 1.000"), score)

        // Another classifier starts from this run's weights where the keys agree; a second LSTM layer is new.
        let (transferred, transfer, transferError) = try run(["check", spec.path, "--set", "init_from=\(path)", "--set",
                                                             "model.layers=2", "--set", "train.freeze_encoder=true"])
        XCTAssertEqual(transferred, 0, transferError)
        XCTAssertTrue(transfer.contains("init_from \(path)/checkpoints/best.ckpt:\n  loaded  11: embedding.weight, "
            + "lstm.layers.0.w_ih"), transfer)
        XCTAssertTrue(transfer.contains("\n  new     8: lstm.layers.1.w_ih, "), transfer)
        XCTAssertTrue(transfer.contains("\n  unused  0\n"), transfer)

        let cases: [BadInput] = [
            (["check", spec.path, "--set", "init_from=\(path)", "--set", "model.hidden=32"], 64,
             "error: init_from: 'lstm.layers.0.w_ih' is (64, 16) in \(path)/checkpoints/best.ckpt but (128, 16) in this model"),
            (["check", spec.path, "--set", "checkpoint.best_by=valid.bleu"], 64,
             "'checkpoint.best_by' is 'valid.bleu', which this run does not log"),
            (["check", "experiments/gru_charlm.yaml", "--set", "train.head_lr=0.1"], 64,
             "'train.head_lr' applies to task classification, not language_model"),
            (["predict", path, "--checkpoint", ""], 64, "error: --checkpoint takes latest, best or a checkpoint file"),
            (["predict"], 64, "error: predict needs a classification run directory"),
            (["predict", "experiments/gru_charlm.yaml"], 64, "is a file, not a run directory"),
            // A key only another encoder reads would be ignored: refused, before the heads–width rule it has no part in.
            (["check", spec.path, "--set", "model.kernel_sizes=[3, 4]"], 64,
             "'model.kernel_sizes' describes 'encoder: cnn', not 'encoder: bilstm', which reads embedding, hidden, layers"),
            (["check", spec.path, "--set", "model.heads=3"], 64, "'model.heads' describes 'encoder: transformer'"),
            (["check", spec.path, "--set", "data.files.valid=\(directory.path)/header.tsv"], 64,
             "\(directory.path)/header.tsv, the valid split's file, has no labelled lines"),
            ([spec.path, "--set", "model.pool=cls"], 64, "'model.pool: cls' does not apply to 'encoder: bilstm'"),
            ([spec.path, "--set", "model={kind: classifier, encoder: cnn, pool: mean}"], 64,
             "'model.pool: mean' does not apply to 'encoder: cnn'"),
            (["check", "experiments/gru_charlm.yaml", "--set", "data.columns=text_label"], 64,
             "'data.columns' applies to task classification, not language_model"),
            (["check", "experiments/gru_charlm.yaml", "--set", "data.buckets=3"], 64,
             "'data.buckets' applies to task translation and classification, not language_model"),
            (["check", spec.path, "--set", "model={kind: rnn_lm}"], 64, "model kind 'rnn_lm' is trained for language_model"),
            (["check", spec.path, "--set", "eval.metrics=[bleu]"], 64, "eval metric 'bleu' for classification"),
        ]
        try assertRefusals(cases, onFirstLine: true)
        let (empty, _, emptyError) = try run(["predict", path], input: "great\n\n")
        XCTAssertEqual(empty, 64, emptyError)
        XCTAssertTrue(emptyError.contains("input line 2 has no tokens"), emptyError)
    }
}
