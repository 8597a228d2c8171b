import Core
import Foundation

/// Finds dataset files on the search path and verifies them against the registry.
///
/// A registry name is looked up in these directories, in order, and the first that holds the file
/// wins: the CLI's `--data-dir`, `$SEQLAB_DATA`, `./data`, `../shared/data` (relative ones against the
/// current directory). Anything that is not a registry name is a path to a file, used as it is,
/// without a checksum. The environment and current directory are parameters so that tests (and
/// callers with their own notion of them) never have to mutate the process.
public struct DataLocator: Sendable {
    /// The directories searched, in order, already absolute and without duplicates.
    public let searchDirectories: [String]
    public let registry: DatasetRegistry
    public let currentDirectory: String

    public init(dataDirectory: String?, environment: [String: String], currentDirectory: String,
                registry: DatasetRegistry = .standard) {
        let candidates = [dataDirectory, environment["SEQLAB_DATA"], "data", "../shared/data"]
            .compactMap { $0 }.filter { !$0.isEmpty }
        var seen = Set<String>()
        searchDirectories = candidates.map { Self.absolute($0, in: currentDirectory) }
            .filter { seen.insert($0).inserted }
        self.registry = registry
        self.currentDirectory = currentDirectory
    }

    /// The locator of this process: its environment and working directory.
    public static func forCurrentProcess(dataDirectory: String?) -> DataLocator {
        DataLocator(dataDirectory: dataDirectory, environment: ProcessInfo.processInfo.environment,
                    currentDirectory: FileManager.default.currentDirectoryPath)
    }

    /// The verified location of one file of a registered dataset.
    public func url(of file: DatasetFile, in dataset: Dataset) throws(DataError) -> URL {
        let candidates = searchDirectories.map { ($0 as NSString).appendingPathComponent(file.relativePath) }
        guard let path = candidates.first(where: Self.isFile) else {
            throw .missing(name: dataset.name, file: file.relativePath, searched: candidates, address: file.address)
        }
        try ChecksumCache.shared.verify(path: path, expected: file.sha256)
        return URL(fileURLWithPath: path)
    }

    /// The file a spec's `data.corpus` (or a `role` of it, for multi-file datasets) stands for: a
    /// registered dataset, verified, or else a path to an existing file. `name:role` names one file
    /// of a multi-file dataset where a single file is expected (`data.files.train: wikitext2:valid`).
    public func url(for reference: String, role: String? = nil) throws(DataError) -> URL {
        if role == nil, let colon = reference.firstIndex(of: ":"), let dataset = registry[String(reference[..<colon])] {
            return try url(of: try dataset.file(role: String(reference[reference.index(after: colon)...])), in: dataset)
        }
        if let dataset = registry[reference] {
            let file = if let role { try dataset.file(role: role) } else { try dataset.singleFile() }
            return try url(of: file, in: dataset)
        }
        let path = Self.absolute(reference, in: currentDirectory)
        guard Self.isFile(path) else {
            if FileManager.default.fileExists(atPath: path) {
                throw .unreadable(file: path, reason: "it is a directory, not a file; name a file in it")
            }
            throw .notFound(reference: reference, path: path, known: registry.names)
        }
        return URL(fileURLWithPath: path)
    }

    /// `reference` as it is found from any directory: a relative path made absolute against the
    /// current directory; a registry name (or `name:role`) and an absolute path as they are. A new
    /// run's spec.yaml records its paths so, and `eval` or `resume` started elsewhere reads the same files.
    public func anchored(_ reference: String) -> String {
        let name = reference.firstIndex(of: ":").map { String(reference[..<$0]) } ?? reference
        guard !reference.isEmpty, registry[reference] == nil, registry[name] == nil else { return reference }
        return Self.absolute(reference, in: currentDirectory)
    }

    /// Every file `reference` stands for, in order: all the files of a registered dataset named alone
    /// (`wikitext2`: its valid and test files), or the one file of `url(for:)`.
    public func urls(for reference: String) throws(DataError) -> [URL] {
        guard let dataset = registry[reference] else { return [try url(for: reference)] }
        var urls: [URL] = []
        for file in dataset.files { urls.append(try url(of: file, in: dataset)) }
        return urls
    }

    /// The UTF-8 text of `reference` (see `url(for:role:)`).
    public func text(of reference: String, role: String? = nil) throws(DataError) -> String {
        try Self.readText(at: url(for: reference, role: role))
    }

