import Foundation

/// Why a file a user named could not be read, in the few words every reader puts after the path.
public struct FileReadFailure: Error, Sendable {
    public let reason: String
}

/// The whole file at `path`, or why not: "no such file", "it is a directory, not a file",
/// "permission denied", or the system's reason. The readers of specs, corpora and tokenizer files
/// all word their refusals this way.
public func readFileBytes(atPath path: String) throws(FileReadFailure) -> Data {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw FileReadFailure(reason: "no such file")
    }
    guard !isDirectory.boolValue else { throw FileReadFailure(reason: "it is a directory, not a file") }
    guard FileManager.default.isReadableFile(atPath: path) else { throw FileReadFailure(reason: "permission denied") }
    do {
        return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw FileReadFailure(reason: error.localizedDescription)
    }
}

/// Whether `path` names a directory (through symbolic links).
public func directoryExists(atPath path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
}
