import Foundation
import XCTest

/// `runner tokenize` through the binary: it encodes like the reference, trains like the reference,
/// and refuses bad flags and files with the usual exit codes. Also: every committed experiment checks.
extension RunnerTests {
    private static let fixtures = packageRoot.appendingPathComponent("../shared/fixtures/tokenizers").standardized

    private struct Encoded: Decodable, Equatable {
        let ids: [Int]
        let tokens: [String]
    }

    private func decodeLines(_ output: String) throws -> [Encoded] {
        try output.split(separator: "\n").map { try JSONDecoder().decode(Encoded.self, from: Data($0.utf8)) }
    }

    func testTokenizeEncodesEachLineLikeTheReference() throws {
        let sample = try String(contentsOf: Self.fixtures.appendingPathComponent("sample.txt"), encoding: .utf8)
        for kind in ["bpe_bytelevel", "bpe_whitespace", "wordpiece_bert"] {
            let (code, stdout, stderr) = try run(["tokenize", "--tokenizer", Self.fixtures.appendingPathComponent("\(kind).json").path],
                                                 input: sample)
            XCTAssertEqual(code, 0, stderr)
            let expected = try decodeLines(String(contentsOf: Self.fixtures.appendingPathComponent("\(kind).expected.jsonl"),
                                                  encoding: .utf8))
            XCTAssertEqual(try decodeLines(stdout), expected, kind)
        }
        // Lines may end in CRLF or CR as well as LF; a stray byte is refused with its line, not encoded as U+FFFD.
        let tokenizer = ["tokenize", "--tokenizer", Self.fixtures.appendingPathComponent("bpe_bytelevel.json").path]
        let lf = try run(tokenizer, input: "Hello there\nGeneral Kenobi\n")
        XCTAssertEqual(try run(tokenizer, input: "Hello there\r\nGeneral Kenobi\r\n").1, lf.1)
        XCTAssertEqual(try run(tokenizer, input: "Hello there\rGeneral Kenobi").1, lf.1)
        XCTAssertEqual(try decodeLines(lf.1).count, 2)
        let (code, stdout, stderr) = try run(tokenizer, inputBytes: Data("Hello there\nGeneral ".utf8) + Data([0xC3, 0x28]))
        XCTAssertEqual(code, 66, stderr)
        XCTAssertEqual(stdout, "", "nothing encoded before the refusal")
        XCTAssertTrue(stderr.contains("cannot read standard input as text (not valid UTF-8: line 2, byte 9 of the line, byte 21 of the text)"),
                      stderr)
    }

