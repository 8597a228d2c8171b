import Foundation

/// The sentence pairs of a translation corpus, split by split: line i of the source file with line i
/// of the target file. Files whose line counts differ are refused, naming both; pairs with an empty
/// side (after trimming white space) are dropped and counted, since there is nothing to learn from
/// them and a length-0 source cannot be attended over.
public struct ParallelCorpus: Sendable {
    public struct Split: Sendable, Equatable {
        public var source: [String]
        public var target: [String]
        /// Pairs dropped for an empty side.
        public var dropped: Int

        public var count: Int { source.count }

        /// A split with no pairs: one the spec names no files for, or one not read.
        init() { (source, target, dropped) = ([], [], 0) }

        /// The pairs of two files read line by line; `sourcePath`/`targetPath` name them in messages.
        public init(source: [String], target: [String], sourcePath: String, targetPath: String) throws(DataError) {
            guard source.count == target.count else {
                throw .lineCountMismatch(first: sourcePath, firstLines: source.count, second: targetPath,
                                         secondLines: target.count)
            }
            let kept = zip(source, target).filter { !$0.isBlank && !$1.isBlank }
            self.source = kept.map(\.0)
            self.target = kept.map(\.1)
            dropped = source.count - kept.count
        }

        /// The pairs of two files, which must hold at least one: files named for a split and empty (or
        /// blank on one side throughout) are a mistake, not a split to skip.
        init(sourceAt sourceURL: URL, targetAt targetURL: URL) throws(DataError) {
            let lines = try DataLocator.readLines(at: sourceURL)
            try self.init(source: lines, target: try DataLocator.readLines(at: targetURL), sourcePath: sourceURL.path,
                          targetPath: targetURL.path)
            guard count > 0 else {
                throw .invalidOption("\(sourceURL.path) and \(targetURL.path) hold no sentence pair ("
                    + (lines.isEmpty ? "both are empty" : "each of their \(lines.count) lines has an empty side")
                    + "); give files with a sentence on each side of a line")
            }
        }
    }

    public let train: Split
    public let valid: Split
    public let test: Split

    /// The files of each split: source and target paths; a split without files is empty.
    public struct Files: Sendable, Equatable {
        public var source: String
        public var target: String

        public init(source: String, target: String) {
            (self.source, self.target) = (source, target)
        }
    }

    /// The names of the three splits, which `reading` chooses from.
    public static let splits: Set<String> = ["train", "valid", "test"]

    /// A registered parallel dataset (`multi30k`), its `<split>.<language>` files for the `source` and
    /// `target` language codes; an unknown code is refused with the languages the dataset has. Splits
    /// not in `reading` are left empty, their files unread (translating the test split needs no
    /// training files).
    public init(dataset name: String, source: String, target: String, locator: DataLocator,
                reading: Set<String> = splits) throws(DataError) {
        guard let dataset = locator.registry[name] else {
            throw .notFound(reference: name, path: name, known: locator.registry.names)
        }
        let languages = Array(Set(dataset.files.compactMap { $0.role.split(separator: ".").last.map(String.init) })).sorted()
        for code in [source, target] where !languages.contains(code) {
            throw .invalidOption("dataset '\(name)' has no language '\(code)' (it has: \(languages.joined(separator: ", "))); "
                + "set data.source and data.target to two of them")
        }
        func split(_ split: String) throws(DataError) -> Split {
            guard reading.contains(split) else { return Split() }
            return try Split(sourceAt: try locator.url(for: name, role: "\(split).\(source)"),
                             targetAt: try locator.url(for: name, role: "\(split).\(target)"))
        }
        (train, valid, test) = (try split("train"), try split("valid"), try split("test"))
    }

    /// Pairs from files: the training files, and valid and test files where given; files without a
    /// pair are refused. Splits not in `reading` are left empty, as for a registered dataset.
    public init(train: Files, valid: Files?, test: Files?, locator: DataLocator, reading: Set<String> = splits)
        throws(DataError) {
        func split(_ name: String, _ files: Files?) throws(DataError) -> Split {
            guard let files, reading.contains(name) else { return Split() }
            return try Split(sourceAt: try locator.url(for: files.source), targetAt: try locator.url(for: files.target))
        }
        (self.train, self.valid, self.test) = (try split("train", train), try split("valid", valid), try split("test", test))
    }

    /// Every pair dropped for an empty side, for the log.
    public var dropped: Int { train.dropped + valid.dropped + test.dropped }
}
