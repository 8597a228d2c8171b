import Foundation
@testable import Fuzzing
import Runs
import Spec
import XCTest

/// Every input `make fuzz` saved (the seeds and what the fuzzer found that reached new code) read again
/// by its target: a finding fixed once stays fixed.
final class FuzzCorpusTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-replay-\(UUID().uuidString)")

    override func setUpWithError() throws {
        try FuzzTarget.prepare(scratch: scratch)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Replays the saved inputs of `target`; there must be some, or the replay proves nothing.
    private func replay(_ target: FuzzTarget, atLeast minimum: Int) throws {
        let directory = Self.corpus.appendingPathComponent(target.rawValue)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        XCTAssertGreaterThanOrEqual(names.count, minimum, "\(directory.path) lost its inputs")
        for name in names {
            let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
            XCTAssertNoThrow(try target.run(bytes, scratch: scratch), "\(target.rawValue)/\(name)")
        }
    }

    func testSpecCorpus() throws { try replay(.spec, atLeast: 10) }
    func testSweepCorpus() throws { try replay(.sweep, atLeast: 1) }
    func testTokenizerCorpus() throws { try replay(.tokenizer, atLeast: 5) }
    func testCheckpointCorpus() throws { try replay(.checkpoint, atLeast: 1) }
    func testSafetensorsCorpus() throws { try replay(.safetensors, atLeast: 1) }

    /// The seeds are read as they are meant to be: a spec, a sweep over the scratch base, a checkpoint
    /// and a safetensors file each accepted, so the fuzzer starts from inputs that reach past the first check.
    func testSeedsAreAccepted() throws {
        let spec = try String(contentsOf: Self.corpus.appendingPathComponent("spec/gru_charlm.yaml"), encoding: .utf8)
        XCTAssertNoThrow(try ExperimentSpec.parse(spec, path: scratch.appendingPathComponent("a.yaml").path))
        let sweep = try String(contentsOf: Self.corpus.appendingPathComponent("sweep/gru_lr.yaml"), encoding: .utf8)
        XCTAssertEqual(try SweepSpec.parse(sweep, path: scratch.appendingPathComponent("s.yaml").path).trialOverrides().count, 6,
                       "the sweep seed reaches past its base")
        let checkpoint = [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent("checkpoint/gru-step-10.ckpt")))
        XCTAssertNoThrow(try Checkpoint.decode(checkpoint, path: "seed"))
        // Written by the safetensors library (numpy): SeqLab reads it, and writes the same bytes back.
        let weights = [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent("safetensors/small.safetensors")))
        XCTAssertEqual(try Safetensors.decode(weights, path: "seed").encoded(), weights)
    }

    /// Sealing rewrites the length and checksum so that a mutated body reaches the parser: a byte of
    /// the spec hash flipped fails the checksum as it is, and once sealed reads with that hash changed.
    func testSealingLetsAMutatedBodyPastTheChecksum() throws {
        let original = [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent("checkpoint/gru-step-10.ckpt")))
        var bytes = original
        bytes[Checkpoint.headerSize] ^= 0x40
        XCTAssertThrowsError(try Checkpoint.decode(bytes, path: "flipped")) { error in
            XCTAssertTrue("\(error)".contains("checksum"), "\(error)")
        }
        let sealed = try Checkpoint.decode(FuzzTarget.sealed(bytes), path: "sealed")
        XCTAssertEqual(sealed.specHash, try Checkpoint.decode(original, path: "original").specHash ^ 0x40)
        XCTAssertEqual(FuzzTarget.sealed(original), original)
    }
}