    /// Trained through the CLI, then used through the CLI: `sample.txt` encodes exactly as with the
    /// fixture, which Hugging Face trained on the same corpus.
    func testTokenizeTrainsTheReferenceTokenizer() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tokenize-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: output) }
        let (code, stdout, stderr) = try run(["tokenize", "--train", "tinyshakespeare", "--kind", "bpe", "--vocab-size", "2000",
                                              "--lowercase", "--out", output.path])
        XCTAssertEqual(code, 0, stderr)
        XCTAssertTrue(stdout.contains("2000 tokens"), stdout)
        let sample = try String(contentsOf: Self.fixtures.appendingPathComponent("sample.txt"), encoding: .utf8)
        let ours = try run(["tokenize", "--tokenizer", output.path], input: sample)
        let reference = try run(["tokenize", "--tokenizer", Self.fixtures.appendingPathComponent("bpe_whitespace.json").path],
                                input: sample)
        XCTAssertEqual(ours.0, 0, ours.2)
        XCTAssertEqual(try decodeLines(ours.1), try decodeLines(reference.1))
        // A size below the alphabet gets the alphabet (as the reference does), and says why.
        let small = try run(["tokenize", "--train", "tinyshakespeare", "--kind", "bpe_bytelevel", "--vocab-size", "10",
                             "--out", output.path])
        XCTAssertEqual(small.0, 0, small.2)
        XCTAssertTrue(small.1.contains(": 257 tokens in "), small.1)
        XCTAssertTrue(small.1.contains("note: that is more than --vocab-size 10: the special tokens and every character"), small.1)
        XCTAssertFalse(stdout.contains("note:"), "2000 tokens as asked: \(stdout)")
    }

    func testTokenizeRefusesBadFlagsAndFiles() throws {
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).json")
        try Data("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}}, \"added_tokens\": [}".utf8).write(to: broken)
        defer { try? FileManager.default.removeItem(at: broken) }
        let cases: [([String], Int32, String)] = [
            (["tokenize"], 64, "tokenize needs --tokenizer FILE.json"),
            (["tokenize", "--tokenizer", "/nonexistent/t.json"], 66, "/nonexistent/t.json: error: cannot read the tokenizer"),
            (["tokenize", "--tokenizer", broken.path], 64, "\(broken.path): error: $: not valid JSON (line 1, column 64: expected a value"),
            (["tokenize", "--tokenizer", "x.json", "--kind", "bpe"], 64, "--kind belongs to --train"),
            (["tokenize", "--tokenizer", "x.json", "extra"], 64, "tokenize takes no argument 'extra'"),
            (["tokenize", "--train", "tinyshakespeare", "--kind", "unigram", "--vocab-size", "9", "--out", "x"], 64,
             "--kind takes bpe_bytelevel, bpe, wordpiece (got 'unigram')"),
            (["tokenize", "--train", "tinyshakespeare", "--kind", "bpe", "--out", "x"], 64, "needs --vocab-size"),
            (["tokenize", "--train", "tinyshakespeare", "--kind", "bpe", "--vocab-size", "-3", "--out", "x"], 64,
             "--vocab-size takes an integer ≥ 1, found '-3'"),
            (["tokenize", "--train", "tinyshakespeare", "--kind", "wordpiece", "--vocab-size", "100",
              "--special-tokens", "<s>,</s>", "--out", "x"], 64, "needs an unknown token"),
            (["tokenize", "--train", "tinyshakespeare", "--kind", "bpe", "--vocab-size", "100",
              "--special-tokens", "<unk>,<unk>", "--out", "x"], 64, "listed twice"),
            (["tokenize", "--train", "/nonexistent/corpus.txt", "--kind", "bpe", "--vocab-size", "100", "--out", "x"], 66,
             "/nonexistent/corpus.txt"),
            (["tokenize", "--train", "tinyshakespeare", "--kind", "bpe", "--vocab-size", "100", "--out", "/nonexistent/t.json"],
             66, "error: cannot write /nonexistent/t.json: the directory /nonexistent does not exist"),
        ]
        try assertRefusals(cases)
    }

    /// A key renamed or a rule added must not leave a committed experiment unloadable. A spec that
    /// starts from another run's weights or tokenizer (`runs/…`, which `make reproduce-sst2` trains)
    /// is checked against a one-step run of the pretraining spec, made here.
    func testEveryExperimentChecks() throws {
        let directory = Self.packageRoot.appendingPathComponent("experiments")
        let specs = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertFalse(specs.isEmpty)
        // A spec that starts from a pretraining run (`init_from: runs/…/NAME`, or its tokenizer file) is
        // checked against a one-step run of experiments/NAME.yaml, made the first time one asks for it.
        let pretrained = FileManager.default.temporaryDirectory.appendingPathComponent("pretrained-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: pretrained) }
        var made: Set<String> = []
        func pretrainedRun(named name: String) throws -> String {
            let path = pretrained.appendingPathComponent(name).path
            if made.insert(name).inserted {
                let (code, _, error) = try run(["experiments/\(name).yaml", "--run-dir", path, "--set", "train.epochs=null",
                                                "--set", "train.steps=1", "--set", "checkpoint.every_steps=1", "--set", "eval.batches=1"])
                XCTAssertEqual(code, 0, "\(name): \(error)")
            }
            return path
        }
        for spec in specs {
            let text = try String(contentsOf: directory.appendingPathComponent(spec), encoding: .utf8)
            var arguments = ["check", "experiments/" + spec]
            let source = text.split(separator: "\n").first { $0.hasPrefix("init_from: runs/") || $0.contains("file: runs/") }
            // The run's directory is named after its experiment: the path's component that names one.
            let name = source?.split(separator: "/").map(String.init).first { specs.contains($0 + ".yaml") }
            if let source, let name {
                let path = try pretrainedRun(named: name)
                arguments += source.hasPrefix("init_from") ? ["--set", "init_from=\(path)"] : ["--set", "tokenizer.file=\(path)/tokenizer.json"]
            }
            let (code, stdout, stderr) = try run(arguments)
            XCTAssertEqual(code, 0, "\(spec): \(stderr)")
            XCTAssertTrue(stdout.contains("parameters"), spec)
        }
        // Without the pretraining run, the fine-tuning spec says which run it needs.
        let (missing, _, missingError) = try run(["check", "experiments/sst2_bert.yaml", "--set", "init_from=/nonexistent/run"])
        XCTAssertEqual(missing, 66, missingError)
        XCTAssertTrue(missingError.hasPrefix("error: init_from: no run or weights at /nonexistent/run"), missingError)
    }
}
