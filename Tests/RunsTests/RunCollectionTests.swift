import Foundation
import Runs
import XCTest

/// Run directories and directories of runs (a sweep's, `runs/`) name runs alike; anything else is
/// refused with the path.
final class RunCollectionTests: TemporaryDirectoryTestCase {
    /// A directory with a spec.yaml, which is all that makes one a run.
    @discardableResult
    private func makeRun(_ path: String) throws -> URL {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Data("name: x\n".utf8).write(to: url.appendingPathComponent(RunDirectory.specFileName))
        return url
    }

    func testARunIsItselfAndASweepIsItsRunsInNameOrder() throws {
        for trial in ["trial-002", "trial-000", "trial-010", "trial-001"] { try makeRun("sweep/\(trial)") }
        try Data("{}\n".utf8).write(to: root.appendingPathComponent("sweep/sweep.jsonl"))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("sweep/notes"), withIntermediateDirectories: true)
        try makeRun("sweep/.hidden")
        let single = try makeRun("single")
        let runs = try RunCollection.runs(in: [single.path, root.appendingPathComponent("sweep").path])
        XCTAssertEqual(runs.map(\.url.lastPathComponent), ["single", "trial-000", "trial-001", "trial-002", "trial-010"])
        // A run inside a sweep is a run, not a collection.
        XCTAssertEqual(try RunCollection.runs(at: root.appendingPathComponent("sweep/trial-001")).count, 1)
    }

    /// Runs that are not usable are left out, named one by one or by their directory, unless none is usable.
    func testADirectoryPassesOverRunsThatAreNotUsable() throws {
        for name in ["a", "b", "c"] { try makeRun("runs/\(name)") }
        let usable = { (run: RunDirectory) in run.url.lastPathComponent != "b" }
        let directory = root.appendingPathComponent("runs").path
        let (runs, passedOver) = try RunCollection.runs(in: [directory], usable: usable)
        XCTAssertEqual(runs.map(\.url.lastPathComponent), ["a", "c"])
        XCTAssertEqual(passedOver.map(\.url.lastPathComponent), ["b"])
        let named = try RunCollection.runs(in: [directory + "/b"], usable: usable)
        XCTAssertEqual(named.runs.map(\.url.lastPathComponent), ["b"])
        // `runs/*` names each run itself: the unusable one is left out all the same.
        let globbed = try RunCollection.runs(in: ["a", "b", "c"].map { directory + "/" + $0 }, usable: usable)
        XCTAssertEqual(globbed.runs.map(\.url.lastPathComponent), ["a", "c"])
        XCTAssertEqual(try RunCollection.runs(in: [directory], usable: { _ in false }).runs.count, 3)
    }

    func testPathsThatNameNoRunAreRefused() throws {
        try FileManager.default.createDirectory(at: root.appendingPathComponent("empty"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: root.appendingPathComponent("file.txt"))
        let missing = root.appendingPathComponent("missing")
        XCTAssertThrowsError(try RunCollection.runs(at: missing)) { error in
            XCTAssertEqual(error as? RunError, .missingRun(path: missing.path))
            XCTAssertEqual((error as? RunError)?.exitCode, 66)
        }
        for name in ["empty", "file.txt"] {
            let url = root.appendingPathComponent(name)
            XCTAssertThrowsError(try RunCollection.runs(at: url)) { error in
                XCTAssertEqual(error as? RunError, .noRuns(path: url.path))
                XCTAssertEqual((error as? RunError)?.exitCode, 64)
                XCTAssertTrue("\(error)".contains("is neither a run directory"), "\(error)")
            }
        }
    }
}
