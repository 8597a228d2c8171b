/// Everything that can be wrong with a run directory or a checkpoint. Each message names the file and
/// says what to do, because these errors reach a person at the end of `runner resume` or `runner
/// sample`, usually long after the run that wrote the files.
public indirect enum RunError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `runner resume DIR` / `runner sample DIR` named a directory that does not exist.
    case missingRun(path: String)
    /// The directory exists but was not made by `runner` (it has no spec.yaml).
    case notARun(path: String)
    /// `runner table` / `runner plot` named a path that is neither a run nor a directory holding runs.
    case noRuns(path: String)
    /// A run name that cannot name a run directory (`RunName.problem`).
    case invalidRunName(String, problem: String)
    /// A checkpoint file, or any checkpoint in a run's `checkpoints/`, is missing.
    case missingCheckpoint(path: String)
    /// The step checkpoints are gone (deleted by hand) but best.ckpt is there: the run did get that far.
    case onlyBestCheckpoint(directory: String)
    /// The file does not start with the checkpoint magic bytes.
    case notACheckpoint(path: String)
    /// The file is a SeqLab checkpoint in a format version this build cannot read.
    case unsupportedVersion(path: String, found: UInt32, supported: UInt32)
    /// The file is shorter than its header says (a write cut short by a crash or a full disk).
    /// `expected` is nil when even the fixed-size header is incomplete.
    case truncated(path: String, expected: Int?, actual: Int)
    /// The stored checksum does not match the content: bytes changed after the file was written.
    case checksumMismatch(path: String, stored: UInt32, computed: UInt32)
    /// The content passed its checksum but does not describe a consistent checkpoint.
    case malformed(path: String, reason: String)
    /// The checkpoint was written for a different resolved spec than the run's spec.yaml.
    case specMismatch(path: String, checkpoint: UInt64, expected: UInt64)
    /// The checkpoint's parameter table does not fit the model being loaded.
    case layoutMismatch(path: String, problems: [LayoutProblem])
    /// Every checkpoint in a run's `checkpoints/` was refused; `problems` lists each, newest first.
    case noUsableCheckpoint(directory: String, problems: [RunError])
    /// A file of a run or sweep directory that is not what it should be (`path` may end in `:line`).
    case badFile(path: String, reason: String)
    /// Another process holds the directory's lock (`DirectoryLock`): it is training or sweeping there now.
    case locked(directory: String, pid: Int32?)
    /// The operating system refused a read, write, rename or sync.
    case io(path: String, operation: String, reason: String)
    /// A file was to be written into a directory that does not exist (`--out dir/x.svg`).
    case missingDirectory(path: String, directory: String)

    /// One difference between a checkpoint's parameter table and a model's `ParameterLayout`.
    public enum LayoutProblem: Hashable, Sendable, CustomStringConvertible {
        /// The model has a parameter the checkpoint lacks.
        case missingKey(String, shape: [Int])
        /// The checkpoint has a parameter the model does not.
        case unexpectedKey(String, shape: [Int])
        case shapeMismatch(String, model: [Int], checkpoint: [Int])

        public var description: String {
            switch self {
            case .missingKey(let key, let shape):
                "missing parameter '\(key)' \(shape) (the model has it, the checkpoint does not)"
            case .unexpectedKey(let key, let shape):
                "unexpected parameter '\(key)' \(shape) (the checkpoint has it, the model does not)"
            case .shapeMismatch(let key, let model, let checkpoint):
                "parameter '\(key)' has shape \(checkpoint) in the checkpoint but \(model) in the model"
            }
        }
    }

    /// DESIGN.md's exit status: 66 for missing input, 64 for a file that is there but is not what the
    /// command needs (a foreign, damaged or mismatched checkpoint counts as bad input, not as a
    /// failed run), 1 for the operating system failing a read or write.
    public var exitCode: Int32 {
        switch self {
        case .missingRun, .missingCheckpoint, .onlyBestCheckpoint, .noUsableCheckpoint, .missingDirectory: 66
        case .notARun, .noRuns, .invalidRunName, .notACheckpoint, .unsupportedVersion, .truncated, .checksumMismatch,
             .malformed, .specMismatch, .layoutMismatch, .badFile: 64
        case .io, .locked: 1
        }
    }

    public var description: String {
        switch self {
        case .missingRun(let path):
            return "error: no run directory at \(path); runs are created under runs/ as <name>-YYYYMMDD-HHMMSS"
        case .notARun(let path):
            return "error: \(path) is not a SeqLab run directory (it has no spec.yaml); "
                + "give a directory that `runner SPEC` created under runs/"
        case .noRuns(let path):
            return "error: \(path) is neither a run directory (it has no spec.yaml) nor a directory of runs (none of "
                + "its subdirectories has one); give runs made by `runner SPEC`, or a directory that holds them"
        case .invalidRunName(_, let problem):
            return "error: a run's name \(problem)"
        case .missingCheckpoint(let path):
            return "error: no checkpoint at \(path); the run stopped before its first checkpoint, so start it "
                + "again with `runner SPEC`"
        case .onlyBestCheckpoint(let directory):
            return "error: \(directory) holds no step checkpoint, only best.ckpt, which a run does not continue from; give "
                + "--checkpoint best where the command takes it, or train the run again"
        case .notACheckpoint(let path):
            return "error: \(path) is not a SeqLab checkpoint (it does not start with SEQLABCK)"
        case .unsupportedVersion(let path, let found, let supported):
            let hint = found > supported
                ? "it was written by a newer SeqLab; update SeqLab to read it"
                : "it was written by an older SeqLab; resume it with that version, or start the run again"
            return "error: \(path) is checkpoint format v\(found), this SeqLab reads v\(supported): \(hint)"
        case .truncated(let path, let expected, let actual):
            let size = expected.map { "its header says \($0) bytes" }
                ?? "the header alone needs \(Checkpoint.headerSize) bytes"
            return "error: \(path) is truncated: the file has \(actual) bytes but \(size); the write was cut "
                + "short (crash or full disk); delete it and resume from an earlier checkpoint"
        case .checksumMismatch(let path, let stored, let computed):
            return "error: \(path) is corrupt: stored checksum \(hex(stored)), content hashes to \(hex(computed)); "
                + "delete it and resume from an earlier checkpoint"
        case .malformed(let path, let reason):
            return "error: \(path) is not a consistent checkpoint: \(reason)"
        case .specMismatch(let path, let checkpoint, let expected):
            return "error: \(path) was written for a different spec (hash \(hex(checkpoint)), the run's spec.yaml "
                + "hashes to \(hex(expected))): it is another run's checkpoint, or spec.yaml changed after the run started; "
                + "give this run's own checkpoint, restore its spec.yaml, or start a new run"
        case .layoutMismatch(let path, let problems):
            return "error: \(path) does not fit the model:\n"
                + problems.map { "  " + $0.description }.joined(separator: "\n")
                + "\nthe model in the spec, or a vocabulary its sizes come from (tokenizer.json, labels.txt, vocabulary.tsv), "
                + "differs from the one that was trained; restore the run's files or start a new run"
        case .noUsableCheckpoint(let directory, let problems):
            return "error: no usable checkpoint in \(directory):\n"
                + problems.map { "  " + $0.description }.joined(separator: "\n")
        case .badFile(let path, let reason):
            return "error: \(path): \(reason)"
        case .locked(let directory, let pid):
            return "error: \(directory) is in use by \(pid.map { "process \($0)" } ?? "another process") (it holds "
                + "\(DirectoryLock.fileName)); wait for it to end or stop it, then run this again"
        case .io(let path, let operation, let reason):
            return "error: cannot \(operation) \(path): \(reason); check the disk space and permissions"
        case .missingDirectory(let path, let directory):
            return "error: cannot write \(path): the directory \(directory) does not exist; create it or choose another path"
        }
    }
}

private func hex<T: FixedWidthInteger>(_ value: T) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, T.bitWidth / 4 - digits.count)) + digits
}
