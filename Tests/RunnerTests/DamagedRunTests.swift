import Foundation
import XCTest

/// A finished run damaged in each way a disk, an editor or a user can damage it, then `sample`,
/// `eval` and `resume` on it: each one works from what is left (saying what it skipped) or refuses
/// with the damaged file's name and its exit code — never a trap.
extension RunnerTests {
    func testDamagedRunDirectories() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("damaged-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pristine = directory.appendingPathComponent("pristine")
        let (trained, _, trainError) = try run(["experiments/gru_charlm.yaml", "--run-dir", pristine.path, "--set", "train.epochs=null",
                                                "--set", "train.steps=20", "--set", "checkpoint.every_steps=10",
                                                "--set", "model.hidden=16"])
        XCTAssertEqual(trained, 0, trainError)
        let last = "checkpoints/step-000020.ckpt"
        func rewrite(_ file: String, _ change: @escaping (inout [UInt8]) -> Void) -> (URL) throws -> Void {
            { run in
                let url = run.appendingPathComponent(file)
                var bytes = [UInt8](try Data(contentsOf: url))
                change(&bytes)
                try Data(bytes).write(to: url)
            }
        }
        // A finished run is not trained again: resume reads only its summary, spec and last checkpoint.
        // The last column resumes the damaged run with its summary.json deleted too, as if it had been
        // killed before its end: then the damage is met.
        let finished = "finished at step 20 (see its summary.json); nothing to resume"
        let remove = { (file: String) in { (run: URL) in try FileManager.default.removeItem(at: run.appendingPathComponent(file)) } }
        // (damage, what it does, then per command: exit code and a text the first lines contain)
        let damages: [(String, (URL) throws -> Void, [(Int32, String)])] = [
            ("metrics.jsonl deleted", remove("metrics.jsonl"), [(0, "tokens/s"), (0, "train loss"), (0, finished), (0, "resumed from")]),
            ("metrics.jsonl garbage", rewrite("metrics.jsonl") { $0 = Array("garbage{{\n".utf8) },
             [(0, "tokens/s"), (0, "train loss"), (0, finished), (0, "resumed from")]),
            ("summary.json deleted", remove("summary.json"),
             [(0, "tokens/s"), (0, "train loss"), (0, "resumed from"), (0, "resumed from")]),
            ("checkpoint byte flipped", rewrite(last) { $0[$0.count / 2] ^= 0xFF },
             [(0, "step-000020.ckpt is corrupt"), (0, "step-000020.ckpt is corrupt"), (0, "step-000020.ckpt is corrupt"),
              (0, "step-000020.ckpt is corrupt")]),
            ("checkpoint truncated", rewrite(last) { $0 = Array($0.prefix(100)) },
             [(0, "step-000020.ckpt is truncated"), (0, "step-000020.ckpt is truncated"), (0, "step-000020.ckpt is truncated"),
              (0, "step-000020.ckpt is truncated")]),
            ("checkpoint zeroed", rewrite(last) { $0 = [UInt8](repeating: 0, count: $0.count) },
             [(0, "is not a SeqLab checkpoint"), (0, "is not a SeqLab checkpoint"), (0, "is not a SeqLab checkpoint"),
              (0, "is not a SeqLab checkpoint")]),
            ("checkpoint replaced by a directory", { run in
                try FileManager.default.removeItem(at: run.appendingPathComponent(last))
                try FileManager.default.createDirectory(at: run.appendingPathComponent(last), withIntermediateDirectories: false)
            }, [(0, "a directory stands where a checkpoint file should be"), (0, "a directory stands where"),
                (64, "step-000020.ckpt: is a directory, not a file; move it away or choose another path"),
                (64, "step-000020.ckpt: is a directory, not a file")]),
            ("tokenizer.json truncated", rewrite("tokenizer.json") { $0 = Array($0.prefix(50)) },
             [(64, "tokenizer.json: error: $: not valid JSON"), (64, "tokenizer.json: error"), (0, finished),
              (64, "tokenizer.json: error")]),
            ("tokenizer.json of wrong types", rewrite("tokenizer.json") { bytes in
                bytes = Array(String(decoding: bytes, as: UTF8.self)
                    .replacingOccurrences(of: "\"lowercase\": false", with: "\"lowercase\": \"no\"").utf8)
            }, [(64, "tokenizer.json: error: $.lowercase: expected true or false, found a string"), (64, "$.lowercase"),
                (0, finished), (64, "$.lowercase")]),
            ("tokenizer.json not UTF-8", rewrite("tokenizer.json") { $0 = [0xFF, 0xFE, 0x7B] },
             [(64, "tokenizer.json: error"), (64, "tokenizer.json: error"), (0, finished), (64, "tokenizer.json: error")]),
            ("spec.yaml deleted", remove("spec.yaml"),
             [(64, "has no spec.yaml"), (64, "has no spec.yaml"), (64, "has no spec.yaml"), (64, "has no spec.yaml")]),
            ("spec.yaml edited", { run in
                let url = run.appendingPathComponent("spec.yaml")
                let text = try String(contentsOf: url, encoding: .utf8)
                try text.replacingOccurrences(of: "steps: 20", with: "steps: 30").write(to: url, atomically: true, encoding: .utf8)
            }, [(64, "was written for a different spec"), (64, "was written for a different spec"),
                (64, "spec.yaml changed after the run started"),
                (64, "spec.yaml changed after the run started")]),
        ]
        for (index, (damage, apply, expected)) in damages.enumerated() {
            let commands = [["sample", "--length", "5"], ["eval", "--split", "train"], ["resume"], ["resume"]]
            for (column, (command, (code, text))) in zip(commands, expected).enumerated() {
                let copy = directory.appendingPathComponent("copy-\(index)-\(column)")
                try FileManager.default.copyItem(at: pristine, to: copy)
                try apply(copy)
                if column == 3 { try? FileManager.default.removeItem(at: copy.appendingPathComponent("summary.json")) }
                let (status, stdout, stderr) = try run([command[0], copy.path] + command.dropFirst())
                XCTAssertEqual(status, code, "\(damage), \(command[0]): \(stderr)")
                XCTAssertTrue((stderr + stdout).contains(text), "\(damage), \(command[0]): \(stderr)\(stdout)")
                XCTAssertFalse(stderr.contains("Fatal error"), "\(damage), \(command[0]): a trap")
            }
        }
        // Resuming the finished run changes nothing in it: not the summary's wall time, not the log.
        let before = try contents(of: pristine)
        let (status, stdout, stderr) = try run(["resume", pristine.path])
        XCTAssertEqual(status, 0, stderr)
        XCTAssertTrue(stdout.contains(finished), stdout)
        XCTAssertEqual(try contents(of: pristine), before)
    }

    /// Every file under `directory` by its relative path.
    func contents(of directory: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let url = directory.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            files[path] = try Data(contentsOf: url)
        }
        return files
    }
}
