import Core
import Foundation

extension ExperimentSpec {
    /// Reads the spec at `path`: parses the YAML, resolves `extends:` (relative to the file that names
    /// it), applies `overrides` in order, fills in defaults, and checks every key, type and range.
    ///
    /// - Parameter overrides: `KEY=VALUE` strings as given to `--set`, e.g. `train.optimizer.lr=0.3`;
    ///   the value is YAML, so `eval.metrics=[loss, accuracy]` sets a list. Errors in the N-th override
    ///   are reported at `--set:N:column`, with the override shown under the message.
    /// - Throws: `SpecError`; its `kind` is `.missingFile` (exit 66) when the file, or one that
    ///   `extends:` names, cannot be read, and `.invalidSpec` (exit 64) for everything else.
    /// - Parameter ranks: the MPI ranks that will train it (1 alone); each takes an equal share of
    ///   every batch, so `train.batch_size` must divide by them.
    public static func load(path: String, overrides: [String] = [], ranks: Int = 1) throws(SpecError) -> ExperimentSpec {
        try parse(try readFile(path, namedAt: nil), path: path, overrides: overrides, ranks: ranks)
    }

    /// `load(path:overrides:ranks:)` for text already in memory; `path` names it in diagnostics,
    /// supplies the default `name`, and anchors relative `extends:` paths.
    public static func parse(_ text: String, path: String, overrides: [String] = [], ranks: Int = 1) throws(SpecError)
        -> ExperimentSpec {
        let root = try YAMLReader.read(text, source: SourceText(path: path, text: text))
        let tree = try Overrides.apply(overrides, to: try flattened(root, path: path, chain: [identity(path)]))
        let spec = try decode(named(tree, path: path), section: "")
        try checkBatchSplits(spec.train.batchSize, over: ranks, tree)
        return spec
    }

    /// Data-parallel training gives each rank an equal share of every batch.
    private static func checkBatchSplits(_ batchSize: Int, over ranks: Int, _ tree: Node) throws(SpecError) {
        guard ranks > 1, batchSize % ranks != 0 else { return }
        let train = tree.entry("train")?.value
        let lower = batchSize / ranks * ranks
        throw (train?.entry("batch_size")?.value.mark ?? train?.mark ?? tree.mark).error(
            "'train.batch_size' (\(batchSize)) does not split evenly over \(ranks) MPI ranks, which each take an equal "
                + "share of every batch",
            hint: "use a multiple of \(ranks): " + (lower > 0 ? "\(lower) or " : "") + "\(lower + ranks)")
    }

    /// A spec file's tree with `extends:` resolved, not yet decoded: a sweep sets each of its values
    /// in it to check them where the sweep file wrote them.
    struct Tree {
        let root: Node
        let path: String

        /// The spec as the file and those it extends give it.
        func decoded() throws(SpecError) -> ExperimentSpec {
            try ExperimentSpec.decode(named(root, path: path), section: "")
        }

        /// The spec with the key at `keyPath` set to `value`; every error points into `value`'s file.
        func decode(setting keyPath: [(key: String, mark: Mark)], to value: Node) throws(SpecError) -> ExperimentSpec {
            let tree = try Overrides.set(keyPath[...], to: value, in: root, schema: ExperimentSpec.keySchema, section: "")
            return try ExperimentSpec.decode(named(tree, path: path), section: "")
        }
    }

    /// The tree of the spec at `path`; a missing file is reported at `mark`, where it is named.
    static func tree(path: String, namedAt mark: Mark) throws(SpecError) -> Tree {
        let text = try readFile(path, namedAt: mark, by: "base")
        let root = try YAMLReader.read(text, source: SourceText(path: path, text: text))
        return Tree(root: try flattened(root, path: path, chain: [identity(path)]), path: path)
    }

    /// A dotted key (`train.optimizer.lr`) written at `mark`, cut into its parts, each with its column.
    static func keyPath(_ dotted: String, at mark: Mark) throws(SpecError) -> [(key: String, mark: Mark)] {
        var parts: [(key: String, mark: Mark)] = []
        var column = mark.column
        for part in dotted.split(separator: ".", omittingEmptySubsequences: false) {
            let partMark = Mark(source: mark.source, line: mark.line, column: column)
            if part.isEmpty { throw partMark.error("the key '\(dotted)' has an empty part") }
            parts.append((String(part), partMark))
            column += part.unicodeScalars.count + 1
        }
        return parts
    }

    /// `tree` with the default `name`, the file's stem, when it sets none.
    private static func named(_ tree: Node, path: String) -> Node {
        guard tree.entry("name") == nil, var entries = tree.entries else { return tree }
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        entries.insert(Node.Entry(key: "name", keyMark: tree.mark,
                                  value: Node(value: .scalar(stem, plain: false), mark: tree.mark)), at: 0)
        var named = tree
        named.value = .mapping(entries)
        return named
    }

    /// The file's tree with its `extends:` chain merged underneath. The base's `name` is dropped: a
    /// derived experiment named after its base would write its runs under the base's name.
    private static func flattened(_ root: Node, path: String, chain: [String]) throws(SpecError) -> Node {
        guard let entries = root.entries else {
            throw root.mark.error("expected a mapping of sections at the top of the spec, found \(root.summary)")
        }
        guard let extends = root.entry("extends") else { return root }
        guard case .scalar(let target, _) = extends.value.value, !extends.value.isNull, !target.isEmpty else {
            throw extends.value.mark.error("expected a file path for 'extends', found \(extends.value.summary)")
        }
        let basePath = target.hasPrefix("/") ? target : directory(of: path) + target
        if chain.contains(identity(basePath)) {
            throw extends.value.mark.error("'extends' makes a cycle: '\(basePath)' already extends this file")
        }
        let text = try readFile(basePath, namedAt: extends.value.mark)
        let base = try flattened(try YAMLReader.read(text, source: SourceText(path: basePath, text: text)),
                                 path: basePath, chain: chain + [identity(basePath)])
        var mine = root
        mine.value = .mapping(entries.filter { $0.key != "extends" })
        var inherited = base
        inherited.value = .mapping((base.entries ?? []).filter { $0.key != "name" })
        return mine.merged(over: inherited)
    }

