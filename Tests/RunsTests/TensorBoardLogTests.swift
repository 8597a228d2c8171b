import Core
import Foundation
@testable import Runs
import XCTest

/// SeqLab's TensorBoard event files against TensorBoard's own writer, byte for byte.
final class TensorBoardLogTests: TemporaryDirectoryTestCase {
    /// The fixture of Golden/make_tensorboard_fixture.py: SummaryWriter's add_scalar and add_text.
    func testEventFileEqualsTensorBoardsOwn() throws {
        let golden = try XCTUnwrap(Bundle.module.url(forResource: "Golden", withExtension: nil))
        let json = try JSONValue(parsing: String(contentsOf: golden.appendingPathComponent("tensorboard_events.json"), encoding: .utf8))
        guard case .object(let fixture) = json, case .array(let scalars)? = fixture["scalars"],
              case .array(let texts)? = fixture["texts"], let start = fixture["file_version_wall_time"]?.number else {
            return XCTFail("tensorboard_events.json: unexpected layout")
        }
        let log = try TensorBoardLog(directory: root.appendingPathComponent("tb"), wallTime: start, host: "host",
                                     writer: "tensorboard.summary.writer.event_file_writer")
        XCTAssertTrue(log.url.lastPathComponent.hasPrefix("events.out.tfevents.\(Int(start)).host."), log.url.path)
        for case .object(let scalar) in scalars {
            guard case .string(let tag)? = scalar["tag"], let step = scalar["step"]?.number, let value = scalar["value"]?.number,
                  let wallTime = scalar["wall_time"]?.number else { return XCTFail("\(scalar)") }
            try log.scalar(tag, value, step: Int(step), wallTime: wallTime)
        }
        for case .object(let text) in texts {
            guard case .string(let tag)? = text["tag"], case .string(let body)? = text["text"], let step = text["step"]?.number,
                  let wallTime = text["wall_time"]?.number else { return XCTFail("\(text)") }
            try log.text(tag, body, step: Int(step), wallTime: wallTime)
        }
        let expected = try Data(contentsOf: golden.appendingPathComponent("tensorboard_events.bin"))
        XCTAssertEqual(try Data(contentsOf: log.url), expected)
    }

    /// A metrics event with a step and a split becomes one scalar per number, tagged `split/name`;
    /// with TensorBoard off no file appears.
    func testMetricsEventsReachTheEventFile() throws {
        let tensorboard = root.appendingPathComponent("tb")
        let writer = try MetricsWriter(url: root.appendingPathComponent("metrics.jsonl"), tensorboard: tensorboard)
        try writer.append(["note": "started"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: tensorboard.path), "no event file before an event with a step")
        try writer.append(["step": .int(5), "split": "valid", "loss": .double(1.5), "ppl": .double(4.48)])
        try writer.text("samples", "time traveller", step: 5)
        let files = try FileManager.default.contentsOfDirectory(atPath: tensorboard.path)
        XCTAssertEqual(files.count, 1)
        let bytes = try Data(contentsOf: tensorboard.appendingPathComponent(files[0]))
        for tag in ["valid/loss", "valid/ppl", "samples/text_summary", "time traveller"] {
            XCTAssertNotNil(bytes.range(of: Data(tag.utf8)), tag)
        }
        XCTAssertNil(bytes.range(of: Data("valid/step".utf8)))
        // A resumed run's file starts with SessionLog.START (Event field 7, status 1) at the step after
        // its checkpoint, which makes TensorBoard drop what the killed run logged past it.
        let resumed = try MetricsWriter(url: root.appendingPathComponent("metrics.jsonl"), tensorboard: root.appendingPathComponent("tb2"),
                                        resumedAfter: 4)
        try resumed.append(["step": .int(5), "split": "train", "loss": .double(1.5)])
        let restart = try Data(contentsOf: root.appendingPathComponent("tb2")
            .appendingPathComponent(try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: root.path + "/tb2").first)))
        XCTAssertNotNil(restart.range(of: Data([0x10, 0x05, 0x3A, 0x02, 0x08, 0x01])), "step 5, session_log { status: START }")
        let quiet = try MetricsWriter(url: root.appendingPathComponent("quiet.jsonl"))
        try quiet.append(["step": .int(5), "split": "valid", "loss": .double(1.5)])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted(), ["metrics.jsonl", "quiet.jsonl", "tb", "tb2"])
    }
}
