/// Where each key of a loaded spec was written: the file (or `--set`), line and column of its value.
/// Rules that span keys and need more than the spec to check (the planner's "`seq_len` within
/// `block_size`", a sentence longer than `max_positions`) run after loading; with this they are
/// reported at the key to change, as a parse error is, and not as a bare message.
public struct SpecOrigins: Sendable, Equatable {
    /// Dotted key (`train.seq_len`) → the mark of its value, for every key of every mapping written.
    private let marks: [String: Mark]
    /// The mark of the spec's root mapping, in its own file; nil for a spec made in code.
    private let root: Mark?

    /// A spec made in code: no key has a place.
    public init() { (marks, root) = ([:], nil) }

    /// The keys of `tree`, a spec with `extends:` and overrides laid over it.
    init(_ tree: Node) {
        var marks: [String: Mark] = [:]
        func walk(_ node: Node, prefix: String) {
            for entry in node.entries ?? [] {
                let key = prefix.isEmpty ? entry.key : prefix + "." + entry.key
                marks[key] = entry.value.mark
                walk(entry.value, prefix: key)
            }
        }
        walk(tree, prefix: "")
        (self.marks, root) = (marks, tree.mark)
    }

    /// Where a value was written is no part of what the spec says: two specs that set the same values
    /// are equal.
    public static func == (lhs: SpecOrigins, rhs: SpecOrigins) -> Bool { true }

    /// The spec error `message` at the one of `keys` written nearest the user: by `--set`, then in the
    /// spec's own file, then in a file it extends, the first of `keys` among equals. Failing all, at
    /// the nearest written section of one of them, then at the top of the spec's file. Nil for a spec
    /// made in code, which has no file to point into.
    public func error(at keys: [String], _ message: String) -> SpecError? {
        let sections = keys.flatMap { key in
            let parts = key.split(separator: ".")
            return (1..<parts.count).reversed().map { parts[..<$0].joined(separator: ".") }
        }
        func nearest(_ keys: [String]) -> Mark? {
            let written = keys.compactMap { marks[$0] }.enumerated()
            return written.min { ($0.element.distance(root), $0.offset) < ($1.element.distance(root), $1.offset) }?.element
        }
        if let mark = nearest(keys) ?? nearest(sections) {
            return mark.error(message)
        }
        return root.map { SpecError(at: SourceLocation(path: $0.source.path, line: 0, column: 0), message) }
    }
}

private extension Mark {
    /// 0 for a value given by `--set`, 1 in the spec's own file (`root`'s), 2 in a file it extends.
    func distance(_ root: Mark?) -> Int {
        source.path == Overrides.sourcePath ? 0 : source.path == root?.source.path ? 1 : 2
    }
}
