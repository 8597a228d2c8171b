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
        // A pipe (`--ref <(zcat refs.gz)`) has no size to read up to: it is read to its end.
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular else {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw FileReadFailure(reason: "permission denied") }
            defer { try? handle.close() }
            return try handle.readToEnd() ?? Data()
        }
        return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch let failure as FileReadFailure {
        throw failure
    } catch {
        throw FileReadFailure(reason: error.localizedDescription)
    }
}

/// `data` as UTF-8 text, or where it stops being UTF-8: "not valid UTF-8: line 3, byte 7 of the
/// line, byte 41 of the text", counted from 1, lines ended by LF, CRLF or CR, so the person can find
/// the stray byte with an editor.
public func utf8Text(_ data: Data) throws(FileReadFailure) -> String {
    if let text = String(data: data, encoding: .utf8) { return text }
    var parser = Unicode.UTF8.ForwardParser()
    var bytes = data.makeIterator()
    var (offset, line, lineStart, afterCR) = (0, 1, 0, false)
    while true {
        switch parser.parseScalar(from: &bytes) {
        case .valid(let scalar):
            let byte = scalar.count == 1 ? scalar.first : nil
            if byte == UInt8(ascii: "\r") || (byte == UInt8(ascii: "\n") && !afterCR) { line += 1 }
            offset += scalar.count
            if byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") { lineStart = offset }
            afterCR = byte == UInt8(ascii: "\r")
        case .error:
            throw FileReadFailure(reason: "not valid UTF-8: line \(line), byte \(offset - lineStart + 1) of the line, "
                + "byte \(offset + 1) of the text")
        case .emptyInput:
            // Every byte parsed: what Foundation refused, the standard library reads exactly.
            return String(decoding: data, as: UTF8.self)
        }
    }
}

/// Whether `path` names a directory (through symbolic links).
public func directoryExists(atPath path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
}
