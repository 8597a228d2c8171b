import Foundation

/// Everything that can go wrong training, saving or loading a tokenizer. Each case names the file and,
/// for a malformed `tokenizer.json`, the JSON path of the problem (`$.vocabulary[3]`), so that a user can
/// open the file and go straight to it.
public enum TextError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file does not exist or cannot be read.
    case unreadable(file: String, reason: String)
    /// The file is not valid JSON, or a value in it has the wrong type or an impossible value.
    case malformed(file: String, path: String, reason: String)
    /// `"kind"` names no tokenizer this build knows.
    case unknownKind(file: String, kind: String, known: [String])
    /// The file was written by a newer (or unknown) version of the format.
    case unsupportedVersion(file: String, version: Int, supported: Int)
    /// A well-formed `tokenizer.json` asks for something SeqLab does not implement (a `Unigram` model,
    /// an `NFKC` normalizer); refused rather than approximated.
    case unsupported(file: String, path: String, reason: String)
    /// A training option that cannot be satisfied (a `maxSize` smaller than the reserved tokens).
    case invalidOption(String)
    /// Saving failed.
    case unwritable(file: String, reason: String)

    /// A failed write of `url`, saying so plainly when its directory is missing.
    static func unwritable(_ url: URL, _ error: any Error) -> TextError {
        let directory = url.deletingLastPathComponent().path
        return .unwritable(file: url.path, reason: FileManager.default.fileExists(atPath: directory)
            ? error.localizedDescription : "the directory \(directory) does not exist")
    }

    /// The process exit status of DESIGN.md: 66 for input that is missing, 64 for input a user must fix
    /// (a malformed file is bad input, like a bad spec), 1 for an I/O failure while writing.
    public var exitCode: Int32 {
        switch self {
        case .unreadable: 66
        case .malformed, .unsupported, .unknownKind, .unsupportedVersion, .invalidOption: 64
        case .unwritable: 1
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "\(file): error: cannot read the tokenizer (\(reason)); check the path, or train one by running the spec"
        case .malformed(let file, let path, let reason):
            "\(file): error: \(path): \(reason)"
        case .unsupported(let file, let path, let reason):
            "\(file): error: \(path): SeqLab does not implement \(reason)"
        case .unknownKind(let file, let kind, let known):
            "\(file): error: $.kind: unknown tokenizer kind '\(kind)' (known: \(known.joined(separator: ", ")))"
        case .unsupportedVersion(let file, let version, let supported):
            "\(file): error: $.version: format version \(version) is not supported (this build reads version "
                + "\(supported)); retrain the tokenizer or use the SeqLab that wrote it"
        case .invalidOption(let message):
            "error: tokenizer: \(message)"
        case .unwritable(let file, let reason):
            "\(file): error: cannot write the tokenizer (\(reason))"
        }
    }
}
