import Data
import Foundation
import Runs
import Spec
import Text

/// A labelled corpus as a classification run reads it: one file per split (`data.files`, or the
/// registered dataset's `train`, `valid` and `test` files), the tokenizer trained on the training
/// texts (or an opened run's), the classes (the training labels, in numeric order when every label is
/// a number and in text order otherwise), and each split's texts as ids, with `<bos>` first for a
/// model that pools at the first position.
struct ClassificationCorpus {
    let tokenizer: any Tokenizer
    /// The class names; a class's index is its id.
    let labels: [String]
    let train: [LabelledText]
    let valid: [LabelledText]
    let test: [LabelledText]
    /// What the log says of the files: headers and blank lines skipped.
    let note: String

    /// Reads the spec's corpus; trains the tokenizer and finds the classes, or uses the given ones (an opened run's).
    init(_ spec: ExperimentSpec, locator: DataLocator, tokenizer given: (any Tokenizer)? = nil, labels givenLabels: [String]? = nil)
        throws {
        var files: [(split: String, url: URL)] = []
        let data = spec.data
        if let named = data.files {
            for (split, reference) in [("train", Optional(named.train)), ("valid", named.valid), ("test", named.test)] {
                if let reference { files.append((split, try locator.url(for: reference))) }
            }
        } else if let dataset = locator.registry[data.corpus] {
            for split in ["train", "valid", "test"] where dataset.files.contains(where: { $0.role == split }) {
                files.append((split, try locator.url(for: data.corpus, role: split)))
            }
        } else {
            throw DataError.invalidOption("classification reads one file per split: give data.files: {train: …, valid: …} "
                + "(or a registered dataset such as sst2 as data.corpus)")
        }
        let column: LabelledLines.LabelColumn = data.columns == .labelText ? .first : .last
        var read: [String: (lines: LabelledLines, path: String)] = [:]
        // The training file comes first: the other splits' headers are told by the training labels.
        var known: Set<String>? = givenLabels.map(Set.init)
        for (split, url) in files {
            let lines = try LabelledLines(text: try DataLocator.readText(at: url), path: url.path, labelColumn: column,
                                          header: data.header, knownLabels: split == "train" ? nil : known)
            read[split] = (lines, url.path)
            if split == "train", known == nil { known = Set(lines.examples.map(\.label)) }
        }
        // An empty file named for a split is a mistake, not a split to skip: its metrics would never appear.
        if let (split, url) = files.first(where: { read[$0.split]?.lines.examples.isEmpty ?? true }) {
            throw DataError.invalidOption("\(url.path), the \(split) split's file, has no labelled lines")
        }
        guard let training = read["train"] else { throw DataError.invalidOption("the training split has no file") }
        let labels = givenLabels ?? Self.classes(of: training.lines.examples.map(\.label))
        guard labels.count >= 2 else {
            throw DataError.malformed(file: training.path, line: training.lines.examples[0].line,
                                      reason: "every training line has the label '\(labels[0])'; a classifier needs two classes or more")
        }
        let tokenizer = try given ?? Self.tokenizer(spec, training: training.lines.examples.map(\.text), locator: locator)
        // Every encoder masks padding, so any id pads; only the framing needs its tokens.
        let bert = spec.model.encoder == .bert
        guard tokenizer.bosID != nil || !(bert || spec.model.pool == .cls), tokenizer.eosID != nil || !bert else {
            throw DataError.invalidOption(bert ? "a BERT encoder frames texts [CLS] … [SEP], and the tokenizer has no "
                + "[CLS] and [SEP]; with a subword tokenizer, list them in tokenizer.special_tokens"
                : "'pool: cls' reads a <bos> put before every text, and the tokenizer has none; list it in "
                + "tokenizer.special_tokens or pool by max or mean")
        }
        let classIDs = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        func encode(_ split: String) throws -> [LabelledText] {
            guard let (lines, path) = read[split] else { return [] }
            return try lines.examples.map { example in
                guard let label = classIDs[example.label] else {
                    let header = example == lines.examples.first && !lines.skippedHeader
                        ? "; if it is a header, set data.header: true" : ""
                    throw DataError.malformed(file: path, line: example.line, reason: "the label '\(example.label)' is not one "
                        + "of the training labels (\(labels.joined(separator: ", ")))" + header)
                }
                return LabelledText(tokens: Self.framed(tokenizer.encode(example.text), spec: spec, tokenizer: tokenizer), label: label)
            }
        }
        (self.tokenizer, self.labels) = (tokenizer, labels)
        (train, valid, test) = (try encode("train"), try encode("valid"), try encode("test"))
        note = files.map { split, _ in
            let lines = read[split]?.lines
            return "\(split) \(lines?.examples.count ?? 0) texts" + (lines?.skippedHeader == true ? ", header skipped" : "")
                + ((lines?.blank ?? 0) > 0 ? ", \(lines?.blank ?? 0) blank lines" : "")
                + (lines?.possibleHeader.map { ", line \($0.line) kept as a text of '\($0.label)', a label no other line has "
                    + "(if it is a header, set data.header: true)" } ?? "")
        }.joined(separator: "; ")
    }

    /// The distinct labels, in numeric order when all are numbers (`1, 1.5, 2, 10`), else in text order.
    static func classes(of labels: [String]) -> [String] {
        let distinct = Set(labels)
        let numbers = distinct.compactMap { label in Double(label).flatMap { $0.isFinite ? (label: label, value: $0) : nil } }
        guard numbers.count == distinct.count else { return distinct.sorted() }
        return numbers.sorted { ($0.value, $0.label) < ($1.value, $1.label) }.map(\.label)
    }

    /// A text's ids as the model reads them: `[CLS] … [SEP]` for a BERT encoder, `<bos>` first for
    /// `cls` pooling (its first position), as they are otherwise.
    static func framed(_ ids: [Int], spec: ExperimentSpec, tokenizer: any Tokenizer) -> [Int] {
        let (bos, eos) = (tokenizer.bosID.map { [$0] } ?? [], tokenizer.eosID.map { [$0] } ?? [])
        if spec.model.encoder == .bert { return bos + ids + eos }
        return spec.model.pool == .cls ? bos + ids : ids
    }

    /// The tokenizer of the spec: loaded from its `file`, else the `init_from` run's (the vocabulary
    /// its weights were trained over), else trained on the training texts (char and word vocabularies
    /// reserve `<unk> <pad> <bos>`).
    private static func tokenizer(_ spec: ExperimentSpec, training texts: [String], locator: DataLocator) throws
        -> any Tokenizer {
        if let file = spec.tokenizer.file { return try LanguageModelCorpus.tokenizer(file: file, locator: locator) }
        if let source = try WeightTransfer.sourceTokenizer(of: spec) { return source }
        var options = spec.tokenizer
        if !options.kind.isSubword { options.reserved = ["<unk>", "<pad>", "<bos>"] }
        return try LanguageModelCorpus.tokenizer(options, training: texts.joined(separator: "\n"))
    }
}
