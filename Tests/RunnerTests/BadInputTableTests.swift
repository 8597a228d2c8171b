import Foundation
import XCTest

/// The one table of what a user can get wrong, across every command: malformed and mistyped flags,
/// missing values, numbers out of range, unknown commands and options, corpora that are empty, binary,
/// UTF-16, one 50 MB line or CRLF, damaged tokenizer files, spec chains with the error three files deep,
/// sweeps, runs of the wrong task. Each case: the exit code, and the first line of what the runner says
/// names the file, flag or key — never a signal, a trap or a stack trace.
extension RunnerTests {
    /// (arguments, exit code, text the first line of stderr — of stdout when the code is 0 — contains)
    typealias BadInput = ([String], Int32, String)

    func testEveryCommandRefusesBadInputClearly() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bad-input-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try BadInputFiles(in: directory)
        let run = directory.appendingPathComponent("runs/lm").path
        let (trained, _, trainError) = try self.run([files.spec("tiny"), "--run-dir", run, "--set", "train.epochs=null", "--set", "train.steps=10",
                                                     "--set", "checkpoint.every_steps=10"])
        XCTAssertEqual(trained, 0, trainError)
        let (f, gru) = (files.path, "experiments/gru_charlm.yaml")
        let cases: [BadInput] = Self.commandLineCases(gru: gru, runs: directory.appendingPathComponent("runs").path)
            + Self.specCases(f, gru: gru) + Self.corpusCases(f) + Self.runCases(run, f)
            + Self.tokenizerCases(f) + Self.studyCases(run, f)
        XCTAssertGreaterThanOrEqual(cases.count, 80)
        // What the refused commands must leave alone.
        let written = ["log.txt", "metrics.jsonl", "summary.json"].map { URL(fileURLWithPath: run).appendingPathComponent($0) }
        let before = try written.map { try Data(contentsOf: $0) }
        for (arguments, code, text) in cases {
            let (status, stdout, stderr) = try self.run(arguments)
            let command = "runner " + arguments.joined(separator: " ")
            let first = (code == 0 ? stdout : stderr).split(separator: "\n").first.map(String.init) ?? ""
            XCTAssertEqual(status, code, "\(command): \(stderr)")
            XCTAssertTrue(first.contains(text), "\(command): the first line is '\(first)', expected it to contain '\(text)'")
            XCTAssertFalse(stderr.contains("Fatal error") || stderr.contains("Stack dump") || stderr.contains("Backtrac"),
                           "\(command): \(stderr)")
        }
        XCTAssertEqual(try written.map { try Data(contentsOf: $0) }, before, "the finished run's logs and summary are untouched")
        XCTAssertTrue(FileManager.default.fileExists(atPath: f + "weights/spec.yaml"), "the spec beside the exported weights")
        XCTAssertFalse(FileManager.default.fileExists(atPath: f + "nometrics/report.html"), "a refused report writes nothing")
        XCTAssertEqual(try self.run(["report", run]).1, run + "/report.html\n", "one run's report goes into it")
        XCTAssertTrue(try String(contentsOfFile: run + "/report.html", encoding: .utf8).hasPrefix("<!DOCTYPE html>"))
        // A corpus with CRLF line ends trains the model the same file with LF does (as Python reads both).
        let lf = try self.run(["check", files.spec("corpus_lf")]).1, crlf = try self.run(["check", files.spec("corpus_crlf")]).1
        XCTAssertEqual(crlf.replacingOccurrences(of: "corpus_crlf", with: "corpus_lf"), lf)
    }

    /// Commands, options and their values.
    private static func commandLineCases(gru: String, runs: String) -> [BadInput] {
        [
            (["check"], 64, "error: check needs a spec file"),
            (["help", "trian"], 64, "error: no command 'trian'"),
            (["frobnicate"], 64, "error: 'frobnicate' is neither a command nor a spec file; commands: train, check"),
            (["chek", gru], 64, "error: 'chek' is neither a command nor a spec file (did you mean 'check'?)"),
            (["train"], 64, "error: train needs a spec file"),
            (["--version"], 64, "error: unknown option '--version'"),
            (["check", "--help"], 0, "runner check SPEC"),
            (["check", gru, gru], 64, "error: check takes one argument, got 2"),
            (["bleu", "--ref", "a", "--hyp", "b", "--ref", "c"], 64, "error: --ref is given twice; give it once"),
            ([gru, "--name", "a", "--name", "b"], 64, "error: --name is given twice; give it once"),
            ([gru, "--name=a", "--name", "b"], 64, "error: --name is given twice; give it once"),
            (["bleu", "--ref", "a", "--hyp", "b", "--sentence", "--sentence"], 64, "error: --sentence is given twice; give it once"),
            // After `--` an argument is positional though it starts with `--`.
            (["check", "--", "--spec.yaml"], 66, "cannot read spec file '--spec.yaml': no such file"),
            (["check", "--", "--help"], 66, "cannot read spec file '--help': no such file"),
            // A switch's name as another flag's value is that value.
            (["bleu", "--ref", "--sentence", "--hyp", "--lowercase"], 66, "--sentence"),
            ([gru, "--name=a/b"], 64, "error: --name "),
            ([gru, "--nmae=a"], 64, "error: unknown option '--nmae'"),
            ([gru, "--set="], 64, "error: --set takes key=value"),
            (["bleu", "--ref", "a", "--hyp", "b", "--lowercase=yes"], 64, "error: --lowercase takes no value"),
            (["check", "experiments/sweeps/gru_lr.yaml", "--set", "seed=1"], 64, "error: check of a sweep takes no --set"),
            (["check", gru, "--set", "name=../x"], 64, "error: 'name' '../x' must not contain '/'"),
            ([gru, "--name", ".."], 64, "error: --name must not be '..'"),
            ([gru, "--name", "a\tb"], 64, "error: --name 'a\\tb' must not contain control characters"),
            ([gru, "--name"], 64, "error: --name needs a value"),
            ([gru, "--runs-dir"], 64, "error: --runs-dir needs a value"),
            ([gru, "--bogus", "1"], 64, "error: unknown option '--bogus'"),
            ([gru, "--set", "lr"], 64, "error: --set takes key=value"),
            (["check", gru, "--set"], 64, "error: --set needs a value"),
            (["check", gru, "--data-dir", "/nonexistent"], 64, "error: --data-dir /nonexistent: no such directory"),
            ([gru, "--runs-dir", runs, "--set", "train.epochs=9223372036854775807"], 64, "lower train.epochs"),
        ]
    }

    /// Spec files and `--set` values: each error at its file's line and column.
    private static func specCases(_ f: String, gru: String) -> [BadInput] {
        [
            (["check", gru, "--set", "model.hiden=3"], 64, "--set:1:7: error: unknown key 'hiden' in 'model' (did you mean 'hidden'?)"),
            (["check", gru, "--set", "bogus=1"], 64, "--set:1:1: error: unknown key 'bogus'"),
            (["check", gru, "--set", "train.optimizer.lr=-1"], 64, "--set:1:20: error: 'train.optimizer.lr' must be > 0, found -1"),
            (["check", gru, "--set", "train.epochs=0"], 64, "--set:1:14: error: 'train.epochs' must be ≥ 1, found 0"),
            (["check", gru, "--set", "seed=abc"], 64, "--set:1:6: error: expected an integer for 'seed', found 'abc'"),
            (["check", gru, "--set", "model={kind: word2vec}"], 64, "'data.max_chars' applies to task language_model, not embeddings"),
            (["check", gru, "--set", "model={kind: bert}"], 64, "'data.max_chars' applies to task language_model, not masked_lm"),
            (["check", gru, "--set", "model={kind: seq2seq}"], 64,
             "experiments/gru_charlm.yaml:13:3: error: 'data.max_chars' applies to task language_model, not translation"),
            (["check", gru, "--set", "train.batch_size=100000"], 64, "lower the batch (train.batch_size or train.batch_tokens)"),
            // Sizes whose element counts would overflow Int, or whose unroll would take minutes to build: refused at the key.
            (["check", gru, "--set", "train.batch_size=9223372036854775807"], 64, "'train.batch_size' must be between 1 and 1048576"),
            (["check", gru, "--set", "train.seq_len=9223372036854775807"], 64, "'train.seq_len' must be between 1 and 1048576"),
            (["check", gru, "--set", "model.hidden=65536", "--set", "model.bidirectional=true"], 64,
             "error: the parameters and gradients need 192.1 GiB but the machine has"),
            (["check", gru, "--set", "train.optimizer.lr=1e400"], 64, "'train.optimizer.lr' is 1e400, beyond the range of a floating-point"),
            (["check", gru, "--set", "train.optimizer.lr=1e-400"], 64, "'train.optimizer.lr' is 1e-400, beyond the range"),
            (["check", gru, "--set", "tokenizer.max_size=1"], 64, "max_size 1 leaves no room besides the 1 reserved tokens (<unk>)"),
            (["check", "experiments/reproduce/mlp_names.yaml", "--set", "model.block_size=65536"], 64,
             "context windows of block_size 65536 would hold more than 2^30 ids"),
            (["check", "experiments/reproduce/bigram_names.yaml", "--set", "model.smoothing=1e39"], 64,
             "'model.smoothing' must be > 0 and at most 1000000"),
            (["check", "experiments/reproduce/bigram_names.yaml", "--set", "model.smoothing=0"], 64,
             "'model.smoothing' must be > 0 and at most 1000000"),
            (["check", "experiments/reproduce/word2vec_sgns.yaml", "--set", "model.negatives=9223372036854775807"], 64,
             "'model.negatives' must be between 0 and 1024"),
            (["check", gru, "--set", "train.schedule={kind: multistep, milestones: [4611686018427387904], unit: epoch}"], 0,
             "gru_charlm: rnn_lm (gru)"),
            (["check", "experiments/reproduce/transformer_multi30k.yaml", "--set", "data.max_length=9223372036854775807"], 64,
             "--set:1:17: error: 'data.max_length' must be between 1 and 1048576"),
            (["check", gru, "--set", "model.hidden=9223372036854775807"], 64, "'model.hidden' must be between 1 and 65536"),
            (["check", gru, "--set", "model.embedding=9223372036854775807"], 64, "'model.embedding' must be between 0 and 65536"),
            (["check", gru, "--set", "model.layers=100000"], 64, "'model.layers' must be between 1 and 256"),
            (["check", "experiments/reproduce/gpt_baby_shakespeare.yaml", "--set", "model.block_size=9223372036854775807"], 64,
             "'model.block_size' must be between 1 and 1048576"),
            (["check", f + "corpus_directory.yaml"], 66, "error: cannot read \(f)nothing as text (it is a directory, not a file"),
            (["check", "experiments/nothing.yaml"], 66, "experiments/nothing.yaml: error: cannot read spec file"),
            (["check", "experiments"], 66, "experiments: error: cannot read spec file 'experiments': it is a directory"),
            ([f + "empty.yaml"], 64, "empty.yaml:1:1: error: missing required section 'data'"),
            ([f + "binary.yaml"], 64, "binary.yaml: error: '\(f)binary.yaml' is not UTF-8 text"),
            (["check", f + "tab.yaml"], 64, "tab.yaml:2:1: error:"),
            (["check", f + "mistyped.yaml"], 64, "mistyped.yaml:2:31: error: expected an integer for 'model.hidden', found 'abc'"),
            // extends: three deep, the error in the deepest file, reported at that file's line.
            (["check", f + "a.yaml"], 64, "c.yaml:4:3: error: unknown key 'hiden' in 'model' (did you mean 'hidden'?)"),
            (["check", f + "cycle1.yaml"], 64, "cycle2.yaml:1:10: error: 'extends' makes a cycle"),
            (["check", f + "orphan.yaml"], 66, "orphan.yaml:1:10: error: cannot read '\(f)nothere.yaml' named by 'extends'"),
        ]
    }

    /// Corpora a user can point a spec at, and data too small for what the spec asks.
    private static func corpusCases(_ f: String) -> [BadInput] {
        [
            (["check", f + "corpus_empty.yaml"], 64, "error: the corpus has 0 tokens, but batch_size 4 × seq_len 10 needs"),
            (["check", f + "corpus_short.yaml"], 64, "error: the corpus has 6 tokens"),
            (["check", f + "corpus_binary.yaml"], 66, "error: cannot read \(f)binary.txt as text (not valid UTF-8: line 3, byte 115 of the line, byte 129 of the text)"),
            (["check", f + "corpus_utf16.yaml"], 66, "error: cannot read \(f)utf16.txt as text (not valid UTF-8: line 1, byte 1 of the line, byte 1 of the text)"),
            (["check", f + "corpus_long.yaml"], 0, "corpus_long: rnn_lm (gru), vocabulary 7, train tokens 47185916"),
            (["check", f + "corpus_crlf.yaml"], 0, "vocabulary 19"),
            (["check", f + "corpus_missing.yaml"], 66, "/nonexistent/corpus.txt"),
            (["check", f + "valid_too_short.yaml"], 64, "error: the valid split has 20 tokens, too few for one batch"),
            (["check", f + "window_too_long.yaml"], 64, "error: the corpus has 6 tokens, but batch_size 4 × seq_len 100 needs"),
            (["check", f + "words_empty.yaml"], 64,
             "error: the corpus \(f)empty.txt has 0 distinct words seen at least min_count = 5 times"),
            (["check", f + "parallel_mismatch.yaml"], 64, "src.txt has 3 lines but \(f)tgt.txt has 2"),
            (["check", f + "parallel_too_long.yaml"], 64, "error: no training pair is within data.max_length 1 tokens"),
            (["check", f + "parallel_empty.yaml"], 64, "error: \(f)none.src and \(f)none.tgt hold no sentence pair (both are empty)"),
            (["check", f + "parallel_blank.yaml"], 64,
             "error: \(f)blank.src and \(f)blank.tgt hold no sentence pair (each of their 2 lines has an empty side)"),
            (["check", f + "parallel_empty_valid.yaml"], 64, "error: \(f)none.src and \(f)none.tgt hold no sentence pair"),
            (["check", f + "parallel_same.yaml"], 64,
             "parallel_same.yaml:1:43: error: 'data.source' and 'data.target' are both 'src': both sides would read the same files"),
            (["check", f + "parallel_nolang.yaml"], 64, "error: 'data.files.valid' needs '{lang}' where the language code goes"),
            (["check", f + "parallel_split.yaml"], 64,
             "parallel_split.yaml:1:50: error: 'data.split' divides one corpus for a language model; task translation reads a file for each split"),
            (["sweep", f + "sweep_no_base.yaml"], 66, "sweep_no_base.yaml:1:7: error: cannot read '\(f)nothere.yaml' named by 'base'"),
            (["sweep", f + "sweep_bad_key.yaml"], 64, "sweep_bad_key.yaml:3:9: error: unknown key 'hiden' in 'model'"),
            (["check", f + "sweep_bad_key.yaml"], 64, "sweep_bad_key.yaml:3:9: error: unknown key 'hiden' in 'model'"),
            (["sweep", f + "sweep.yaml", "--parallel", "0"], 64, "error: --parallel takes an integer ≥ 1, found '0'"),
            (["sweep", f + "sweep.yaml", "--parallel", "x"], 64, "error: --parallel takes an integer ≥ 1, found 'x'"),
            (["sweep"], 64, "error: sweep needs a sweep file"),
            (["sweep", "/nonexistent.yaml"], 66, "/nonexistent.yaml: error: cannot read spec file"),
            (["sweep", "--resume", "/nonexistent"], 66, "error: no run directory at /nonexistent"),
            (["sweep", f + "sweep.yaml", "--partition", "gpu"], 64, "error: --partition belongs to --scheduler slurm"),
            (["sweep", f + "sweep.yaml", "--scheduler", "pbs"], 64, "error: --scheduler takes local or slurm (got 'pbs')"),
            (["sweep", f + "sweep.yaml", "--scheduler", "slurm", "--time", "soon"], 64,
             "error: --time takes a Slurm time limit such as 02:00:00 or 1-12:00:00 (got 'soon')"),
            (["sweep", f + "sweep.yaml", "--scheduler", "slurm", "--max-concurrent", "0"], 64,
             "error: --max-concurrent takes an integer ≥ 1, found '0'"),
            (["sweep", f + "sweep.yaml", "--scheduler", "slurm", "--parallel", "2"], 64,
             "error: --parallel runs trials here; with --scheduler slurm use --max-concurrent"),
            (["sweep", "--status", "--resume", f + "nothing"], 64, "error: sweep takes --resume or --status, not both"),
            (["sweep", "--status", f + "nothing"], 64, "\(f)nothing: not a sweep directory"),
        ]
    }

    /// A finished language-model run given to each command that reads runs, with bad flags and values.
    private static func runCases(_ run: String, _ f: String) -> [BadInput] {
        [
            ([f + "tiny.yaml", "--run-dir", run], 64, "error: \(run): it exists already"),
            (["resume"], 64, "error: resume needs a run directory"),
            (["resume", "/nonexistent/run"], 66, "error: no run directory at /nonexistent/run"),
            (["resume", "experiments"], 64, "is not a SeqLab run directory"),
            (["resume", run, "--bogus"], 64, "error: unknown option '--bogus'"),
            (["resume", run, run], 64, "error: resume takes one argument, got 2"),
            (["sample"], 64, "error: sample needs a run directory"),
            (["sample", "/nonexistent/run"], 66, "error: no run directory at /nonexistent/run"),
            (["sample", run, "--length", "x"], 64, "error: --length: expected an integer for 'sample.length', found 'x'"),
            (["sample", run, "--length", "-1"], 64, "error: --length: 'sample.length' must be ≥ 0, found -1"),
            (["sample", run, "--top-p", "1.5"], 64, "error: --top-p: 'sample.top_p' must be in (0, 1], found 1.5"),
            (["sample", run, "--top-p", "2"], 64, "error: --top-p: 'sample.top_p' must be in (0, 1], found 2"),
            (["sample", run, "--top-p", "0"], 64, "error: --top-p: 'sample.top_p' must be in (0, 1], found 0"),
            (["sample", run, "--temperature", "0"], 64, "error: --temperature: 'sample.temperature' must be > 0, found 0"),
            (["sample", run, "--temperature", "nan"], 64, "error: --temperature: expected a number for 'sample.temperature'"),
            (["sample", run, "--top-k", "0"], 64, "error: --top-k: 'sample.top_k' must be ≥ 1, found 0"),
            (["sample", run, "--seed", "x"], 64, "error: --seed takes a whole number from 0 to"),
            (["sample", run, "--prompt"], 64, "error: --prompt needs a value"),
            (["sample", run, "--stop"], 64, "error: --stop needs a value"),
            (["sample", run, "--checkpoint", "nothere"], 66, "error: --checkpoint nothere: no such file"),
            (["eval"], 64, "error: eval needs a run directory"),
            (["eval", run, "--split", "dev"], 64, "error: --split takes train, valid or test"),
            (["eval", run, "--split"], 64, "error: --split needs a value"),
            (["eval", run, "--split", "valid"], 64, "error: the valid split has too little data for one batch"),
            (["eval", run, "--checkpoint", "best"], 66,
             "has no checkpoints/best.ckpt: it is written at each new best of checkpoint.best_by (valid.loss), which this run has not logged yet"),
            (["eval", run, "--task", "/nonexistent.jsonl"], 66, "error: cannot read /nonexistent.jsonl as text (no such file)"),
            (["eval", run, "--task", f + "task.jsonl"], 64, "task.jsonl:1: error: 'answer' must be an integer"),
            (["eval", run, "--task", f + "task.jsonl", "--shots", "-1"], 64, "error: --shots takes an integer ≥ 0, found '-1'"),
            (["translate"], 64, "error: translate needs a translation run directory"),
            (["translate", run], 64, "error: \(run) is a language_model run; translate needs a translation run"),
            (["translate", run, "--beam", "0"], 64, "error: --beam: 'eval.decode.beam' must be between 1 and 1024, found 0"),
            (["translate", run, "--lenpen", "nan"], 64, "error: --lenpen: expected a number for 'eval.decode.lenpen'"),
            (["translate", run, "--split", "train"], 64, "error: --split takes valid or test (got 'train')"),
            (["similar"], 64, "error: similar needs a run directory and a word"),
            (["similar", run, "dog"], 64, "error: \(run) is a language_model run; similar needs an embeddings run"),
            (["analogy", run, "a", "b"], 64, "error: analogy needs a run directory and three words"),
            (["analogy", run, "a", "b", "c", "--k", "0"], 64, "error: --k takes an integer ≥ 1, found '0'"),
            (["export", run], 64, "error: export needs --format word2vec or safetensors"),
            (["export", run, "--format", "bogus"], 64, "error: --format takes word2vec or safetensors (got 'bogus')"),
            (["export", run, "--format", "word2vec"], 64, "error: \(run) is a language_model run; export needs an embeddings run"),
            (["export", run, "--format", "safetensors", "--binary"], 64, "error: --binary belongs to --format word2vec"),
            (["export", run, "--format", "safetensors", "--out", f + "weights"], 0, "\(f)weights/model.safetensors"),
            (["export", run, "--format", "safetensors", "--checkpoint", "nothere"], 66, "error: --checkpoint nothere: no such file"),
            // init_from: the weights just exported, then ones that do not fit or are not there.
            (["check", f + "tiny.yaml", "--set", "init_from=\(f)weights"], 0, "tiny: rnn_lm (gru)"),
            (["check", f + "tiny.yaml", "--set", "init_from=\(f)weights", "--set", "model.hidden=16"], 64,
             "error: \(f)weights/model.safetensors does not fit the model:"),
            (["check", f + "tiny.yaml", "--set", "init_from=/nonexistent"], 66, "error: init_from: no run or weights at /nonexistent"),
            (["check", f + "tiny.yaml", "--set", "init_from=\(f)binary.txt"], 64,
             "error: \(f)binary.txt: not a readable safetensors file: the header length"),
            (["check", f + "tiny.yaml", "--set", "init_from=\(f)hf_bert"], 64,
             "error: \(f)hf_bert/config.json: describes model_type \"bert\" (architectures [\"BertForMaskedLM\"]); "
                + "init_from reads Hugging Face's GPT2LMHeadModel"),
            (["check", f + "tiny.yaml", "--set", "init_from=\(f)hf_broken/model.safetensors"], 64,
             "error: \(f)hf_broken/config.json: invalid JSON at line 1, column 2"),
        ]
    }

    /// tokenizer.json files damaged every way, and tokenizer training.
    private static func tokenizerCases(_ f: String) -> [BadInput] {
        let train = ["tokenize", "--train", f + "lf.txt", "--kind", "bpe"]
        return [
            (["tokenize"], 64, "error: tokenize needs --tokenizer FILE.json"),
            (["tokenize", "--tokenizer", "/nonexistent.json"], 66, "/nonexistent.json: error: cannot read the tokenizer (no such file)"),
            (["tokenize", "--tokenizer", f + "truncated.json"], 64, "truncated.json: error: $: not valid JSON"),
            (["tokenize", "--tokenizer", f + "mistyped.json"], 64, "mistyped.json: error: $.version: expected an integer, found a string"),
            (["tokenize", "--tokenizer", f + "huge.json"], 64, "huge.json: error: $: not valid JSON (line 3, column 19: number 1e400 is out of range)"),
            (["tokenize", "--tokenizer", f + "huge_integer.json"], 64, "huge_integer.json: error: $.version: expected an integer"),
            (["tokenize", "--tokenizer", f + "not_utf8.json"], 64, "not_utf8.json: error: $: not valid JSON"),
            (["tokenize", "--tokenizer", f + "huge_id.json"], 64, "huge_id.json: error: $.model.vocab[\"<unk>\"]: expected an integer"),
            (["tokenize", "--tokenizer", f + "huge_id_in_range.json"], 64,
             "huge_id_in_range.json: error: $.model.vocab[\"<unk>\"]: id 99999999999 is beyond 16777215"),
            (train + ["--vocab-size", "0", "--out", f + "out.json"], 64, "error: --vocab-size takes an integer ≥ 1, found '0'"),
            (train + ["--vocab-size", "100"], 64, "error: tokenize --train needs --out"),
            (["tokenize", "--train", f + "lf.txt", "--kind", "bogus", "--vocab-size", "100", "--out", f + "out.json"], 64,
             "error: --kind takes bpe_bytelevel, bpe, wordpiece (got 'bogus')"),
            (["tokenize", "--train", f + "empty.txt", "--kind", "bpe", "--vocab-size", "100", "--out", f + "out.json"], 64,
             "error: --train \(f)empty.txt: the corpus has no text to learn a vocabulary from"),
            (["tokenize", "--train", f + "binary.txt", "--kind", "bpe", "--vocab-size", "100", "--out", f + "out.json"], 66,
             "error: cannot read \(f)binary.txt as text (not valid UTF-8: line 3, byte 115 of the line, byte 129 of the text)"),
            (train + ["--vocab-size", "100", "--out", f + "nothing"], 64, "error: \(f)nothing: is a directory, not a file"),
            (train + ["--vocab-size", "100", "--out", "/nonexistent/dir/out.json"], 66,
             "error: cannot write /nonexistent/dir/out.json: the directory /nonexistent/dir does not exist"),
            (train + ["--vocab-size", "100", "--out", f + "lf.txt"], 64,
             "error: --out \(f)lf.txt is the corpus --train reads; saving there would replace it"),
            (train + ["--vocab-size", "100", "--out", f + "lf.txt/out.json"], 64,
             "error: \(f)lf.txt/out.json: cannot be written: \(f)lf.txt is a file, not a directory"),
            (train + ["--vocab-size", "100", "--out", ""], 64, "error: --out: names no file (an empty path)"),
        ]
    }

    /// BLEU, tables and plots.
    private static func studyCases(_ run: String, _ f: String) -> [BadInput] {
        [
            (["bleu", "--sentence"], 64, "error: bleu needs --ref REFERENCE and --hyp HYPOTHESES"),
            (["bleu", "--ref", f + "binary.txt", "--hyp", f + "binary.txt"], 66, "error: cannot read \(f)binary.txt as text"),
            (["bleu", "--ref", f + "utf16.txt", "--hyp", f + "lf.txt"], 66, "error: cannot read \(f)utf16.txt as text"),
            (["table"], 64, "error: table needs run directories"),
            (["table", "/nonexistent"], 66, "error: no run directory at /nonexistent"),
            (["table", run, "--metrics"], 64, "error: --metrics needs a value"),
            (["table", run, "--sort", "bogus"], 64, "error: --sort bogus: no run recorded that metric; they have train.loss"),
            (["table", f + "nothing"], 64, "is neither a run directory (it has no spec.yaml) nor a directory of runs"),
            (["table", run, "--markdown", "--csv"], 64, "error: table prints --markdown or --csv, not both"),
            (["plot"], 64, "error: plot needs run directories"),
            (["plot", "/nonexistent"], 66, "error: no run directory at /nonexistent"),
            (["plot", run, "--metric", "bogus"], 64, "error: --metric bogus: no run recorded that metric"),
            (["plot", run, "--out"], 64, "error: --out needs a value"),
            (["plot", run, "--out", "/nonexistent/dir/x.svg"], 66,
             "error: cannot write /nonexistent/dir/x.svg: the directory /nonexistent/dir does not exist"),
            (["report"], 64, "error: report needs run directories"),
            (["report", "/nonexistent"], 66, "error: no run directory at /nonexistent"),
            (["report", f + "nothing"], 64, "is neither a run directory (it has no spec.yaml) nor a directory of runs"),
            (["report", f + "nometrics"], 66, "error: \(f)nometrics/metrics.jsonl holds no metrics"),
            (["report", run, "--out", ""], 64, "error: --out takes a file name such as report.html"),
            (["report", run, "--out", "/nonexistent/dir/r.html"], 66,
             "error: cannot write /nonexistent/dir/r.html: the directory /nonexistent/dir does not exist"),
            (["report", run, "--out", f + "report.html"], 0, "\(f)report.html"),
        ]
    }
}