    /// The lines of a text file as `lines(of:)` cuts them.
    public static func readLines(at url: URL) throws(DataError) -> [String] {
        lines(of: try readText(at: url))
    }

    /// The lines of a text: LF, CRLF and a lone CR each end a line (Python's universal newlines; SST-2's
    /// training file mixes the last two); a final line end does not start another line. One pass over
    /// the bytes, which a line end (ASCII) never falls inside of.
    public static func lines(of text: String) -> [String] {
        let bytes = text.utf8
        var lines: [String] = []
        var (start, index) = (bytes.startIndex, bytes.startIndex)
        while index != bytes.endIndex {
            let byte = bytes[index]
            bytes.formIndex(after: &index)
            guard byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") else { continue }
            lines.append(String(text[start..<bytes.index(before: index)]))
            if byte == UInt8(ascii: "\r"), index != bytes.endIndex, bytes[index] == UInt8(ascii: "\n") {
                bytes.formIndex(after: &index)
            }
            start = index
        }
        if start != bytes.endIndex { lines.append(String(text[start...])) }
        return lines
    }

    /// The lines of a text as sacreBLEU reads a file (Python's `newline="\n"`): only LF ends a line; a
    /// CR stays in its line, where BLEU's tokenizers take it for white space.
    public static func lineFeedLines(of text: String) -> [String] {
        // By scalars: "\r\n" is one Character, which a split on Characters would not cut.
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
            .map { String(String.UnicodeScalarView($0)) }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// `text` as Python's text mode reads a file (`open(path).read()` in d2l and nanoGPT): "\r\n" and a
    /// lone "\r" end a line as "\n" does, so a corpus saved on Windows trains the same model.
    public static func universalNewlines(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "\r")) else { return text }
        return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// The text of standard input, which must be UTF-8 (a stray byte is refused with its line, not
    /// read as U+FFFD).
    public static func standardInputText() throws(DataError) -> String {
        try text(of: FileHandle.standardInput.readDataToEndOfFile(), from: "standard input")
    }

    /// `data` as UTF-8 text, or the error that names `file` and the first stray byte.
    private static func text(of data: Foundation.Data, from file: String) throws(DataError) -> String {
        do {
            return try utf8Text(data)
        } catch {
            throw .unreadable(file: file, reason: error.reason)
        }
    }

    /// The UTF-8 text of a file, decompressed first when it is gzip data (by its magic bytes, whatever
    /// its name).
    public static func readText(at url: URL) throws(DataError) -> String {
        var data: Foundation.Data
        do {
            data = try readFileBytes(atPath: url.path)
        } catch {
            throw .unreadable(file: url.path, reason: error.reason)
        }
        if Gzip.isCompressed(data) {
            do {
                data = Foundation.Data(try Gzip.decompress(data))
            } catch {
                throw .unreadable(file: url.path, reason: "gzip: \(error)")
            }
        }
        return try text(of: data, from: url.path)
    }

    private static func absolute(_ path: String, in directory: String) -> String {
        let joined = path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
        return (joined as NSString).standardizingPath
    }

    private static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}

/// Per-process memory of files already verified, so that a file is hashed once however many times a
/// run (or a sweep in one process) asks for it. A file is re-hashed if its size or modification time
/// changed since.
final class ChecksumCache: @unchecked Sendable {
    static let shared = ChecksumCache()

    private struct Stamp: Hashable {
        let path: String
        let size: Int
        let modified: Date?
    }

    /// Guards `verified`; verification may be asked for from several threads of a sweep.
    private let lock = NSLock()
    private var verified: [Stamp: String] = [:]
    private var hashCounts: [String: Int] = [:]

    func verify(path: String, expected: String) throws(DataError) {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let stamp = Stamp(path: path, size: (attributes?[.size] as? NSNumber)?.intValue ?? -1,
                          modified: attributes?[.modificationDate] as? Date)
        if lock.withLock({ verified[stamp] }) == expected.lowercased() { return }
        let data: Foundation.Data
        do {
            data = try Foundation.Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
        let actual = SHA256.hexDigest(of: data)
        lock.withLock {
            hashCounts[path, default: 0] += 1
            verified[stamp] = actual
        }
        guard actual == expected.lowercased() else {
            throw .checksumMismatch(file: path, expected: expected.lowercased(), actual: actual)
        }
    }

    /// How many times the file at `path` was actually hashed; tests read it to see the cache work.
    func hashCount(of path: String) -> Int { lock.withLock { hashCounts[path, default: 0] } }
}
