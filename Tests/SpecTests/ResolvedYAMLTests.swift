import Core
import Foundation
import Spec
import XCTest

/// `resolvedYAML()` is what a run directory keeps; it must load back to the same spec.
final class ResolvedYAMLTests: XCTestCase {
    private func roundTrip(_ spec: ExperimentSpec, file: StaticString = #filePath, line: UInt = #line) throws {
        let fixtures = try SpecFixtures()
        let yaml = spec.resolvedYAML()
        let path = try fixtures.write("spec.yaml", yaml)
        let reloaded = try ExperimentSpec.load(path: path)
        XCTAssertEqual(reloaded, spec, "\n\(yaml)", file: file, line: line)
        XCTAssertEqual(reloaded.resolvedYAML(), yaml, file: file, line: line)
        XCTAssertEqual(reloaded.hash, spec.hash, file: file, line: line)
    }

    func testDefaultsRoundTrip() throws {
        var spec = ExperimentSpec()
        spec.name = "defaults"
        spec.data.corpus = "timemachine"
        try roundTrip(spec)
    }

    /// `flattened()` lists exactly the leaves spec.yaml writes, in its order, keyed as `--set` takes them.
    func testFlattenedIsTheLeavesOfTheResolvedYAML() throws {
        var spec = ExperimentSpec()
        spec.name = "flat"
        spec.data.corpus = "timemachine"
        spec.train.optimizer.lr = 0.3
        let pairs = spec.flattened()
        let value = { (key: String) in pairs.first { $0.key == key }?.value }
        XCTAssertEqual(value("name"), "flat")
        XCTAssertEqual(value("train.optimizer.lr"), "0.3")
        XCTAssertEqual(value("eval.metrics"), "[loss, perplexity]")
        XCTAssertEqual(value("reproduces"), "null")
        let leaves = spec.resolvedYAML().split(separator: "\n").filter { !$0.hasSuffix(":") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(pairs.map { "\($0.key.split(separator: ".").last!): \($0.value)" }, leaves)
        XCTAssertEqual(Set(pairs.map(\.key)).count, pairs.count)
    }

    func testEveryOptionalSetRoundTrips() throws {
        var spec = ExperimentSpec()
        spec.name = "everything"
        spec.seed = 0
        var reproduces = ReproducesSpec()
        reproduces.metric = "test.bleu"
        reproduces.value = 36.52
        reproduces.tolerance = 0.5
        reproduces.source = "bentrevett/pytorch-seq2seq, notebook 6"
        spec.reproduces = reproduces
        spec.data.corpus = "../shared/data/multi30k"
        spec.data.split = nil
        var files = DataFilesSpec()
        files.train = "train.{lang}"
        files.test = "test 2016.{lang}"
        spec.data.files = files
        spec.data.maxLength = 50
        spec.tokenizer.kind = .bpeByteLevel
        spec.tokenizer.vocabSize = 8000
        spec.tokenizer.specialTokens = ["[MASK]", "a, b", ""]
        spec.task = .translation
        spec.data.source = "de"
        spec.data.target = "en"
        spec.model.kind = .transformer
        spec.model.activation = .gelu
        spec.model.norm = .pre
        spec.model.positions = .learned
        spec.model.maxPositions = 100
        spec.model.ffn = 512
        spec.model.shareEmbeddings = .decoderOutput
        spec.train.labelSmoothing = 0.1
        spec.model.dropout = 0.1
        spec.train.epochs = nil
        spec.train.steps = 1234
        spec.train.optimizer.kind = .adamW
        spec.train.optimizer.lr = 5e-4
        spec.train.optimizer.eps = 1e-9
        spec.train.optimizer.betas = [0.9, 0.98]
        spec.train.schedule.kind = .noam
        spec.train.schedule.width = 512
        spec.train.clipGradNorm = 0.1
        spec.train.threads = 2
        spec.eval.metrics = [.bleu]
        spec.eval.batches = 10
        spec.sample.topK = 5
        try roundTrip(spec)
    }

    /// A translation's tokenizer per side is written as `tokenizer: {source, target}` and read back,
    /// and `--set` reaches into one side.
    func testPerSideTokenizersRoundTrip() throws {
        var spec = ExperimentSpec()
        spec.name = "sides"
        (spec.task, spec.model.kind) = (.translation, .seq2seq)
        (spec.data.corpus, spec.data.source, spec.data.target) = ("multi30k", "de", "en")
        (spec.tokenizer.kind, spec.tokenizer.minFrequency) = (.word, 2)
        var target = TokenizerSpec()
        (target.kind, target.vocabSize) = (.bpe, 500)
        spec.targetTokenizer = target
        try roundTrip(spec)
        XCTAssertTrue(spec.resolvedYAML().contains("tokenizer:\n  source:\n    kind: word\n"), spec.resolvedYAML())
        XCTAssertEqual(spec.tokenizers.target, target)

        let fixtures = try SpecFixtures()
        let path = try fixtures.write("x.yaml", spec.resolvedYAML())
        let changed = try ExperimentSpec.load(path: path, overrides: ["tokenizer.target.vocab_size=800"])
        XCTAssertEqual(changed.targetTokenizer?.vocabSize, 800)
        XCTAssertEqual(changed.tokenizer, spec.tokenizer)
    }

    func testStringsThatNeedQuotingRoundTrip() throws {
        let awkward = ["time traveller: 1", "", " leading space", "true", "no", "null", "~", "42", "1e3", "-",
                       "# not a comment", "[a]", "{b}", "a \"quoted\" \\ word", "tab\there", "line\nbreak",
                       "Zeitreisender — «ü», 時間旅行者 🚀", "'single'", "&anchor", "*alias", "!tag", "%", "@", "`",
                       "key: value", "- item", "?", "|", ">", "\u{7}bell", "\u{2028}"]
        for prompt in awkward {
            var spec = ExperimentSpec()
            // A name is one path component without control characters (RunName); the others carry the rest.
            spec.name = RunName.problem(prompt) == nil ? prompt : "awkward"
            spec.data.corpus = "c"
            spec.sample.prompt = prompt
            spec.tokenizer.reserved = [prompt]
            try roundTrip(spec)
        }
    }

    func testResolvedYAMLFlattensExtendsAndOverrides() throws {
        let fixtures = try SpecFixtures()
        try fixtures.write("base.yaml", minimalSpec + "model: {hidden: 64}\n")
        let path = try fixtures.write("x.yaml", "extends: base.yaml\nseed: 3\n")
        let spec = try ExperimentSpec.load(path: path, overrides: ["model.layers=2"])
        let yaml = spec.resolvedYAML()
        XCTAssertFalse(yaml.contains("extends"))
        XCTAssertTrue(yaml.hasPrefix("name: x\nseed: 3\ntask: language_model\nreproduces: null\ndata:\n  corpus: timemachine\n"), yaml)
        XCTAssertTrue(yaml.contains("\nmodel:\n  kind: rnn_lm\n  cell: gru\n  embedding: 32\n  hidden: 64\n  layers: 2\n"), yaml)
        XCTAssertTrue(yaml.contains("  metrics: [loss, perplexity]\n"), yaml)
        XCTAssertTrue(yaml.contains("  reserved: [\"<unk>\"]\n"), yaml)
        try roundTrip(spec)
    }

    /// The hash follows the values, not their spelling: equal specs hash equal, any change shows.
    func testHashIsStableAndSensitive() throws {
        let fixtures = try SpecFixtures()
        let a = try ExperimentSpec.load(path: try fixtures.write("a.yaml", "name: same\ndata: {corpus: t}\nmodel: {hidden: 256}\n"))
        let b = try ExperimentSpec.load(path: try fixtures.write("b.yaml", "name: same\n\ndata:\n  corpus: t   # comment\n"))
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.hash, b.hash)
        var c = a
        c.train.optimizer.lr = 0.30000000000000004
        XCTAssertNotEqual(c.hash, a.hash)
        // FNV-1a is fixed arithmetic, so the value itself is stable across runs and machines.
        XCTAssertEqual(a.hash, a.hash)
        XCTAssertNotEqual(a.hash, 0)
    }