/// The inputs of the table, written into a fresh directory.
struct BadInputFiles {
    /// The directory, with a trailing slash.
    let path: String

    init(in directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.path + "/"
        let line = "the time traveller for so it will be convenient\n"
        let tiny = "model: {kind: rnn_lm, cell: gru, hidden: 8}\ntokenizer: {kind: char}\ntrain: {batch_size: 4, seq_len: 10, epochs: 1}\n"
        let corpus = { (file: String) in "data: {corpus: \(directory.path)/\(file)}\n" + tiny }
        let parallel = { (stem: String, extra: String) in
            "data: {corpus: pair, source: src, target: tgt, \(extra)files: {train: \"\(directory.path)/\(stem).{lang}\", "
                + "valid: \"\(directory.path)/pair.{lang}\"}}\nmodel: {kind: seq2seq}\n"
        }
        let tokenizer = try String(contentsOf: RunnerTests.packageRoot.appendingPathComponent("Tests/FuzzTests/Corpus/tokenizer/char.json"),
                                   encoding: .utf8)
        let bpe = try String(contentsOf: RunnerTests.packageRoot.appendingPathComponent("Tests/FuzzTests/Corpus/tokenizer/bpe.json"),
                             encoding: .utf8)
        let texts: [String: String] = [
            "empty.txt": "", "lf.txt": String(repeating: line, count: 400), "short.txt": "abc de\n",
            "crlf.txt": String(repeating: line.replacingOccurrences(of: "\n", with: "\r\n"), count: 400),
            "long.txt": String(repeating: "abc de ", count: 50 * 1024 * 1024 / 7),
            "src.txt": "a b c\nd e f\ng h\n", "tgt.txt": "x y\nz\n",
            "tiny.yaml": "data: {corpus: \(directory.path)/lf.txt, split: {train: 1.0, valid: 0.0}}\n" + tiny,
            "nothing/notes.txt": "no run here", "nometrics/spec.yaml": "data: {corpus: \(directory.path)/lf.txt}\n" + tiny,
            "hf_bert/config.json": "{\"model_type\": \"bert\", \"architectures\": [\"BertForMaskedLM\"]}",
            "hf_bert/model.safetensors": "", "hf_broken/config.json": "{not json", "hf_broken/model.safetensors": "", "empty.yaml": "", "tab.yaml": "model:\n\tkind: gru\n",
            "mistyped.yaml": "data: {corpus: timemachine}\nmodel: {kind: rnn_lm, hidden: abc}\n",
            "a.yaml": "extends: b.yaml\nseed: 1\n", "b.yaml": "extends: c.yaml\nname: b\n",
            "c.yaml": "data: {corpus: timemachine}\nmodel:\n  kind: rnn_lm\n  hiden: 3\n",
            "cycle1.yaml": "extends: cycle2.yaml\n", "cycle2.yaml": "extends: cycle1.yaml\n", "orphan.yaml": "extends: nothere.yaml\n",
            "corpus_empty.yaml": corpus("empty.txt"), "corpus_short.yaml": corpus("short.txt"), "corpus_binary.yaml": corpus("binary.txt"),
            "corpus_utf16.yaml": corpus("utf16.txt"), "corpus_long.yaml": corpus("long.txt"), "corpus_crlf.yaml": corpus("crlf.txt"),
            "corpus_lf.yaml": corpus("lf.txt"), "corpus_missing.yaml": "data: {corpus: /nonexistent/corpus.txt}\n" + tiny,
            "corpus_directory.yaml": corpus("nothing"),
            "valid_too_short.yaml": "data: {corpus: \(directory.path)/lf.txt, split: {train: 0.999, valid: 0.001}}\n" + tiny,
            "window_too_long.yaml": corpus("short.txt").replacingOccurrences(of: "seq_len: 10", with: "seq_len: 100"),
            "words_empty.yaml": "data: {corpus: \(directory.path)/empty.txt}\nmodel: {kind: word2vec}\n",
            "parallel_mismatch.yaml": """
                data: {corpus: pair, source: src, target: tgt, files: {train: "\(directory.path)/{lang}.txt", valid: "\(directory.path)/{lang}.txt"}}
                model: {kind: seq2seq}\n
                """,
            "pair.src": "a b c\nd e f\n", "pair.tgt": "x y\nz w\n", "none.src": "", "none.tgt": "",
            "parallel_too_long.yaml": parallel("pair", "max_length: 1, "),
            "parallel_empty.yaml": parallel("none", ""),
            "blank.src": " \n\t\n", "blank.tgt": "a\nb\n", "parallel_blank.yaml": parallel("blank", ""),
            "parallel_empty_valid.yaml": parallel("pair", "").replacingOccurrences(of: "/pair.{lang}\"}", with: "/none.{lang}\"}"),
            "parallel_split.yaml": "data: {corpus: multi30k, source: de, target: en, split: {train: 0.5, valid: 0.5}}\nmodel: {kind: seq2seq}\n",
            "parallel_same.yaml": parallel("pair", "").replacingOccurrences(of: "target: tgt", with: "target: src"),
            "parallel_nolang.yaml": parallel("pair", "").replacingOccurrences(of: "/pair.{lang}\"}", with: "/pair.src\"}"),
            "sweep.yaml": "base: tiny.yaml\nparameters:\n  model.hidden: [4]\n",
            "sweep_no_base.yaml": "base: nothere.yaml\nparameters: {train.optimizer.lr: [0.1]}\n",
            "sweep_bad_key.yaml": "base: tiny.yaml\nparameters:\n  model.hiden: [1, 2]\n",
            "task.jsonl": "{\"context\": \"a\", \"choices\": [\"b\"]}\nnot json\n",
            "truncated.json": String(tokenizer.prefix(60)),
            "mistyped.json": tokenizer.replacingOccurrences(of: "\"version\": 1", with: "\"version\": \"1\""),
            "huge.json": tokenizer.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 1e400"),
            "huge_integer.json": tokenizer.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 99999999999999999999999"),
            "huge_id.json": bpe.replacingOccurrences(of: "\"<unk>\": 0", with: "\"<unk>\": 99999999999999999999"),
            "huge_id_in_range.json": bpe.replacingOccurrences(of: "\"<unk>\": 0", with: "\"<unk>\": 99999999999"),
        ]
        for folder in ["nothing", "nometrics", "hf_bert", "hf_broken"] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for (name, text) in texts { try Data(text.utf8).write(to: directory.appendingPathComponent(name)) }
        let binary = Data((0..<10_240).map { UInt8($0 % 256) })
        try binary.write(to: directory.appendingPathComponent("binary.txt"))
        try binary.write(to: directory.appendingPathComponent("binary.yaml"))
        try Data("the time traveller\n".data(using: .utf16)!).write(to: directory.appendingPathComponent("utf16.txt"))
        var notUTF8 = Data(tokenizer.utf8)
        notUTF8.insert(contentsOf: [0xFF, 0xFE], at: 40)
        try notUTF8.write(to: directory.appendingPathComponent("not_utf8.json"))
    }

