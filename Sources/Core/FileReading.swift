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

/// `data` as UTF-8 text, or where it stops being UTF-8: "not valid UTF-8: line 3, byte 41" (byte
/// counted from the start, both from 1), so the person can find the stray byte with an editor.
public func utf8Text(_ data: Data) throws(FileReadFailure) -> String {
    if let text = String(data: data, encoding: .utf8) { return text }
    var parser = Unicode.UTF8.ForwardParser()
    var bytes = data.makeIterator()
    var (offset, line) = (0, 1)
    while case .valid(let scalar) = parser.parseScalar(from: &bytes) {
        if scalar.count == 1, scalar.first == UInt8(ascii: "\n") { line += 1 }
        offset += scalar.count
    }
    throw FileReadFailure(reason: "not valid UTF-8: line \(line), byte \(offset + 1)")
}

/// Whether `path` names a directory (through symbolic links).
public func directoryExists(atPath path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
}
