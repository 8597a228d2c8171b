import Core
import Foundation

/// The runs that commands comparing runs (`runner table`, `runner plot`) are given. A person names
/// run directories, or a directory that holds runs — a sweep's directory with its `trial-000/`,
/// `trial-001/`, …, or `runs/` itself — so either kind of path stands for the runs it holds.
public enum RunCollection {
    /// The runs each path names, path by path in the order given: a run directory (one with
    /// spec.yaml) as itself, any other directory as the run directories directly inside it, in name
    /// order; files and other directories beside them (a sweep's `sweep.jsonl`) are passed over.
    public static func runs(in paths: [String]) throws -> [RunDirectory] {
        try paths.flatMap { try runs(at: URL(fileURLWithPath: $0)) }
    }

    /// `runs(in:)` less the runs that `usable` refuses (a table wants finished runs, a plot runs that
    /// have logged), so that one run still training, or one that failed, does not stop the comparison
    /// of the others (`runs/*` or a sweep's directory); `passedOver` lists those left out. When none is
    /// usable, all are kept, and the command says what is wrong with them.
    public static func runs(in paths: [String], usable: (RunDirectory) -> Bool) throws
        -> (runs: [RunDirectory], passedOver: [RunDirectory]) {
        let all = try runs(in: paths)
        let accepted = all.map(usable)
        guard accepted.contains(true) else { return (all, []) }
        return (zip(all, accepted).filter(\.1).map(\.0), zip(all, accepted).filter { !$0.1 }.map(\.0))
    }

    /// The runs one path names; a missing path, and a file or a directory without runs, are errors
    /// naming it.
    public static func runs(at url: URL) throws -> [RunDirectory] {
        guard directoryExists(atPath: url.path) else {
            if FileManager.default.fileExists(atPath: url.path) { throw RunError.noRuns(path: url.path) }
            throw RunError.missingRun(path: url.path)
        }
        if isRun(url) { return [RunDirectory(url: url)] }
        let entries: [URL]
        do {
            entries = try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil,
                                                                  options: .skipsHiddenFiles)
        } catch {
            throw RunError.io(path: url.path, operation: "list", reason: error.localizedDescription)
        }
        let runs = entries.filter { directoryExists(atPath: $0.path) && isRun($0) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .map { RunDirectory(url: $0) }
        guard !runs.isEmpty else { throw RunError.noRuns(path: url.path) }
        return runs
    }

    private static func isRun(_ url: URL) -> Bool {
        FileManager.default.fileExists(atPath: url.appendingPathComponent(RunDirectory.specFileName).path)
    }
}
