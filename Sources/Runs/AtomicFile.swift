import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces the file at `target` (or the file a link there points to) with `data` so that a reader
/// (or a run resumed after a crash) sees either the old content or the new, never a mixture: write a
/// temporary file in the same directory (rename is only atomic within one file system), fsync it,
/// rename it over the target, then fsync the directory so the rename itself survives a power cut.
public func atomicWrite(_ data: Data, to target: URL) throws {
    let url = try outputFile(target.path)
    let directory = url.deletingLastPathComponent()
    let unique = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(unique)")
    let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw RunError.posix(url.path, "create a temporary file for") }
    do {
        try writeAll(descriptor, data, path: url.path)
        guard fsync(descriptor) == 0 else { throw RunError.posix(url.path, "sync") }
        guard close(descriptor) == 0 else { throw RunError.posix(url.path, "close") }
    } catch {
        close(descriptor)
        unlink(temporary.path)
        throw error
    }
    guard rename(temporary.path, url.path) == 0 else {
        let error = RunError.posix(url.path, "rename a temporary file onto")
        unlink(temporary.path)
        throw error
    }
    try syncDirectory(directory)
}

/// The file `atomicWrite` replaces for `path`: the path itself, or the file a symbolic link there points
/// to (the rename then replaces the file and keeps the link). Refused: a directory, device, FIFO or
/// socket at the path, which the rename would replace with a plain file (`--attention /dev/null` run
/// as root), a directory that does not exist or is a file, and one this user cannot write in (the
/// rename writes there). Commands call it before their work too, so that a bad output path is
/// reported before, not after, a long computation.
public func outputFile(_ path: String) throws -> URL {
    let url = URL(fileURLWithPath: path).resolvingSymlinksInPath()
    let directory = url.deletingLastPathComponent().path
    var status = stat()
    if stat(url.path, &status) == 0 {
        switch status.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR:
            throw RunError.badFile(path: path, reason: "is a directory, not a file; move it away or choose another path")
        default:
            throw RunError.badFile(path: path, reason: "is not a regular file (a device, pipe or socket); choose another path")
        }
    } else {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw RunError.missingDirectory(path: path, directory: directory)
        }
        guard isDirectory.boolValue else {
            throw RunError.badFile(path: path,
                                   reason: "cannot be written: \(directory) is a file, not a directory; choose another path")
        }
    }
    guard access(directory, W_OK) == 0 else {
        throw RunError.badFile(path: path,
                               reason: "cannot be written: this user may not write in \(directory); choose another path")
    }
    return url
}

/// Makes a directory's entries (a rename, a new file) durable.
func syncDirectory(_ directory: URL) throws {
    let descriptor = open(directory.path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw RunError.posix(directory.path, "open directory") }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else { throw RunError.posix(directory.path, "sync directory") }
}

/// A file opened for appending, shared by the metrics, log and samples writers. Every append is one
/// `write` call straight to the kernel, so a killed process loses nothing it appended; `sync` adds
/// an fsync for the events worth surviving a power cut too (evals, checkpoints).
final class AppendFile {
    let url: URL
    private let descriptor: Int32

    init(url: URL) throws {
        self.url = url
        descriptor = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw RunError.posix(url.path, "open for appending") }
    }

    deinit { close(descriptor) }

    func append(_ text: String, sync: Bool) throws {
        try append(Data(text.utf8), sync: sync)
    }

    func append(_ data: Data, sync: Bool) throws {
        try writeAll(descriptor, data, path: url.path)
        if sync, fsync(descriptor) != 0 { throw RunError.posix(url.path, "sync") }
    }
}

/// `write` may write less than asked (signals, pipes); loop until all of `data` is out.
private func writeAll(_ descriptor: Int32, _ data: Data, path: String) throws {
    try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw RunError.posix(path, "write")
            }
            offset += written
        }
    }
}

extension RunError {
    /// An `io` error from the current `errno`.
    static func posix(_ path: String, _ operation: String) -> RunError {
        let code = errno  // first: building a URL below may stat the path and change errno
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if code == ENOENT, !FileManager.default.fileExists(atPath: directory) {
            return .missingDirectory(path: path, directory: directory)
        }
        return .io(path: path, operation: operation, reason: String(cString: strerror(code)))
    }
}
