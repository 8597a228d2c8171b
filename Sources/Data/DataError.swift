/// Everything that can be wrong with a dataset or with how it is cut into batches. Messages say what
/// was looked for, where, and what to do about it.
public enum DataError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A registered dataset's file is on none of the search paths. `searched` lists every path tried,
    /// in order; `address` is where to download it from.
    case missing(name: String, file: String, searched: [String], address: String)
    /// A registered file was found but its content is not the registered one (a truncated download,
    /// a different edition).
    case checksumMismatch(file: String, expected: String, actual: String)
    /// A corpus given as a path, not a registry name, that does not exist.
    case notFound(reference: String, path: String, known: [String])
    /// A file that exists but cannot be read as UTF-8 text.
    case unreadable(file: String, reason: String)
    /// A dataset with several files (multi30k) used where one file is needed, or a file role it lacks.
    case unknownFile(name: String, role: String, known: [String])
    /// A file whose content breaks the dataset's format (a name containing the boundary symbol).
    case malformed(file: String, line: Int, reason: String)
    /// Split fractions, batch sizes or window sizes that cannot work.
    case invalidOption(String)
    /// The corpus is too short to give even one batch.
    case corpusTooShort(tokens: Int, needed: Int, batchSize: Int, numSteps: Int)
    /// Two files read line by line against each other (source and target of a parallel corpus,
    /// hypotheses and references) whose line counts differ.
    case lineCountMismatch(first: String, firstLines: Int, second: String, secondLines: Int)

    /// DESIGN.md's exit status. A checksum mismatch counts as missing input (66): the file found is not
    /// the dataset, and the remedy — download it again — is the same as for a missing one.
    public var exitCode: Int32 {
        switch self {
        case .missing, .checksumMismatch, .notFound, .unreadable: 66
        case .unknownFile, .malformed, .invalidOption, .corpusTooShort, .lineCountMismatch: 64
        }
    }

    public var description: String {
        switch self {
        case .missing(let name, let file, let searched, let address):
            let target = "data/" + file
            let directory = target.split(separator: "/").dropLast().joined(separator: "/")
            return "error: dataset '\(name)' needs \(file), which is not in any of the places searched:\n"
                + searched.map { "  " + $0 }.joined(separator: "\n")
                + "\nDownload it with:\n  mkdir -p \(directory) && curl -fL -o \(target) \(address)\n"
                + "or point --data-dir (or SEQLAB_DATA) at a directory that holds \(file)."
        case .checksumMismatch(let file, let expected, let actual):
            return "error: \(file) does not have the registered content:\n  expected sha256 \(expected)\n"
                + "  found    sha256 \(actual)\nThe download is truncated or a different edition; delete it "
                + "and download it again, or give the file's path instead of the dataset name to use it unchecked."
        case .notFound(let reference, let path, let known):
            // A run's spec.yaml keeps a path as it was written, relative to where the run was started.
            return "error: '\(reference)' is neither a registered dataset (\(known.joined(separator: ", "))) "
                + "nor an existing file (looked for \(path))"
                + (reference.hasPrefix("/") ? "" : "; a relative path is found from the current directory: run the "
                    + "command from the directory the spec's paths are relative to, or make the path absolute")
        case .unreadable(let file, let reason):
            return "error: cannot read \(file) as text (\(reason))"
        case .unknownFile(let name, let role, let known) where role == "text" && !known.isEmpty:
            return "error: dataset '\(name)' has several files (\(known.joined(separator: ", "))); name one as "
                + "'\(name):\(known[0])', e.g. in data.files"
        case .unknownFile(let name, let role, let known):
            return "error: dataset '\(name)' has no file '\(role)' (it has: \(known.joined(separator: ", ")))"
        case .malformed(let file, let line, let reason):
            return "\(file):\(line): error: \(reason)"
        case .invalidOption(let message):
            return "error: \(message)"
        case .corpusTooShort(let tokens, let needed, let batchSize, let numSteps):
            return "error: the corpus has \(tokens) tokens, but batch_size \(batchSize) × seq_len \(numSteps) "
                + "needs at least \(needed) for one batch; lower batch_size or seq_len, or use more text "
                + "(raise max_chars)"
        case .lineCountMismatch(let first, let firstLines, let second, let secondLines):
            return "error: \(first) has \(firstLines) lines but \(second) has \(secondLines); their lines are read in "
                + "pairs, so the counts must agree"
        }
    }
}
