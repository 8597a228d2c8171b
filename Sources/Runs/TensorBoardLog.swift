import Core
import Foundation

/// A TensorBoard event file, written as TensorBoard's own `SummaryWriter` (2.x) writes one with
/// `add_scalar` and `add_text`, so that `tensorboard --logdir runs` shows a run's curves and samples.
///
/// The file is a sequence of TFRecords — length (UInt64), masked CRC-32C of the length, the bytes,
/// masked CRC-32C of the bytes — each an `Event` protobuf: first `file_version: "brain.Event:2"` with
/// the writer's name, then one event per value (`wall_time`, `step`, `Summary { Value }`): a scalar's
/// `simple_value`, or a text as a one-string `DT_STRING` tensor with the text plugin's metadata. (Its
/// reader shows the same file as "new-style" tensor scalars.) Each record is one `write` straight to
/// the kernel, so what was logged survives a kill. A resumed run opens a new file that starts with a restart mark, so the curve stays one.
public final class TensorBoardLog {
    public let url: URL
    private let file: AppendFile

    /// Creates `events.out.tfevents.<time>.<host>.<pid>` in `directory` (made if missing). `writer` is
    /// the program named in the file's first event.
    public init(directory: URL, wallTime: Double = Date().timeIntervalSince1970,
                host: String = ProcessInfo.processInfo.hostName, writer: String = "seqlab") throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw RunError.io(path: directory.path, operation: "create directory", reason: error.localizedDescription)
        }
        let name = String(format: "events.out.tfevents.%010d.%@.%d", Int(wallTime), host, getpid())
        url = directory.appendingPathComponent(name)
        file = try AppendFile(url: url)
        var source = Protobuf()
        source.bytes(1, Array(writer.utf8))
        var event = Protobuf()
        event.double(1, wallTime)
        event.bytes(3, Array("brain.Event:2".utf8))
        event.message(10, source)
        try write(event)
    }

    /// Marks a resumed run's restart as TensorBoard's own writers do (`SessionLog.START`): its reader
    /// then forgets what earlier files logged after `step`, the checkpoint the run resumed from, so the
    /// steps logged again are not shown twice.
    public func restart(after step: Int, wallTime: Double) throws {
        var start = Protobuf()
        start.varint(1, 1)  // SessionLog.START
        var event = Protobuf()
        event.double(1, wallTime)
        event.varint(2, UInt64(step + 1))
        event.message(7, start)
        try write(event)
    }

    /// A scalar, as `add_scalar(tag, value, step, walltime)` writes it: a `simple_value`.
    public func scalar(_ tag: String, _ value: Double, step: Int, wallTime: Double) throws {
        var item = Protobuf()
        item.bytes(1, Array(tag.utf8))
        item.float(2, Float(value))
        try write(summary: item, step: step, wallTime: wallTime)
    }

    /// A text, as `add_text(tag, text, step, walltime)` writes it (TensorBoard's text plugin).
    public func text(_ tag: String, _ text: String, step: Int, wallTime: Double) throws {
        var dimension = Protobuf(), shape = Protobuf(), tensor = Protobuf(), plugin = Protobuf(), metadata = Protobuf()
        dimension.varint(1, 1)
        shape.message(2, dimension)
        tensor.varint(1, 7)  // DT_STRING
        tensor.message(2, shape)
        tensor.bytes(8, Array(text.utf8))
        plugin.bytes(1, Array("text".utf8))
        metadata.message(1, plugin)
        var item = Protobuf()
        item.bytes(1, Array((tag + "/text_summary").utf8))
        item.message(8, tensor)
        item.message(9, metadata)
        try write(summary: item, step: step, wallTime: wallTime)
    }

    private func write(summary value: Protobuf, step: Int, wallTime: Double) throws {
        var summary = Protobuf()
        summary.message(1, value)
        var event = Protobuf()
        event.double(1, wallTime)
        event.varint(2, UInt64(bitPattern: Int64(step)))
        event.message(5, summary)
        try write(event)
    }

    /// One TFRecord.
    private func write(_ event: Protobuf) throws {
        let length = withUnsafeBytes(of: UInt64(event.bytes.count).littleEndian, Array.init)
        let record = length + withUnsafeBytes(of: maskedCRC32C(length).littleEndian, Array.init)
            + event.bytes + withUnsafeBytes(of: maskedCRC32C(event.bytes).littleEndian, Array.init)
        try file.append(Data(record), sync: false)
    }
}

/// The protobuf wire format, for the few message shapes an event file needs. Fields are written in
/// the order they are added; callers add them by field number, as protobuf's own serializers do, and
/// leave out proto3 defaults (a zero step, an empty string) as those do.
struct Protobuf {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        key(field, wireType: 0)
        append(varint: value)
    }

    mutating func double(_ field: Int, _ value: Double) {
        guard value != 0 else { return }
        key(field, wireType: 1)
        bytes += withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init)
    }

    /// A float that is a member of a `oneof` (`simple_value`): written even when zero, as protobuf writes
    /// every set member of a oneof.
    mutating func float(_ field: Int, _ value: Float) {
        key(field, wireType: 5)
        bytes += withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init)
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        guard !value.isEmpty else { return }
        key(field, wireType: 2)
        append(varint: UInt64(value.count))
        bytes += value
    }

    mutating func message(_ field: Int, _ value: Protobuf) {
        key(field, wireType: 2)
        append(varint: UInt64(value.bytes.count))
        bytes += value.bytes
    }

    private mutating func key(_ field: Int, wireType: UInt64) {
        append(varint: UInt64(field) << 3 | wireType)
    }

    private mutating func append(varint value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }
}

/// TFRecord's masked CRC-32C: rotated and offset, so that a CRC stored in the data it covers does not
/// checksum to a fixed value.
private func maskedCRC32C<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt32 {
    let crc = crc32c(bytes)
    return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
}