    /// The spec `name`.yaml of the directory.
    func spec(_ name: String) -> String { path + name + ".yaml" }
}

extension RunnerTests {
    /// A run exported as safetensors and imported by a new run with `init_from` starts where the first
    /// ended: after one step at a vanishing rate both score the training split alike, and a run
    /// without it does not. A GPT goes through Hugging Face's names and config.json (whose every key is
    /// checked against the spec), any other model through SeqLab's keys.
    func testExportedWeightsStartANewRun() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("init-from-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try BadInputFiles(in: directory)
        let steps = { (count: Int) in ["--set", "train.epochs=null", "--set", "train.steps=\(count)", "--set", "checkpoint.every_steps=\(count)"] }
        let loss = { (run: String) throws -> String in
            let line = try self.run(["eval", run, "--split", "train"]).1
            return String(line.prefix { $0 != "(" })
        }
        let gpt = ["--set", "model={kind: gpt, block_size: 16, layers: 1, heads: 2, width: 8}"]
        for (name, model) in [("rnn", [String]()), ("gpt", gpt)] {
            let run = { (suffix: String) in directory.appendingPathComponent(name + suffix).path }
            let spec = [files.spec("tiny")] + model
            XCTAssertEqual(try self.run(spec + ["--run-dir", run("-first")] + steps(20)).0, 0)
            let written = try self.run(["export", run("-first"), "--format", "safetensors"]).1
            let export = run("-first") + "/export"
            XCTAssertEqual(written, "\(export)/model.safetensors\n" + (name == "gpt" ? "\(export)/config.json\n" : "")
                + "\(export)/spec.yaml\n")
            let (code, _, error) = try self.run(spec + ["--run-dir", run("-second"), "--set", "init_from=\(export)",
                                                        "--set", "train.optimizer.lr=1e-30"] + steps(1))
            XCTAssertEqual(code, 0, error)
            XCTAssertEqual(try loss(run("-second")), try loss(run("-first")), name)
            // Without init_from the same step starts from the initializer, and scores otherwise.
            XCTAssertEqual(try self.run(spec + ["--run-dir", run("-fresh"), "--set", "train.optimizer.lr=1e-30"] + steps(1)).0, 0)
            XCTAssertNotEqual(try loss(run("-fresh")), try loss(run("-first")), name)
        }
        // A config.json that disagrees with the spec is refused before anything is read into the model.
        let config = directory.appendingPathComponent("gpt-first/export/config.json")
        let text = try String(contentsOf: config, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "\"n_head\": 2", with: "\"n_head\": 4").utf8).write(to: config)
        let (code, _, error) = try run(["check", files.spec("tiny")] + gpt + ["--set", "init_from=\(config.deletingLastPathComponent().path)"])
        XCTAssertEqual(code, 64)
        XCTAssertTrue(error.hasPrefix("error: \(config.path): n_head is 4 but the spec's model.heads is 2"), error)
    }
}

