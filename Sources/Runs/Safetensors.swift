import Core
import Foundation

/// Hugging Face's `safetensors` file, float32 tensors only: an 8-byte little-endian header length, a
/// JSON header naming each tensor's `dtype`, `shape` and `data_offsets` (begin, end) into the byte
/// buffer that follows (plus an optional `__metadata__` of strings), padded with spaces to 8 bytes,
/// then the buffer. Written as the `safetensors` library writes it — tensors in name order, the
/// header compact with the metadata first — so the same tensors give the same bytes.
///
/// Reading checks what the library checks before touching a byte of data: the header length against
/// the file, the header as a JSON object of well-formed entries, each dtype, each byte range against
/// its shape, and that the ranges tile the buffer exactly (no gap, no overlap, nothing past the end).
public struct Safetensors: Equatable, Sendable {
    public struct Tensor: Equatable, Sendable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            (self.name, self.shape, self.values) = (name, shape, values)
        }
    }

    public var tensors: [Tensor]
    public var metadata: [String: String]

    /// The library's own bound on a header: a file claiming more is damaged or not a safetensors file.
    static let maximumHeaderSize = 100_000_000

    public init(tensors: [Tensor], metadata: [String: String] = [:]) {
        (self.tensors, self.metadata) = (tensors, metadata)
    }

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        var members: [(key: String, value: JSONValue)] = []
        if !metadata.isEmpty {
            members.append(("__metadata__", .object(JSONObject(ordered: metadata.sorted { $0.key < $1.key }
                .map { ($0.key, JSONValue.string($0.value)) }))))
        }
        var offset = 0
        let sorted = tensors.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) }
        for tensor in sorted {
            let end = offset + 4 * tensor.values.count
            members.append((tensor.name, .object(JSONObject(ordered: [
                ("dtype", "F32"), ("shape", .array(tensor.shape.map { .int($0) })), ("data_offsets", [.int(offset), .int(end)]),
            ]))))
            offset = end
        }
        var header = Array(JSONValue.object(JSONObject(ordered: members)).compact.utf8)
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
        var bytes = withUnsafeBytes(of: UInt64(header.count).littleEndian, Array.init) + header
        bytes.reserveCapacity(bytes.count + offset)
        for tensor in sorted {
            for value in tensor.values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        }
        return bytes
    }

    /// Reads and checks a safetensors file's bytes; every refusal is a `RunError.badFile` naming `path`
    /// and the reason.
    public static func decode(_ bytes: [UInt8], path: String) throws -> Safetensors {
        func refuse(_ reason: String) -> RunError { .badFile(path: path, reason: "not a readable safetensors file: " + reason) }
        guard bytes.count >= 8 else { throw refuse("\(bytes.count) bytes, fewer than the 8 of the header length") }
        let length = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length <= UInt64(min(maximumHeaderSize, bytes.count - 8)) else {
            throw refuse("the header length \(length) runs past the file's \(bytes.count) bytes")
        }
        let headerEnd = 8 + Int(length)
        guard bytes[8..<headerEnd].first == UInt8(ascii: "{"),
              case .object(let header)? = try? JSONValue(parsing: Array(bytes[8..<headerEnd])) else {
            throw refuse("the header is not a JSON object")
        }
        let bufferSize = bytes.count - headerEnd
        var metadata: [String: String] = [:]
        var ranges: [(name: String, shape: [Int], begin: Int, end: Int)] = []
        var seen = Set<String>()
        for (name, value) in header {
            guard seen.insert(name).inserted else { throw refuse("'\(name)' appears twice in the header") }
            if name == "__metadata__" {
                guard case .object(let members) = value else { throw refuse("__metadata__ is not an object of strings") }
                for (key, item) in members {
                    guard case .string(let text) = item else { throw refuse("__metadata__.\(key) is not a string") }
                    metadata[key] = text
                }
                continue
            }
            ranges.append(try entry(name, value, refuse))
        }
        var expected = 0
        for range in ranges.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard range.begin == expected else {
                throw refuse(range.begin < expected ? "'\(range.name)' overlaps the tensor before it"
                                                    : "bytes \(expected)..<\(range.begin) belong to no tensor")
            }
            expected = range.end
        }
        guard expected == bufferSize else {
            throw refuse(expected > bufferSize ? "the tensors need \(expected) bytes of data, the file holds \(bufferSize)"
                                               : "\(bufferSize - expected) bytes after the last tensor belong to no tensor")
        }
        let tensors = ranges.map { range in
            let values = stride(from: headerEnd + range.begin, to: headerEnd + range.end, by: 4).map { start in
                Float(bitPattern: bytes[start..<(start + 4)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            }
            return Tensor(name: range.name, shape: range.shape, values: values)
        }
        return Safetensors(tensors: tensors, metadata: metadata)
    }

    /// One header entry, checked: F32, a shape of non-negative sizes, and offsets that hold exactly it.
    private static func entry(_ name: String, _ value: JSONValue, _ refuse: (String) -> RunError) throws
        -> (name: String, shape: [Int], begin: Int, end: Int) {
        guard case .object(let fields) = value else { throw refuse("'\(name)' is not an object") }
        guard case .string(let dtype)? = fields["dtype"] else { throw refuse("'\(name)' has no dtype") }
        guard dtype == "F32" else {
            throw refuse("'\(name)' has dtype \(dtype); SeqLab reads F32 tensors (convert with torch: tensor.float())")
        }
        guard case .array(let dims)? = fields["shape"], case .array(let offsets)? = fields["data_offsets"], offsets.count == 2
        else { throw refuse("'\(name)' needs a shape and two data_offsets") }
        var shape: [Int] = [], count = 1
        for dim in dims {
            guard case .int(let size) = dim, size >= 0 else { throw refuse("'\(name)' has a shape of other than sizes ≥ 0") }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, product <= Int.max / 4 else { throw refuse("'\(name)' has a shape too large to hold") }
            (shape, count) = (shape + [size], product)
        }
        guard case .int(let begin) = offsets[0], case .int(let end) = offsets[1], 0 <= begin, begin <= end else {
            throw refuse("'\(name)' has data_offsets that are not 0 ≤ begin ≤ end")
        }
        guard end - begin == 4 * count else {
            throw refuse("'\(name)' of shape \(shape) needs \(4 * count) bytes, its data_offsets give \(end - begin)")
        }
        return (name, shape, begin, end)
    }
}
