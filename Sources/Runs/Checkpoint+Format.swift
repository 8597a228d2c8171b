import Core
import Foundation

/// The checkpoint file, little-endian throughout:
///
///     magic "SEQLABCK" · version UInt32 · file length UInt64          (the 20-byte header)
///     spec hash UInt64 · step Int64 · epoch Int64
///     generators: count UInt32, then per generator: name (UInt32 length + UTF-8), words UInt32 + UInt64 each
///     parameters: count UInt32, then per entry: key (UInt32 length + UTF-8), rank UInt32, dims Int64 each,
///                 float count Int64; then all parameter values as Float32, in table order
///     optimizer: float count Int64, Float32 each, optimizer step Int64
///     metadata: UInt32 length + UTF-8 JSON object
///     CRC-32 of every byte before it, UInt32
///
/// The magic and version come first, as in llm.c, so that a foreign file or one from another
/// SeqLab is named as such before anything else is read; the length lets a truncated file say how
/// much is missing; the checksum catches bytes changed in place.
extension Checkpoint {
    public static let magic = Array("SEQLABCK".utf8)
    /// Bump on any change to the layout above, and keep reading old versions where it is cheap.
    public static let formatVersion: UInt32 = 1
    /// Magic, version and file length.
    public static let headerSize = 20

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        var out = ByteWriter()
        out.bytes += Checkpoint.magic
        out.integer(Checkpoint.formatVersion)
        out.integer(UInt64(0))
        out.integer(specHash)
        out.integer(Int64(step))
        out.integer(Int64(epoch))
        out.integer(UInt32(generators.count))
        for (name, generator) in generators.sorted(by: { $0.key < $1.key }) {
            out.string(name)
            out.integer(UInt32(generator.state.count))
            for word in generator.state { out.integer(word) }
        }
        out.integer(UInt32(entries.count))
        for entry in entries {
            out.string(entry.key)
            out.integer(UInt32(entry.shape.rank))
            for dim in entry.shape.dims { out.integer(Int64(dim)) }
            out.integer(Int64(entry.shape.count))
        }
        out.floats(values)
        out.integer(Int64(optimizerState.count))
        out.floats(optimizerState)
        out.integer(Int64(optimizerStep))
        out.string(JSONValue.object(JSONObject(metadata)).compact)
        let length = UInt64(out.bytes.count + 4).littleEndian
        withUnsafeBytes(of: length) { out.bytes.replaceSubrange(12..<20, with: $0) }
        out.integer(crc32(out.bytes))
        return out.bytes
    }

    /// Writes the checkpoint atomically: a crash mid-write leaves the previous file, never half of one.
    public func write(to url: URL) throws {
        try atomicWrite(Data(encoded()), to: url)
    }

    /// Reads and checks a checkpoint file; every refusal is a `RunError` naming `url`.
    public static func read(from url: URL) throws -> Checkpoint {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw RunError.missingCheckpoint(path: url.path)
            }
            if isDirectory.boolValue {
                throw RunError.badFile(path: url.path, reason: "a directory stands where a checkpoint file should be; move it away")
            }
            throw RunError.io(path: url.path, operation: "read", reason: error.localizedDescription)
        }
        return try decode([UInt8](data), path: url.path)
    }

    /// Checks, in order: magic, version, length, checksum; then parses. `path` names the file in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws -> Checkpoint {
        let magicBytes = bytes.prefix(magic.count)
        guard magicBytes.elementsEqual(magic.prefix(magicBytes.count)) else { throw RunError.notACheckpoint(path: path) }
        guard bytes.count >= 12 else { throw RunError.truncated(path: path, expected: nil, actual: bytes.count) }
        var header = ByteReader(bytes: bytes, position: magic.count)
        let version: UInt32 = try header.integer()
        guard version == formatVersion else {
            throw RunError.unsupportedVersion(path: path, found: version, supported: formatVersion)
        }
        guard bytes.count >= headerSize else { throw RunError.truncated(path: path, expected: nil, actual: bytes.count) }
        let length: UInt64 = try header.integer()
        guard length >= UInt64(headerSize + 4), length <= UInt64(Int.max) else {
            throw RunError.malformed(path: path, reason: "its header gives an impossible length of \(length) bytes")
        }
        guard bytes.count >= Int(length) else {
            throw RunError.truncated(path: path, expected: Int(length), actual: bytes.count)
        }
        guard bytes.count == Int(length) else {
            throw RunError.malformed(path: path, reason: "\(bytes.count - Int(length)) bytes follow its end")
        }
        var trailer = ByteReader(bytes: bytes, position: bytes.count - 4)
        let stored: UInt32 = try trailer.integer()
        let computed = crc32(bytes[..<(bytes.count - 4)])
        guard stored == computed else { throw RunError.checksumMismatch(path: path, stored: stored, computed: computed) }
        do {
            var reader = ByteReader(bytes: bytes[..<(bytes.count - 4)], position: headerSize)
            return try parseBody(&reader)
        } catch {
            throw RunError.malformed(path: path, reason: error.reason)
        }
    }

    private static func parseBody(_ reader: inout ByteReader) throws(ByteReader.Failure) -> Checkpoint {
        let specHash: UInt64 = try reader.integer()
        let step = Int(try reader.integer() as Int64)
        let epoch = Int(try reader.integer() as Int64)
        var generators: [String: SeededGenerator] = [:]
        for _ in 0..<(try reader.integer() as UInt32) {
            let name = try reader.string()
            let count = Int(try reader.integer() as UInt32)
            // SeededGenerator traps on any other state; a file must not be able to crash the runner.
            guard count == 4 else { throw .init(reason: "generator '\(name)' has \(count) state words, not 4") }
            let words: [UInt64] = try (0..<count).map { _ throws(ByteReader.Failure) in try reader.integer() }
            guard words.contains(where: { $0 != 0 }) else {
                throw .init(reason: "generator '\(name)' has an all-zero state")
            }
            guard generators.updateValue(SeededGenerator(state: words), forKey: name) == nil else {
                throw .init(reason: "generator '\(name)' appears twice")
            }
        }
        var entries: [Entry] = []
        var keys = Set<String>()
        var total = 0
        for _ in 0..<(try reader.integer() as UInt32) {
            let key = try reader.string()
            guard keys.insert(key).inserted else { throw .init(reason: "parameter '\(key)' appears twice") }
            let rank = Int(try reader.integer() as UInt32)
            var dims: [Int] = []
            var count = 1
            for _ in 0..<rank {
                let dim: Int64 = try reader.integer()
                let (product, overflow) = count.multipliedReportingOverflow(by: Int(dim))
                guard dim >= 0, !overflow else { throw .init(reason: "parameter '\(key)' has an impossible shape") }
                dims.append(Int(dim))
                count = product
            }
            let floats: Int64 = try reader.integer()
            guard floats == Int64(count) else {
                throw .init(reason: "parameter '\(key)' of shape \(dims) claims \(floats) values")
            }
            entries.append(Entry(key: key, shape: Shape(dims)))
            let (sum, overflow) = total.addingReportingOverflow(count)
            guard !overflow else { throw .init(reason: "the parameter table is impossibly large") }
            total = sum
        }
        let values = try reader.floats(count: total)
        let optimizerCount: Int64 = try reader.integer()
        let optimizerState = try reader.floats(count: Int(clamping: optimizerCount))
        let optimizerStep = Int(try reader.integer() as Int64)
        let json = try reader.string()
        guard case .object(let metadata)? = try? JSONValue(parsing: json) else {
            throw .init(reason: "its metadata is not a JSON object")
        }
        guard reader.position == reader.bytes.endIndex else {
            throw .init(reason: "\(reader.bytes.endIndex - reader.position) unread bytes before the checksum")
        }
        return Checkpoint(specHash: specHash, step: step, epoch: epoch, generators: generators, entries: entries,
                          values: values, optimizerState: optimizerState, optimizerStep: optimizerStep,
                          metadata: metadata.dictionary)
    }
}

private struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func integer<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    mutating func string(_ text: String) {
        integer(UInt32(text.utf8.count))
        bytes += text.utf8
    }

    /// One pass to little-endian words, then one copy: a large arena must not be appended byte by byte.
    mutating func floats(_ values: [Float]) {
        values.map { $0.bitPattern.littleEndian }.withUnsafeBytes { bytes += $0 }
    }
}

/// Reads the fields back; every read checks the bytes left first, so a lying count fails cleanly.
private struct ByteReader {
    struct Failure: Error { var reason: String }

    let bytes: ArraySlice<UInt8>
    var position: Int

    init(bytes: [UInt8], position: Int) {
        self.bytes = bytes[...]
        self.position = position
    }

    init(bytes: ArraySlice<UInt8>, position: Int) {
        self.bytes = bytes
        self.position = position
    }

    mutating func take(_ count: Int) throws(Failure) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.endIndex - position else {
            throw Failure(reason: "a field at byte \(position) runs past the end")
        }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    mutating func integer<T: FixedWidthInteger>() throws(Failure) -> T {
        let slice = try take(MemoryLayout<T>.size)
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: slice) }
        return T(littleEndian: value)
    }

    mutating func string() throws(Failure) -> String {
        let count = Int(try integer() as UInt32)
        guard let text = String(validating: try take(count), as: UTF8.self) else {
            throw Failure(reason: "a name at byte \(position - count) is not UTF-8")
        }
        return text
    }

    mutating func floats(count: Int) throws(Failure) -> [Float] {
        let (size, overflow) = count.multipliedReportingOverflow(by: 4)
        guard !overflow else { throw Failure(reason: "a float count of \(count) is impossible") }
        let slice = try take(size)
        var words = [UInt32](repeating: 0, count: count)
        words.withUnsafeMutableBytes { $0.copyBytes(from: slice) }
        return words.map { Float(bitPattern: UInt32(littleEndian: $0)) }
    }
}