    /// `mappingFileReferences` reaches every key that names a file and no other: the keys whose values
    /// change are exactly those.
    func testMappingFileReferencesChangesEveryFileKeyAndNothingElse() throws {
        var spec = ExperimentSpec()
        spec.name = "paths"
        spec.data.corpus = "corpus.txt"
        var files = DataFilesSpec()
        (files.train, files.valid, files.test) = ("train.{lang}", "valid.{lang}", "test.{lang}")
        spec.data.files = files
        spec.tokenizer.file = "source.json"
        var target = TokenizerSpec()
        target.file = "target.json"
        spec.targetTokenizer = target
        spec.initFrom = "runs/base"
        spec.eval.wordPairs = ["pairs.tsv", "wordsim:simlex999"]
        spec.eval.analogies = "questions.txt"
        let mapped = spec.mappingFileReferences { "/anchor/" + $0 }
        let before = Dictionary(uniqueKeysWithValues: spec.flattened().map { ($0.key, $0.value) })
        let changed = mapped.flattened().filter { before[$0.key] != $0.value }
        XCTAssertEqual(Set(changed.map(\.key)), [
            "data.corpus", "data.files.train", "data.files.valid", "data.files.test", "tokenizer.source.file",
            "tokenizer.target.file", "eval.word_pairs", "eval.analogies", "init_from",
        ])
        XCTAssertEqual(mapped.data.files?.train, "/anchor/train.{lang}")
        XCTAssertEqual(mapped.eval.wordPairs, ["/anchor/pairs.tsv", "/anchor/wordsim:simlex999"])
        XCTAssertEqual(mapped.targetTokenizer?.file, "/anchor/target.json")
    }
}
