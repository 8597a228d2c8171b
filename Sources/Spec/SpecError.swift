/// Where a spec value came from: a file (or `--set`, for command-line overrides), 1-based line and
/// column in Unicode scalars, as a compiler reports them. Line and column are 0 when an error concerns
/// a whole file (it is missing or unreadable).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int
    public var column: Int

    public init(path: String, line: Int, column: Int) {
        self.path = path
        self.line = line
        self.column = column
    }

    /// `path:line:col`, or just `path` when there is no position.
    public var description: String {
        line > 0 ? "\(path):\(line):\(column)" : path
    }
}

/// Everything that can be wrong with a spec, its overrides or the files it names, reported like a
/// compiler diagnostic so that editors and terminals can jump to it.
public struct SpecError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// Malformed YAML, unknown keys, wrong types, out-of-range values, bad overrides.
        case invalidSpec
        /// The spec file (or a file its `extends:` names) does not exist or cannot be read.
        case missingFile

        /// The process exit status of DESIGN.md: 64 bad usage or spec, 66 missing input file.
        public var exitCode: Int32 {
            switch self {
            case .invalidSpec: 64
            case .missingFile: 66
            }
        }
    }

    public var kind: Kind
    public var location: SourceLocation
    public var message: String
    /// A suggestion shown in parentheses after the message ("did you mean 'hidden'?").
    public var hint: String?
    /// The text of the offending line, shown under the message with a caret; nil when there is none.
    public var sourceLine: String?

    public init(_ kind: Kind = .invalidSpec, at location: SourceLocation, _ message: String,
                hint: String? = nil, sourceLine: String? = nil) {
        self.kind = kind
        self.location = location
        self.message = message
        self.hint = hint
        self.sourceLine = sourceLine
    }

    public var exitCode: Int32 { kind.exitCode }

    /// `path:line:col: error: message (hint)`, the first line of `rendered`.
    public var headline: String {
        "\(location): error: \(message)" + (hint.map { " (\($0))" } ?? "")
    }

    /// The headline, then the offending line under a right-aligned line number and a caret under the
    /// column:
    ///
    ///     experiments/x.yaml:12:3: error: unknown key 'hiden' in 'model' (did you mean 'hidden'?)
    ///        12 |   hiden: 256
    ///           |   ^
    public var rendered: String {
        guard let sourceLine, location.line > 0 else { return headline }
        let number = String(location.line)
        let gutter = String(repeating: " ", count: max(0, 5 - number.count)) + number
        let blank = String(repeating: " ", count: gutter.count)
        return headline + "\n" + gutter + " | " + sourceLine + "\n" + blank + " | "
            + Self.caretPadding(sourceLine, column: location.column) + "^"
    }

    public var description: String { rendered }

    /// Spaces up to the column, except that tabs in the line stay tabs so the caret lines up however
    /// the terminal expands them (tab errors are common in YAML).
    static func caretPadding(_ line: String, column: Int) -> String {
        let prefix = line.unicodeScalars.prefix(max(0, column - 1))
        return String(String.UnicodeScalarView(prefix.map { $0 == "\t" ? "\t" : " " }))
    }
}

/// Did-you-mean for keys and enum values: the closest candidate by optimal-string-alignment distance
/// (Levenshtein plus adjacent transpositions, so `hdiden` finds `hidden`), accepted only when the
/// distance is small relative to the word's length — a suggestion that is a different word misleads
/// more than no suggestion.
public enum Suggestion {
    /// The best candidate for `word`, or nil when none is close enough. Case and the spelling of word
    /// separators are ignored first, so `batchSize` and `batch-size` both find `batch_size`; then an
    /// abbreviation of exactly one candidate finds it (`min_freq` → `min_frequency`).
    public static func nearest(to word: String, in candidates: [String]) -> String? {
        let folded = fold(word)
        if let exact = candidates.first(where: { fold($0) == folded }) { return exact }
        let extensions = candidates.filter { folded.count >= 3 && fold($0).hasPrefix(folded) }
        if extensions.count == 1 { return extensions[0] }
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(Array(word.lowercased().unicodeScalars),
                                        Array(candidate.lowercased().unicodeScalars))
            let allowed = max(1, (max(word.count, candidate.count) + 1) / 3)
            if distance <= allowed, distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.candidate
    }

    /// "did you mean 'x'?" for a near miss, otherwise the full list of what is valid here.
    static func hint(for word: String, in candidates: [String]) -> String {
        if let near = nearest(to: word, in: candidates) { return "did you mean '\(near)'?" }
        return "expected one of: " + candidates.joined(separator: ", ")
    }

    private static func fold(_ word: String) -> String {
        String(word.lowercased().unicodeScalars.filter { $0 != "_" && $0 != "-" })
    }

    /// Optimal string alignment distance, O(|a|·|b|) with three rolling rows.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], before[j - 2] + 1)
                }
            }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count]
    }
}