    /// The directory part of `path` as written (with a trailing slash), so that diagnostics about a
    /// base file show a path the user recognises rather than an absolute one.
    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }

    /// A canonical form of a path, for detecting `extends` cycles however the paths are spelled.
    private static func identity(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The text of the spec or sweep file at `path`, read once (it may be a pipe: `check <(…)`), for
    /// `parse` or `SweepSpec.parse`.
    public static func text(ofFileAt path: String) throws(SpecError) -> String {
        try readFile(path, namedAt: nil)
    }

    /// The file's text. A missing file is reported at `namedAt` (the `extends:` value that names it)
    /// when there is one, else against the path alone.
    static func readFile(_ path: String, namedAt mark: Mark?, by key: String = "extends") throws(SpecError) -> String {
        let data: Data
        do {
            data = try readFileBytes(atPath: path)
        } catch {
            guard let mark else {
                throw SpecError(.missingFile, at: SourceLocation(path: path, line: 0, column: 0),
                                "cannot read spec file '\(path)': \(error.reason)")
            }
            throw mark.error("cannot read '\(path)' named by '\(key)': \(error.reason)", kind: .missingFile)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let message = "'\(path)' is not UTF-8 text"
            throw mark?.error(message) ?? SpecError(at: SourceLocation(path: path, line: 0, column: 0), message)
        }
        return text
    }
}

/// `--set KEY=VALUE` overrides, applied to the YAML tree before decoding so that an override is
/// typed, range-checked and reported exactly like the same value written in the file.
///
/// Each override is a pseudo-line of the source `--set`: an error in the second override reads
/// `--set:2:21: error: …` and shows that override with a caret, the column counted within it.
enum Overrides {
    /// The name of the overrides' pseudo-source in messages.
    static let sourcePath = "--set"

    static func apply(_ overrides: [String], to root: Node) throws(SpecError) -> Node {
        let source = SourceText(path: sourcePath, lines: overrides)
        var tree = root
        for (index, override) in overrides.enumerated() {
            tree = try apply(override, line: index + 1, source: source, to: tree)
        }
        return tree
    }

    private static func apply(_ override: String, line: Int, source: SourceText, to root: Node) throws(SpecError) -> Node {
        let scalars = Array(override.unicodeScalars)
        guard let equals = scalars.firstIndex(of: "=") else {
            throw Mark(source: source, line: line, column: 1)
                .error("an override is KEY=VALUE, found '\(override)'", hint: "e.g. --set train.optimizer.lr=0.3")
        }
        var path: [(key: String, mark: Mark)] = []
        var start = 0
        // The '=' ends the last part as a '.' ends the others.
        for i in 0...equals where i == equals || scalars[i] == "." {
            let key = String(String.UnicodeScalarView(scalars[start..<i]))
            let mark = Mark(source: source, line: line, column: start + 1)
            if key.isEmpty { throw mark.error("an override key has an empty part in '\(override)'") }
            path.append((key, mark))
            start = i + 1
        }
        let valueText = String(String.UnicodeScalarView(scalars[(equals + 1)...]))
        let valueMark = Mark(source: source, line: line, column: equals + 2)
        let value = valueText.allSatisfy { $0 == " " }
            ? Node(value: .scalar("", plain: true), mark: valueMark)
            : try YAMLReader.read(valueText, source: source, line: line, column: equals + 2)
        return try set(path[...], to: value, in: root, schema: ExperimentSpec.keySchema, section: "")
    }

    /// `node` with the key at `path` set to `value`, creating sections the tree lacks. Every part of
    /// the path is checked against the schema here, where its column is known, rather than left to
    /// decoding, which could only point at the value.
    static func set(_ path: ArraySlice<(key: String, mark: Mark)>, to value: Node, in node: Node,
                            schema: KeySchema, section: String) throws(SpecError) -> Node {
        guard let (key, mark) = path.first else { return value }
        guard let field = schema.keys.first(where: { $0.key == key }) else {
            throw unknownKey(key, at: mark, section: section, valid: schema.keys.map(\.key))
        }
        if section.isEmpty, key == "extends" {
            throw mark.error("'extends' can only be set in a spec file")
        }
        let name = qualified(section, key)
        var entries = node.entries ?? []
        let index = entries.firstIndex { $0.key == key }
        var newValue = value
        if path.count > 1 {
            guard let nested = field.nested else {
                throw path[path.startIndex + 1].mark.error("'\(name)' is a value, not a section")
            }
            let existing = index.map { entries[$0].value }.flatMap { $0.entries == nil ? nil : $0 }
            newValue = try set(path.dropFirst(), to: value, in: existing ?? Node(value: .mapping([]), mark: mark),
                               schema: nested, section: name)
        }
        if let index {
            entries[index].value = newValue
            entries[index].keyMark = mark
        } else {
            entries.append(Node.Entry(key: key, keyMark: mark, value: newValue))
        }
        return Node(value: .mapping(entries), mark: node.mark)
    }
}