extension RunnerTests {
    /// `data.format: lines` frames each line in `train.seq_len` positions. A line too long for them is
    /// refused in whichever split the seed's shuffle puts it, naming the split; a valid or test line
    /// used to pass the training split's check and trap at the first evaluation.
    func testALineLongerThanTheWindowIsRefusedInEverySplit() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("long-line-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let names = directory.appendingPathComponent("names.txt"), spec = directory.appendingPathComponent("lines.yaml")
        try Data((Array(repeating: "abc", count: 9) + ["abcdefgh"]).joined(separator: "\n").utf8).write(to: names)
        try Data("""
            data: {corpus: \(names.path), format: lines}
            tokenizer: {kind: char}
            model: {kind: rnn_lm, cell: gru, hidden: 8}
            train: {batch_size: 2, seq_len: 4, epochs: 1}
            """.utf8).write(to: spec)
        var splits: Set<String> = []
        for seed in 0..<20 {
            let (code, _, error) = try run(["check", spec.path, "--set", "seed=\(seed)"])
            XCTAssertEqual(code, 64, error)
            let split = ["valid ", "test ", ""].first { error.hasPrefix("error: the longest \($0)line needs 9 positions") }
            XCTAssertNotNil(split, error)
            splits.insert(split ?? "none")
        }
        XCTAssertTrue(splits.contains("") && !splits.isDisjoint(with: ["valid ", "test "]),
                      "the long line in training and in an evaluation split over the seeds: \(splits)")
    }
}
