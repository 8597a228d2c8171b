import Foundation
import XCTest

/// ELMo's biLM trained through the binary on a small word stream, its representations by `embed`,
/// and a classifier reading its features (`encoder: elmo`, `init_from`).
extension RunnerTests {
    func testELMoThroughTheBinaryThenItsFeaturesClassify() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("elmo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let words = ["river", "stone", "light", "north", "garden", "winter", "silver", "harbour"]
        let text = (0..<600).map { words[($0 * $0 + 3 * $0) % words.count] }.joined(separator: " ")
        try text.write(to: directory.appendingPathComponent("words.txt"), atomically: true, encoding: .utf8)
        let spec = directory.appendingPathComponent("elmo.yaml")
        try """
            name: elmo
            data: {corpus: "\(directory.path)/words.txt", split: {train: 0.8, valid: 0.2}}
            tokenizer: {kind: word}
            model: {kind: elmo, embedding: 8, hidden: 12, projection: 8, layers: 2}
            train: {batch_size: 4, seq_len: 6, steps: 30, optimizer: {kind: adam, lr: 0.01}}
            eval: {every_steps: 15}
            checkpoint: {every_steps: 15, best_by: valid.backward_ppl}
            sample: {prompt: "river", length: 5}
            """.write(to: spec, atomically: true, encoding: .utf8)
        let (checked, plan, checkError) = try run(["check", spec.path])
        XCTAssertEqual(checked, 0, checkError)
        XCTAssertTrue(plan.contains("elmo (2 layers of 12 LSTM cells projected to 8 per direction, embedding 8)"), plan)
        XCTAssertTrue(plan.contains("backward.layers.1.w_hr"), plan)
        let runs = directory.appendingPathComponent("runs")
        let (trained, _, trainError) = try run([spec.path, "--runs-dir", runs.path])
        XCTAssertEqual(trained, 0, trainError)
        let path = runs.appendingPathComponent(try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: runs.path).first)).path
        let metrics = try String(contentsOfFile: path + "/metrics.jsonl", encoding: .utf8)
        let valid = try XCTUnwrap(metrics.split(separator: "\n").last { $0.contains("\"split\":\"valid\"") })
        let event = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(valid.utf8)) as? [String: Any])
        let (loss, forward, backward) = (try XCTUnwrap(event["loss"] as? Double), try XCTUnwrap(event["forward_loss"] as? Double),
                                         try XCTUnwrap(event["backward_loss"] as? Double))
        XCTAssertEqual(loss, (forward + backward) / 2, accuracy: 1e-4, "\(event)")
        XCTAssertEqual(try XCTUnwrap(event["backward_ppl"] as? Double), Foundation.exp(backward), accuracy: 1e-3 * Foundation.exp(backward))
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + "/checkpoints/best.ckpt"))

        // The mix of the three layers (2 × 8 wide), the same for each line alone as among the others:
        // six lengths share four length buckets, so some lines are padded to a longer one's length.
        let texts = ["river stone", "winter silver north", "light", "garden winter silver north river",
                     "harbour light stone river", "north garden river stone light winter"]
        let (embedded, vectors, embedError) = try run(["embed", path, "--elmo"], input: texts.joined(separator: "\n") + "\n")
        XCTAssertEqual(embedded, 0, embedError)
        let embeddings = try vectors.split(separator: "\n").map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [Double]) }
        XCTAssertEqual(embeddings.map(\.count), Array(repeating: 16, count: 6))
        for (line, embedding) in zip(texts, embeddings) {
            let (_, alone, _) = try run(["embed", path], input: line + "\n")
            let single = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(alone.utf8.dropLast())) as? [Double])
            for (a, b) in zip(single, embedding) { XCTAssertEqual(a, b, accuracy: 1e-4, line) }
        }
        // Layer 0 is the token embedding twice: its mean over a line repeats itself.
        let (_, tokenLayer, _) = try run(["embed", path, "--layer", "0"], input: "river stone\n")
        let token = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(tokenLayer.utf8.dropLast())) as? [Double])
        XCTAssertEqual(Array(token.prefix(8)), Array(token.suffix(8)))

        let lines = (0..<80).map { i in "\(i % 2)\t" + (i % 2 == 0 ? "river stone light" : "winter silver north") }
        try lines.joined(separator: "\n").write(to: directory.appendingPathComponent("labels.tsv"), atomically: true, encoding: .utf8)
        let classifier = directory.appendingPathComponent("classifier.yaml")
        try """
            name: features
            task: classification
            data: {corpus: labels, files: {train: "\(directory.path)/labels.tsv", valid: "\(directory.path)/labels.tsv"}}
            model: {kind: classifier, encoder: elmo, pool: max, embedding: 8, projection: 8, elmo_hidden: 12, elmo_layers: 2, hidden: 6}
            train: {batch_size: 16, steps: 10, optimizer: {kind: adamw, lr: 0.01}}
            eval: {every_steps: 10}
            init_from: "\(path)"
            """.write(to: classifier, atomically: true, encoding: .utf8)
        let (planned, transfer, transferError) = try run(["check", classifier.path])
        XCTAssertEqual(planned, 0, transferError)
        XCTAssertTrue(transfer.contains("classifier (biLSTM, 1 layer of 6 per direction, over the mixed 3 layers of a fixed ELMo "
            + "biLM (12 cells projected to 8), max pooling, 2 classes)"), transfer)
        XCTAssertTrue(transfer.contains("  loaded  21: embedding.weight, forward.layers.0.w_ih, "), transfer)
        XCTAssertTrue(transfer.contains("  new     12: mix.scalars, mix.gamma, lstm.layers.0.w_ih, "), transfer)
        XCTAssertTrue(transfer.contains("  unused  2: softmax.weight, softmax.bias"), transfer)
        let (tuned, _, tuneError) = try run([classifier.path, "--runs-dir", runs.path, "--name", "features"])
        XCTAssertEqual(tuned, 0, tuneError)

        let cases: [BadInput] = [
            (["embed", path, "--elmo", "--layer", "1"], 64, "--elmo mixes every layer and --layer 1 picks one"),
            (["embed", path, "--layer", "3"], 64, "--layer 3: the model has layers 0 (the embeddings) to 2"),
            (["embed", path, "--pool", "cls"], 64, "--pool cls: ELMo has no [CLS]"),
            (["check", spec.path, "--set", "model.projection=6"], 64, "'model.embedding' (8) must equal 'projection' (6)"),
            (["check", spec.path, "--set", "data.format=lines", "--set", "tokenizer.kind=char"], 64, "set 'data.format: stream'"),
            (["check", spec.path, "--set", "checkpoint.best_by=valid.sideways_ppl"], 64,
             "'checkpoint.best_by' is 'valid.sideways_ppl', which this run does not log"),
            (["check", classifier.path, "--set", "init_from=null"], 64, "'encoder: elmo' reads the features of a pretrained biLM"),
            (["check", classifier.path, "--set", "model.elmo_hidden=10"], 64,
             "has a biLM of model.hidden 12, but this classifier's model.elmo_hidden is 10; set 'model.elmo_hidden: 12'"),
            (["check", classifier.path, "--set", "model.elmo_layers=3"], 64,
             "has a biLM of model.layers 2, but this classifier's model.elmo_layers is 3"),
            (["check", classifier.path, "--set", "init_from=\(directory.path)"], 64,
             "is not a run directory; 'encoder: elmo' reads the features of an elmo run"),
            (["check", classifier.path, "--set", "model={kind: classifier, encoder: bilstm, projection: 8}"], 64,
             "'model.projection' describes the biLM of 'encoder: elmo', not 'encoder: bilstm'"),
        ]
        try assertRefusals(cases, onFirstLine: true)
    }
}
