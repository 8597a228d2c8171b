import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The lock a process holds on a run or sweep directory for as long as it writes there: `run.lock`,
/// locked with `flock` and holding the holder's pid. A second process (`runner resume` twice, a sweep
/// resumed while its old children still run) refuses, naming that pid. The kernel drops a `flock`
/// when its process dies, so the lock of a killed process is free; the pid it left in the file says
/// whose it was, and the new holder says it took it over. A holder that ends normally empties the file.
public final class DirectoryLock {
    public static let fileName = "run.lock"
    private let descriptor: Int32
    /// The pid a holder that died left in the file; nil when the lock was free and clean.
    public let takenOverFrom: Int32?

    public init(_ directory: URL) throws {
        let path = directory.appendingPathComponent(Self.fileName).path
        // Not inherited by a sweep's children, which lock their own trials.
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw RunError.posix(path, "open the lock file") }
        let holder = Self.pid(in: descriptor)
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw RunError.locked(directory: directory.path, pid: holder)
        }
        let line = Array("\(getpid())\n".utf8)
        guard ftruncate(descriptor, 0) == 0, pwrite(descriptor, line, line.count, 0) == line.count else {
            close(descriptor)
            throw RunError.posix(path, "write the lock file")
        }
        (self.descriptor, takenOverFrom) = (descriptor, holder)
    }

    /// Refuses, as `init` would, when a live process holds `directory`'s lock, without taking it: a
    /// resumed sweep asks this of each unfinished trial before it starts or deletes anything.
    public static func checkFree(_ directory: URL) throws {
        let path = directory.appendingPathComponent(fileName).path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }  // never locked
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else {
            throw RunError.locked(directory: directory.path, pid: pid(in: descriptor))
        }
        flock(descriptor, LOCK_UN)
    }

    deinit {
        ftruncate(descriptor, 0)
        close(descriptor)
    }

    /// The pid written in an open lock file, if any.
    private static func pid(in descriptor: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = pread(descriptor, &bytes, bytes.count, 0)
        guard count > 0 else { return nil }
        return Int32(String(decoding: bytes.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
