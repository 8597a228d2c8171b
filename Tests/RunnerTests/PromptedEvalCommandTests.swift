import Foundation
import XCTest

/// `runner eval RUN_DIR --task FILE.jsonl` through the binary, on a tiny GPT trained through it: the
/// report line, and every mistake in the flags or the task files refused with its file, line and
/// exit code.
extension RunnerTests {
    func testPromptedEvalReportsAndRefusesBadTasks() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("prompted-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let runs = directory.appendingPathComponent("runs")
        // gru_charlm's data and tokenizer (d2l's letters-only cleaning), a GPT of block_size 16.
        let (trained, _, trainError) = try run(["experiments/gru_charlm.yaml", "--runs-dir", runs.path, "--name", "gpt",
                                                "--set", "model={kind: gpt, block_size: 16, layers: 1, heads: 2, width: 16}",
                                                "--set", "data.max_chars=2000", "--set", "train.batch_size=4",
                                                "--set", "train.seq_len=16", "--set", "train.epochs=1",
                                                "--set", "checkpoint.every_steps=10"])
        XCTAssertEqual(trained, 0, trainError)
        let gpt = runs.appendingPathComponent(try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: runs.path).first)).path

        func file(_ name: String, _ lines: String...) throws -> String {
            let url = directory.appendingPathComponent(name)
            try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        let good = try file("good.jsonl", #"{"context": "the time", "choices": [" traveller", " xq"], "answer": 0}"#,
                            #"{"context": "he said", "choices": [" that", " zzz"], "answer": 0, "id": 7}"#, "",
                            #"{"context": "the", "choices": [" machine", " qq"], "answer": 0}"#, "")
        let demos = try file("demos.jsonl", #"{"context": "it was", "choices": [" a", " b"], "answer": 1}"#)

        let (code, stdout, stderr) = try run(["eval", gpt, "--task", good, "--shots", "1", "--demos", demos, "--seed", "3"])
        XCTAssertEqual(code, 0, stderr)
        XCTAssertTrue(stdout.hasPrefix("\(good): 3 items, 1 shot: accuracy "), stdout)
        XCTAssertTrue(stdout.contains("(length-normalised ") && stdout.hasSuffix(", chance 0.500\n"), stdout)
        // Demonstrations from a file too short for a shot are fine when no shot is asked.
        XCTAssertEqual(try run(["eval", gpt, "--task", good, "--shots", "0", "--demos", demos]).0, 0)

        let line = #"{"context": "the time", "choices": [" traveller", " xq"], "answer": 0}"#
        let cases: [([String], Int32, String)] = [
            (["eval", gpt, "--task", directory.appendingPathComponent("none.jsonl").path], 66,
             "error: cannot read \(directory.appendingPathComponent("none.jsonl").path)"),
            (["eval", directory.appendingPathComponent("norun").path, "--task", good], 66, "error: no run directory"),
            (["eval", gpt, "--task", try file("json.jsonl", line, #"{"context": "a", "choices": [" b"], "answer": 0"#)], 64,
             "json.jsonl:2: error: not valid JSON (column 48: unexpected end of file, expected '}')"),
            (["eval", gpt, "--task", try file("list.jsonl", line, "[1, 2]")], 64, "list.jsonl:2: error: not an object"),
            (["eval", gpt, "--task", try file("nochoices.jsonl", line, line, #"{"context": "a", "answer": 0}"#)], 64,
             "nochoices.jsonl:3: error: 'choices' must be a list of strings"),
            (["eval", gpt, "--task", try file("empty.jsonl", #"{"context": "a", "choices": [], "answer": 0}"#)], 64,
             "empty.jsonl:1: error: 'choices' is empty"),
            (["eval", gpt, "--task", try file("mixed.jsonl", #"{"context": "a", "choices": [" b", 3], "answer": 0}"#)], 64,
             "mixed.jsonl:1: error: 'choices' must hold strings only"),
            (["eval", gpt, "--task", try file("nocontext.jsonl", #"{"choices": [" b"], "answer": 0}"#)], 64,
             "nocontext.jsonl:1: error: 'context' must be a string"),
            (["eval", gpt, "--task", try file("range.jsonl", line, #"{"context": "a", "choices": [" b", " c"], "answer": 2}"#)],
             64, "range.jsonl:2: error: 'answer' 2 is not the index of one of the 2 choices (0 to 1)"),
            (["eval", gpt, "--task", try file("negative.jsonl", #"{"context": "a", "choices": [" b"], "answer": -1}"#)], 64,
             "negative.jsonl:1: error: 'answer' -1 is not the index"),
            (["eval", gpt, "--task", try file("fraction.jsonl", #"{"context": "a", "choices": [" b"], "answer": 0.0}"#)], 64,
             "fraction.jsonl:1: error: 'answer' must be an integer"),
            (["eval", gpt, "--task", try file("string.jsonl", #"{"context": "a", "choices": [" b"], "answer": "0"}"#)], 64,
             "string.jsonl:1: error: 'answer' must be an integer"),
            (["eval", gpt, "--task", try file("noanswer.jsonl", #"{"context": "a", "choices": [" b"]}"#)], 64,
             "noanswer.jsonl:1: error: 'answer' must be an integer"),
            (["eval", gpt, "--task", try file("blank.jsonl", "", "  ", "")], 64, "blank.jsonl:1: error: no items in the file"),
            (["eval", gpt, "--task", good, "--shots", "3"], 64,
             "good.jsonl:1: error: --shots 3 needs 3 demonstrations besides this item, but \(good) has 2"),
            (["eval", gpt, "--task", good, "--shots", "2", "--demos", demos], 64,
             "good.jsonl:1: error: --shots 2 needs 2 demonstrations besides this item, but \(demos) has 1"),
            (["eval", gpt, "--task", good, "--demos", try file("baddemos.jsonl", "{")], 64, "baddemos.jsonl:1: error: not valid JSON"),
            // d2l's cleaning keeps letters only: nothing of these is left to score or to condition on.
            (["eval", gpt, "--task", try file("digits.jsonl", #"{"context": "the", "choices": [" 1984"], "answer": 0}"#)], 64,
             "digits.jsonl:1: error: choice 0 has no tokens after the tokenizer's preprocessing"),
            (["eval", gpt, "--task", try file("nocontext2.jsonl", #"{"context": "?!", "choices": [" a"], "answer": 0}"#)], 64,
             "nocontext2.jsonl:1: error: the prompt has no tokens"),
            (["eval", gpt, "--task", try file("long.jsonl", line, #"{"context": "a", "choices": [" a b c d e f g h"], "answer": 0}"#)],
             64, "long.jsonl:2: error: choice 0 is 16 tokens; the model reads 16 at a time (a GPT's block_size, else train.seq_len) and scores at most 15"),
            (["eval", gpt, "--task", good, "--shots", "-1"], 64, "error: --shots takes an integer ≥ 0, found '-1'"),
            (["eval", gpt, "--task", good, "--seed", "x"], 64, "error: --seed takes a whole number from 0 to"),
            (["eval", gpt, "--task", good, "--split", "test"], 64, "--split belongs to the loss on a split"),
            (["eval", gpt, "--task", good, "--data-dir", "experiments"], 64, "--data-dir belongs to the loss on a split"),
            (["eval", gpt, "--shots", "2"], 64, "error: eval --shots belongs to --task FILE.jsonl"),
            (["eval", gpt, "--split", "train", "--demos", demos], 64, "error: eval --demos belongs to --task FILE.jsonl"),
            (["eval", "--task", good], 64, "error: eval needs a run directory"),
        ]
        try assertRefusals(cases)
    }
}
