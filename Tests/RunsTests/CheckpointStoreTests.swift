import Foundation
@testable import Runs
import XCTest

final class CheckpointStoreTests: TemporaryDirectoryTestCase {
    private var store: CheckpointStore { CheckpointStore(directory: root.appendingPathComponent("checkpoints")) }

    func testFileNamesAreZeroPaddedToSixDigitsAtLeast() {
        XCTAssertEqual(CheckpointStore.fileName(step: 0), "step-000000.ckpt")
        XCTAssertEqual(CheckpointStore.fileName(step: 500), "step-000500.ckpt")
        XCTAssertEqual(CheckpointStore.fileName(step: 1_234_567), "step-1234567.ckpt")
    }

    func testListSortsByStepNumberAndIgnoresOtherFiles() throws {
        for step in [1_000_000, 500, 20] { try store.save(sampleCheckpoint(step: step)) }
        try store.saveBest(sampleCheckpoint(step: 500))
        try Data().write(to: store.directory.appendingPathComponent("notes.txt"))
        try Data().write(to: store.directory.appendingPathComponent("step-12.ckpt"))
        XCTAssertEqual(try store.list().map(\.step), [20, 500, 1_000_000])
        XCTAssertEqual(try store.list().map(\.url.lastPathComponent),
                       ["step-000020.ckpt", "step-000500.ckpt", "step-1000000.ckpt"])
    }

    func testSaveKeepsTheNewestNAndNeverTheBest() throws {
        try store.saveBest(sampleCheckpoint(step: 100))
        for step in stride(from: 100, through: 600, by: 100) { try store.save(sampleCheckpoint(step: step), keep: 3) }
        XCTAssertEqual(try store.list().map(\.step), [400, 500, 600])
        XCTAssertEqual(try contents(of: store.directory),
                       ["best.ckpt", "step-000400.ckpt", "step-000500.ckpt", "step-000600.ckpt"])
        try store.save(sampleCheckpoint(step: 700))
        XCTAssertEqual(try store.list().map(\.step), [400, 500, 600, 700])
    }

    func testLatestIsTheNewestCheckpoint() throws {
        for step in [100, 200, 300] { try store.save(sampleCheckpoint(step: step)) }
        let latest = try store.latest()
        XCTAssertEqual(latest.checkpoint.step, 300)
        XCTAssertEqual(latest.url.lastPathComponent, "step-000300.ckpt")
        XCTAssertEqual(latest.skipped, [])
    }

    func testLatestSkipsADamagedNewestOneAndSaysSo() throws {
        for step in [100, 200, 300] { try store.save(sampleCheckpoint(step: step)) }
        let newest = store.url(step: 300)
        let bytes = try Data(contentsOf: newest)
        try bytes.prefix(bytes.count / 2).write(to: newest)
        let latest = try store.latest()
        XCTAssertEqual(latest.checkpoint.step, 200)
        XCTAssertEqual(latest.skipped, [.truncated(path: newest.path, expected: bytes.count, actual: bytes.count / 2)])
    }

    func testLatestWithNoCheckpointsIsMissingInput() throws {
        XCTAssertThrowsError(try store.latest()) { error in
            XCTAssertEqual(error as? RunError, .missingCheckpoint(path: store.directory.path))
            XCTAssertEqual((error as? RunError)?.exitCode, 66)
        }
        // With best.ckpt left, the run did not stop before its first checkpoint: said so, not that.
        try store.saveBest(sampleCheckpoint(step: 100))
        XCTAssertThrowsError(try store.latest()) { error in
            XCTAssertEqual(error as? RunError, .onlyBestCheckpoint(directory: store.directory.path))
            XCTAssertEqual((error as? RunError)?.exitCode, 66)
        }
    }

    func testLatestWhenEveryCheckpointIsDamagedListsThemAll() throws {
        for step in [100, 200] { try store.save(sampleCheckpoint(step: step)) }
        try Data("junk".utf8).write(to: store.url(step: 100))
        try Data("junk".utf8).write(to: store.url(step: 200))
        XCTAssertThrowsError(try store.latest()) { error in
            XCTAssertEqual(error as? RunError, .noUsableCheckpoint(directory: store.directory.path, problems: [
                .notACheckpoint(path: store.url(step: 200).path), .notACheckpoint(path: store.url(step: 100).path),
            ]))
            XCTAssertEqual((error as? RunError)?.exitCode, 66)
        }
    }
}
