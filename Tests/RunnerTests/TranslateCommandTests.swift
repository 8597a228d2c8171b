import Foundation
import XCTest

/// A translation run trained through the binary (parallel files, word tokenizers, an attention model
/// learning to reverse sentences), then `runner check`, `translate`, `eval` and their refusals.
extension RunnerTests {
    func testTranslationThroughTheBinary() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("translate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let words = ["sun", "moon", "star", "tree", "river", "stone"]
        var state: UInt64 = 5
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        for (split, count) in [("train", 480), ("valid", 40), ("test", 40)] {
            let sentences = (0..<count).map { _ in (0..<(3 + next(3))).map { _ in words[next(words.count)] } }
            try (sentences.map { $0.joined(separator: " ") }.joined(separator: "\n") + "\n")
                .write(to: directory.appendingPathComponent("\(split).src"), atomically: true, encoding: .utf8)
            try (sentences.map { $0.reversed().joined(separator: " ") }.joined(separator: "\n") + "\n")
                .write(to: directory.appendingPathComponent("\(split).rev"), atomically: true, encoding: .utf8)
        }
        let files = directory.path
        let spec = directory.appendingPathComponent("reverse.yaml")
        try """
            name: reverse
            data: {corpus: reverse, source: src, target: rev, buckets: 2,
                   files: {train: "\(files)/train.{lang}", valid: "\(files)/valid.{lang}", test: "\(files)/test.{lang}"}}
            tokenizer: {source: {kind: word}, target: {kind: word, lowercase: true}}
            model: {kind: seq2seq, embedding: 16, hidden: 32, attention: additive}
            train: {batch_size: 32, epochs: 25, optimizer: {kind: adam, lr: 0.01}, clip_grad_norm: 1.0}
            eval: {every_steps: 200, metrics: [loss, perplexity, bleu]}
            checkpoint: {every_steps: 100}
            """.write(to: spec, atomically: true, encoding: .utf8)
        // Parallel files that disagree: refused before the run starts, leaving no run directory.
        try "sun moon\nstar\n".write(to: directory.appendingPathComponent("short.src"), atomically: true, encoding: .utf8)
        try "moon sun\n".write(to: directory.appendingPathComponent("short.rev"), atomically: true, encoding: .utf8)
        let badRuns = directory.appendingPathComponent("bad-runs")
        let (refused, _, refusal) = try run([spec.path, "--runs-dir", badRuns.path,
                                             "--set", "data.files={train: \"\(files)/short.{lang}\"}"])
        XCTAssertEqual(refused, 64, refusal)
        XCTAssertTrue(refusal.contains("short.src has 2 lines but \(files)/short.rev has 1"), refusal)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: badRuns.path), [], "no run directory left behind")
        let (checked, plan, checkError) = try run(["check", spec.path])
        XCTAssertEqual(checked, 0, checkError)
        XCTAssertTrue(plan.contains("2 training buckets (B, S, T), each compiled once"), plan)
        XCTAssertNotNil(plan.firstMatch(of: /evaluation buckets \(valid, test\): \([0-9]+, [0-9]+, [0-9]+\)/), plan)
        XCTAssertNotNil(plan.firstMatch(of: /\nevaluation +[0-9]+ programs, activations [0-9.]+ MiB the largest, [0-9.]+ MiB in all\n/), plan)
        // The two bucket programs and the evaluation programs take turns on one scratch: the run holds
        // the largest's activations.
        let shared = try XCTUnwrap(plan.firstMatch(
            of: /training and evaluation share one scratch: ([0-9.]+) MiB \(the largest\), not ([0-9.]+) MiB \(all [0-9]+\)/), plan)
        XCTAssertLessThan(try XCTUnwrap(Double(shared.1)), try XCTUnwrap(Double(shared.2)))
        let runs = directory.appendingPathComponent("runs")
        let (trained, _, trainError) = try run([spec.path, "--runs-dir", runs.path, "--name", "reverse"])
        XCTAssertEqual(trained, 0, trainError)
        let path = runs.appendingPathComponent(try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: runs.path).first)).path

        // Translating standard input needs the run alone: the corpus may be gone.
        let moved = directory.appendingPathComponent("moved")
        try FileManager.default.createDirectory(at: moved, withIntermediateDirectories: true)
        for split in ["train", "valid", "test"] {
            try FileManager.default.moveItem(at: directory.appendingPathComponent("\(split).src"),
                                             to: moved.appendingPathComponent("\(split).src"))
        }
        let (code, stdout, stderr) = try run(["translate", path, "--beam", "3"], input: "sun moon star\ntree river stone sun\n")
        XCTAssertEqual(code, 0, stderr)
        XCTAssertEqual(stdout, "star moon sun\nsun stone river tree\n")
        XCTAssertTrue(stderr.contains("sentences/s"), stderr)
        // A stray byte on standard input is refused with its line, not translated as U+FFFD.
        let (garbled, _, garbledError) = try run(["translate", path], inputBytes: Data("sun moon\nstar \u{e9}".utf8.dropLast()) + Data([0x20]))
        XCTAssertEqual(garbled, 66, garbledError)
        XCTAssertTrue(garbledError.contains("cannot read standard input as text (not valid UTF-8: line 2, byte 6 of the line, byte 15 of the text)"), garbledError)
        let (missing, _, missingError) = try run(["translate", path, "--split", "test"])
        XCTAssertEqual(missing, 66, "a split needs its files: \(missingError)")
        XCTAssertTrue(missingError.contains("test.src"), missingError)
        // ... and those alone: the training files may be gone.
        try FileManager.default.moveItem(at: moved.appendingPathComponent("test.src"), to: directory.appendingPathComponent("test.src"))
        let (alone, testTranslations, aloneError) = try run(["translate", path, "--split", "test"])
        XCTAssertEqual(alone, 0, aloneError)
        let testSources = try String(contentsOf: directory.appendingPathComponent("test.src"), encoding: .utf8)
        XCTAssertEqual(testTranslations.split(separator: "\n").count, testSources.split(separator: "\n").count)
        for split in ["train", "valid"] {
            try FileManager.default.moveItem(at: moved.appendingPathComponent("\(split).src"),
                                             to: directory.appendingPathComponent("\(split).src"))
        }
        let (huge, _, hugeError) = try run(["translate", path, "--max-len-a", "1e300", "--max-len-b", "1024"], input: "sun moon\n")
        XCTAssertEqual(huge, 0, "an absurd a saturates at 1,024 tokens: \(hugeError)")
        let (endless, _, endlessError) = try run(["translate", path, "--max-len-b", "9223372036854775807"], input: "sun moon\n")
        XCTAssertEqual(endless, 64, endlessError)
        XCTAssertTrue(endlessError.contains("'eval.decode.max_len_b' must be between 1 and 1024"), endlessError)
        let (crlf, windows, _) = try run(["translate", path, "--beam", "3"], input: "sun moon star\r\ntree river stone sun\r\n")
        XCTAssertEqual(crlf, 0)
        XCTAssertEqual(windows, stdout, "CRLF line ends are line ends")
        let map = directory.appendingPathComponent("attention.svg")
        let (drawn, _, drawError) = try run(["translate", path, "--attention", map.path], input: "sun moon star\n")
        XCTAssertEqual(drawn, 0, drawError)
        let svg = try String(contentsOf: map, encoding: .utf8)
        XCTAssertEqual(svg.components(separatedBy: "<rect x=").count - 1, 16, "(3 words + <eos>) × (3 words + <eos>) cells")
        XCTAssertTrue(svg.contains(">star</text>") && svg.contains("&lt;eos&gt;"), svg)
        // A map path that cannot take the file is refused before anything is translated: a directory, and a
        // FIFO, which the rename would replace with a plain file. A link is written through and stays a link.
        let fifo = directory.appendingPathComponent("pipe.svg")
        XCTAssertEqual(mkfifo(fifo.path, 0o644), 0)
        for (target, message) in [(directory.path, "is a directory"), (fifo.path, "is not a regular file"),
                                  (directory.path + "/none/map.svg", "the directory \(directory.path)/none does not exist")] {
            let (refused, translated, refusal) = try run(["translate", path, "--attention", target], input: "sun moon star\n")
            XCTAssertEqual(refused, target.hasSuffix("map.svg") ? 66 : 64, refusal)
            XCTAssertEqual(translated, "", "nothing translated for --attention \(target)")
            XCTAssertTrue(refusal.contains(message), refusal)
        }
        var status = stat()
        XCTAssertEqual(lstat(fifo.path, &status), 0)
        XCTAssertEqual(status.st_mode & S_IFMT, S_IFIFO, "the FIFO is still a FIFO")
        let link = directory.appendingPathComponent("link.svg")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: map.path)
        XCTAssertEqual(try run(["translate", path, "--attention", link.path], input: "sun moon star\n").0, 0)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link.path), map.path)
        for input in ["", "\n \n"] {
            let (noSource, _, noSourceError) = try run(["translate", path, "--attention", map.path], input: input)
            XCTAssertEqual(noSource, 64, noSourceError)
            XCTAssertTrue(noSourceError.contains("--attention: no source sentence to draw"), noSourceError)
        }
        // A blank first line: the map is the first sentence's, as with that sentence alone.
        let firstMap = try String(contentsOf: map, encoding: .utf8)
        XCTAssertEqual(try run(["translate", path, "--attention", map.path], input: "\nsun moon star\n").0, 0)
        XCTAssertEqual(try String(contentsOf: map, encoding: .utf8), firstMap)
        let (nBest, ranked, _) = try run(["translate", path, "--beam", "2", "--nbest", "2"], input: "sun moon star\n")
        XCTAssertEqual(nBest, 0)
        XCTAssertEqual(ranked.split(separator: "\n").count, 2)
        XCTAssertTrue(ranked.hasPrefix("1\t"), ranked)
        // --nbest 1 gives the best with its rank and score, the same line as the first of two.
        let (_, first, _) = try run(["translate", path, "--beam", "2", "--nbest", "1"], input: "sun moon star\n")
        XCTAssertEqual(first, ranked.split(separator: "\n").first.map { $0 + "\n" }, first)
        // Blank lines translate to blank lines, keeping the output aligned with the input.
        let (_, one, _) = try run(["translate", path], input: "sun moon star\n")
        let (_, spaced, _) = try run(["translate", path], input: "sun moon star\n\n \t\nsun moon star\n")
        XCTAssertEqual(spaced, one + "\n\n" + one)
        let (evaluated, line, _) = try run(["eval", path, "--split", "test"])
        XCTAssertEqual(evaluated, 0)
        XCTAssertTrue(line.hasPrefix("test loss ") && line.contains("  bleu "), line)
        // --checkpoint best scores the weights the run's own test line came from: the same loss and BLEU.
        let (bestCode, best, bestError) = try run(["eval", path, "--split", "test", "--checkpoint", "best"])
        XCTAssertEqual(bestCode, 0, bestError)
        let logged = try String(contentsOf: URL(fileURLWithPath: path).appendingPathComponent("log.txt"), encoding: .utf8)
        let testLine = try XCTUnwrap(logged.split(separator: "\n").last { $0.hasPrefix("test loss ") })
        let fields = { (line: Substring) in line.split(separator: " ").enumerated().filter { [0, 1, 2, 5, 6].contains($0.offset) }
            .map(\.element) }    // split, loss, bleu (perplexities are printed to different places)
        XCTAssertEqual(fields(Substring(best)), fields(testLine), "eval --checkpoint best: \(best) against the run's \(testLine)")
        let bestFile = URL(fileURLWithPath: path).appendingPathComponent("checkpoints/best.ckpt").path
        let (byFile, translatedByFile, _) = try run(["translate", path, "--checkpoint", bestFile], input: "sun moon star\n")
        let (byName, translatedByName, _) = try run(["translate", path, "--checkpoint", "best"], input: "sun moon star\n")
        XCTAssertEqual([byFile, byName], [0, 0])
        XCTAssertEqual(translatedByFile, translatedByName)

        // A Transformer of the same task: its attention is one map per layer and head, drawn as a grid.
        let (transformer, _, transformerError) = try run([spec.path, "--runs-dir", runs.path, "--name", "transformer",
            "--set", "model={kind: transformer, width: 16, heads: 2, ffn: 32, encoder_layers: 1, decoder_layers: 2, "
                + "max_positions: 16}", "--set", "train.epochs=2", "--set", "train.optimizer.lr=0.003"])
        XCTAssertEqual(transformer, 0, transformerError)
        let transformerRun = runs.appendingPathComponent(try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: runs.path)
            .first { $0.hasPrefix("transformer-") })).path
        let (grid, _, gridError) = try run(["translate", transformerRun, "--attention", map.path], input: "sun moon star\n")
        XCTAssertEqual(grid, 0, gridError)
        let maps = try String(contentsOf: map, encoding: .utf8)
        for title in ["layer 1, head 1", "layer 1, head 2", "layer 2, head 1", "layer 2, head 2"] {
            XCTAssertTrue(maps.contains(">\(title)</text>"), "the map of \(title)")
        }

        let (tooLong, _, tooLongError) = try run(["translate", transformerRun],
                                                 input: "sun\n" + Array(repeating: "moon", count: 16).joined(separator: " ") + "\n")
        XCTAssertEqual(tooLong, 64, tooLongError)
        XCTAssertTrue(tooLongError.contains("source line 2 has 16 tokens, 17 positions with its <eos>: more than the 16 positions"),
                      tooLongError)
        let (fewPositions, _, fewPositionsError) = try run(["check", spec.path, "--set",
                                                            "model={kind: transformer, width: 16, heads: 2, max_positions: 4}"])
        XCTAssertEqual(fewPositions, 64, fewPositionsError)
        XCTAssertTrue(fewPositionsError.contains("takes 6 positions with its <bos> or <eos>, more than model.max_positions (4)"),
                      fewPositionsError)

        let (languageModel, _, lmError) = try run(["experiments/gru_charlm.yaml", "--runs-dir", runs.path, "--name", "lm",
                                                   "--set", "model.hidden=8", "--set", "data.max_chars=2000",
                                                   "--set", "train.epochs=1", "--set", "checkpoint.every_steps=10"])
        XCTAssertEqual(languageModel, 0, lmError)
        let lm = runs.appendingPathComponent(try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: runs.path)
            .first { $0.hasPrefix("lm-") })).path
        let task = directory.appendingPathComponent("task.jsonl")
        try Data(#"{"context": "sun", "choices": [" moon", " star"], "answer": 0}"#.utf8).write(to: task)
        try assertRefusals([
            (["eval", path, "--task", task.path], 64, "is a translation run; eval --task needs a language_model run"),
            (["translate", path, "--beam", "0"], 64, "error: --beam: 'eval.decode.beam' must be between 1 and 1024, found 0"),
            (["translate", path, "--lenpen", "nan"], 64, "error: --lenpen: expected a number for 'eval.decode.lenpen', found 'nan'"),
            (["translate", path, "--beam", "4611686018427387904"], 64,
             "error: --beam: 'eval.decode.beam' must be between 1 and 1024, found 4611686018427387904"),
            (["translate", path, "--nbest", "3"], 64, "error: --nbest 3 is more than the beam 1 keeps"),
            (["translate", path, "--split", "dev"], 64, "error: --split takes valid or test (got 'dev')"),
            (["eval", path, "--split", "train"], 64, "error: translation runs are scored on valid, test only, not on train"),
            (["translate", "/nonexistent/run"], 66, "no run directory at /nonexistent/run"),
            (["translate", lm], 64, "is a language_model run; translate needs a translation run"),
            (["sample", path], 64, "is a translation run; sample needs a language_model run"),
            (["translate", path, "--checkpoint", "/nonexistent/x.ckpt"], 66, "error: --checkpoint /nonexistent/x.ckpt: no such file"),
            (["translate", path, "--checkpoint", ""], 64, "--checkpoint takes latest, best or a checkpoint file"),
            (["eval", lm, "--split", "train", "--checkpoint", "best"], 66, "has no checkpoints/best.ckpt"),
            (["sample", lm, "--checkpoint", "best"], 66, "has no checkpoints/best.ckpt"),
            // Another run's checkpoint is refused by its spec hash.
            (["eval", lm, "--split", "train", "--checkpoint", bestFile], 64, "best.ckpt"),
        ])
        for file in try FileManager.default.contentsOfDirectory(atPath: path) {
            XCTAssertFalse(file.hasPrefix("translat"), "translate writes nothing into the run: \(file)")
        }
    }
}
