import Foundation

/// A run's `checkpoints/` directory: `step-000500.ckpt`, … (six digits at least, so `ls` sorts
/// them until step 999,999 and the store never relies on it), plus an optional `best.ckpt` that
/// pruning never touches.
public struct CheckpointStore: Hashable, Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// A checkpoint on disk, identified by the step in its name.
    public struct Stored: Hashable, Sendable {
        public var step: Int
        public var url: URL
    }

    /// A checkpoint read and where from; for the newest one that could be read, every newer one that
    /// could not (`skipped`, empty for a checkpoint chosen by name). A resumed run must show `skipped`
    /// to the person: going back further than they expect is never silent.
    public struct Latest: Sendable {
        public var checkpoint: Checkpoint
        public var url: URL
        public var skipped: [RunError]

        public init(checkpoint: Checkpoint, url: URL, skipped: [RunError] = []) {
            (self.checkpoint, self.url, self.skipped) = (checkpoint, url, skipped)
        }
    }

    public static let bestFileName = "best.ckpt"

    /// `step-000500.ckpt`.
    public static func fileName(step: Int) -> String {
        let digits = String(step)
        return "step-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".ckpt"
    }

    public func url(step: Int) -> URL { directory.appendingPathComponent(Self.fileName(step: step)) }

    public var bestURL: URL { directory.appendingPathComponent(Self.bestFileName) }

    /// The step checkpoints, oldest first. Other files (best.ckpt, temporaries of an interrupted
    /// write) are not listed. A missing directory lists as empty.
    public func list() throws -> [Stored] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw RunError.io(path: directory.path, operation: "list", reason: error.localizedDescription)
        }
        return names.compactMap { name -> Stored? in
            guard name.hasPrefix("step-"), name.hasSuffix(".ckpt") else { return nil }
            let digits = name.dropFirst(5).dropLast(5)
            guard digits.count >= 6, digits.allSatisfy(\.isASCII), let step = Int(digits), step >= 0 else { return nil }
            return Stored(step: step, url: directory.appendingPathComponent(name))
        }.sorted { $0.step < $1.step }
    }

    /// Writes `checkpoint` as the file for its step, then deletes the oldest step checkpoints
    /// beyond the newest `keep` (nil keeps all). The new file is written before any old one goes,
    /// so a crash in between leaves one checkpoint too many, never one too few.
    @discardableResult
    public func save(_ checkpoint: Checkpoint, keep: Int? = nil) throws -> URL {
        precondition(keep.map { $0 >= 1 } ?? true, "keep must be at least 1")
        try createDirectory()
        let target = url(step: checkpoint.step)
        try checkpoint.write(to: target)
        if let keep {
            for old in try list().dropLast(keep) where old.url != target {
                do {
                    try FileManager.default.removeItem(at: old.url)
                } catch {
                    throw RunError.io(path: old.url.path, operation: "delete", reason: error.localizedDescription)
                }
            }
        }
        return target
    }

    /// Writes `best.ckpt` (the checkpoint with the best validation loss so far).
    @discardableResult
    public func saveBest(_ checkpoint: Checkpoint) throws -> URL {
        try createDirectory()
        try checkpoint.write(to: bestURL)
        return bestURL
    }

    /// The newest step checkpoint that reads back whole. Unreadable newer ones are returned in
    /// `skipped`, newest first. Throws `missingCheckpoint` when there are none (`onlyBestCheckpoint`
    /// when best.ckpt is left) and `noUsableCheckpoint` when none can be read. The spec hash is the
    /// caller's to check: a checkpoint of another spec is not damaged, and falling back past it would
    /// hide the mix-up.
    public func latest() throws -> Latest {
        let stored = try list()
        guard !stored.isEmpty else {
            let bestIsLeft = FileManager.default.fileExists(atPath: bestURL.path)
            throw bestIsLeft ? RunError.onlyBestCheckpoint(directory: directory.path)
                : RunError.missingCheckpoint(path: directory.path)
        }
        var skipped: [RunError] = []
        for candidate in stored.reversed() {
            do {
                return Latest(checkpoint: try Checkpoint.read(from: candidate.url), url: candidate.url, skipped: skipped)
            } catch let error as RunError {
                skipped.append(error)
            }
        }
        throw RunError.noUsableCheckpoint(directory: directory.path, problems: skipped)
    }

    private func createDirectory() throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw RunError.io(path: directory.path, operation: "create directory", reason: error.localizedDescription)
        }
    }
}
