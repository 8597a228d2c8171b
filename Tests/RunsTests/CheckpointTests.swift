import Core
import Foundation
@testable import Runs
import XCTest

/// A small checkpoint with awkward values (negative zero, NaN payloads, subnormals) so that
/// "bit-exact" is tested on bits, not on `==`.
func sampleCheckpoint(specHash: UInt64 = 0xDEAD_BEEF_0123_4567, step: Int = 500) -> Checkpoint {
    let layout = sampleLayout()
    var values = (0..<layout.count).map { Float($0) * 0.37 - 4 }
    values[0] = -0
    values[1] = Float(bitPattern: 0x7FC0_1234)
    values[2] = .leastNonzeroMagnitude
    values[3] = .infinity
    var data = SeededGenerator(seed: 7)
    _ = data.next()
    return Checkpoint(specHash: specHash, step: step, epoch: 3,
                      generators: ["data": data, "dropout": SeededGenerator(seed: 8)],
                      layout: layout, values: values,
                      optimizerState: (0..<(2 * layout.count)).map { Float($0) / 7 }, optimizerStep: 499,
                      metadata: ["batch_position": 17, "carry_state": true, "note": "é"])
}

func sampleLayout() -> ParameterLayout {
    var layout = ParameterLayout()
    layout.append(key: "embedding.weight", shape: [5, 3], decay: false)
    layout.append(key: "gru.w_ih", shape: [3, 4], decay: true)
    layout.append(key: "gru.b", shape: [4], decay: false)
    layout.append(key: "scale", shape: .scalar, decay: false)
    return layout
}

final class CheckpointTests: TemporaryDirectoryTestCase {
    private var url: URL { root.appendingPathComponent("step-000500.ckpt") }

    func testRoundTripIsBitExact() throws {
        let original = sampleCheckpoint()
        try original.write(to: url)
        let loaded = try Checkpoint.read(from: url)
        XCTAssertEqual(loaded.values.map(\.bitPattern), original.values.map(\.bitPattern))
        XCTAssertEqual(loaded.optimizerState.map(\.bitPattern), original.optimizerState.map(\.bitPattern))
        XCTAssertEqual(loaded.generators["data"]?.state, original.generators["data"]?.state)
        XCTAssertEqual(loaded.generators["dropout"]?.state, original.generators["dropout"]?.state)
        XCTAssertEqual(loaded.entries, original.entries)
        XCTAssertEqual(loaded.specHash, original.specHash)
        XCTAssertEqual(loaded.step, 500)
        XCTAssertEqual(loaded.epoch, 3)
        XCTAssertEqual(loaded.optimizerStep, 499)
        XCTAssertEqual(loaded.metadata, ["batch_position": 17, "carry_state": true, "note": "é"])
        XCTAssertEqual(loaded.encoded(), original.encoded())
        XCTAssertEqual(try contents(of: root), ["step-000500.ckpt"])
    }

    func testRestoredGeneratorContinuesTheSameSequence() throws {
        var original = sampleCheckpoint()
        try original.write(to: url)
        var restored = try XCTUnwrap(Checkpoint.read(from: url).generators["data"])
        XCTAssertEqual((0..<5).map { _ in restored.next() }, (0..<5).map { _ in original.generators["data"]!.next() })
    }

    func testFileStartsWithMagicAndVersionAndEndsWithTheCRCOfTheRest() throws {
        let bytes = sampleCheckpoint().encoded()
        XCTAssertEqual(Array(bytes[0..<8]), Array("SEQLABCK".utf8))
        XCTAssertEqual(Array(bytes[8..<12]), [1, 0, 0, 0])
        XCTAssertEqual(Int(bytes[12]) | Int(bytes[13]) << 8 | Int(bytes[14]) << 16, bytes.count)
        let stored = bytes.suffix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
        XCTAssertEqual(stored, crc32(bytes.dropLast(4)))
    }

    func testParametersAreArrangedByKeyForTheLayout() throws {
        let checkpoint = sampleCheckpoint()
        XCTAssertEqual(try checkpoint.parameters(for: sampleLayout(), path: "x").map(\.bitPattern),
                       checkpoint.values.map(\.bitPattern))
        var reordered = ParameterLayout()
        reordered.append(key: "scale", shape: .scalar, decay: false)
        reordered.append(key: "gru.b", shape: [4], decay: false)
        reordered.append(key: "gru.w_ih", shape: [3, 4], decay: true)
        reordered.append(key: "embedding.weight", shape: [5, 3], decay: false)
        let arena = try checkpoint.parameters(for: reordered, path: "x")
        XCTAssertEqual(arena[0], checkpoint.values[31])
        XCTAssertEqual(Array(arena[1..<5]), Array(checkpoint.values[27..<31]))
        XCTAssertEqual(Array(arena[17..<32]).map(\.bitPattern), Array(checkpoint.values[0..<15]).map(\.bitPattern))
    }

    func testSpecHashIsStableAndChecked() throws {
        XCTAssertEqual(Checkpoint.specHash(of: ""), 0xCBF2_9CE4_8422_2325)
        XCTAssertEqual(Checkpoint.specHash(of: "a"), 0xAF63_DC4C_8601_EC8C)
        XCTAssertNotEqual(Checkpoint.specHash(of: "lr: 1\n"), Checkpoint.specHash(of: "lr: 2\n"))
        let checkpoint = sampleCheckpoint(specHash: Checkpoint.specHash(of: "lr: 1\n"))
        XCTAssertNoThrow(try checkpoint.verify(specHash: Checkpoint.specHash(of: "lr: 1\n"), path: url.path))
        XCTAssertThrowsError(try checkpoint.verify(specHash: Checkpoint.specHash(of: "lr: 2\n"), path: url.path)) { error in
            guard case .specMismatch(let path, _, _)? = error as? RunError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
            XCTAssertEqual((error as? RunError)?.exitCode, 64)
            XCTAssertTrue("\(error)".contains("spec.yaml changed"), "\(error)")
        }
    }

    func testLayoutMismatchNamesEachKeyAndBothShapes() {
        var model = ParameterLayout()
        model.append(key: "embedding.weight", shape: [5, 3], decay: false)
        model.append(key: "gru.w_ih", shape: [3, 8], decay: true)
        model.append(key: "gru.w_hh", shape: [8, 8], decay: true)
        model.append(key: "scale", shape: .scalar, decay: false)
        XCTAssertThrowsError(try sampleCheckpoint().parameters(for: model, path: url.path)) { error in
            XCTAssertEqual(error as? RunError, .layoutMismatch(path: url.path, problems: [
                .shapeMismatch("gru.w_ih", model: [3, 8], checkpoint: [3, 4]),
                .missingKey("gru.w_hh", shape: [8, 8]),
                .unexpectedKey("gru.b", shape: [4]),
            ]))
            let message = "\(error)"
            XCTAssertTrue(message.contains("'gru.w_ih' has shape [3, 4] in the checkpoint but [3, 8] in the model"), message)
            XCTAssertTrue(message.contains("missing parameter 'gru.w_hh' [8, 8]"), message)
            XCTAssertTrue(message.contains("unexpected parameter 'gru.b' [4]"), message)
            XCTAssertTrue(message.contains(url.path), message)
        }
    }
}
