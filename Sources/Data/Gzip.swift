import Core
import Foundation

/// gzip files (RFC 1952) and their DEFLATE data (RFC 1951), read in Swift so that corpora published
/// compressed (Multi30k's raw files) are used as they are downloaded, with no C library beyond the
/// two the project takes. Every member's CRC-32 and length are checked, so a corrupt or truncated
/// file is an error, never wrong text. The Huffman decoder reads a code a bit at a time, as zlib's
/// reference decoder `puff` does: tens of MB/s, plenty for text corpora.
public enum Gzip {
    public struct FormatError: Error, Equatable, CustomStringConvertible {
        public let description: String

        init(_ description: String) { self.description = description }

        static let truncated = FormatError("the compressed data ends early (a truncated file)")
    }

    /// Whether `data` starts with gzip's magic bytes.
    public static func isCompressed(_ data: Foundation.Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1f && data[data.startIndex + 1] == 0x8b
    }

    /// The content of every member of a gzip stream, one after the other (as `gzip -d` gives it).
    public static func decompress(_ data: Foundation.Data) throws -> [UInt8] {
        let bytes = [UInt8](data)
        var output: [UInt8] = []
        var position = 0
        while true {
            position = try member(bytes, at: position, into: &output)
            // Padding of zeros after the last member is ignored, as gzip ignores it; other bytes
            // there must start another member (`cat a.gz b.gz`), else the file was damaged or appended to.
            let rest = bytes[position...]
            guard rest.contains(where: { $0 != 0 }) else { return output }
            guard rest.starts(with: [0x1f, 0x8b]) else {
                throw FormatError("the last \(rest.count) bytes follow the end of the gzip data and are not gzip data: "
                    + "the file was damaged or something was appended to it")
            }
        }
    }

    /// Decodes the member at `start` onto `output`; returns where the next one starts.
    private static func member(_ bytes: [UInt8], at start: Int, into output: inout [UInt8]) throws -> Int {
        var position = start
        func need(_ count: Int) throws {
            guard position + count <= bytes.count else { throw FormatError("the file ends inside a gzip header or trailer") }
        }
        try need(10)
        guard bytes[position] == 0x1f, bytes[position + 1] == 0x8b else { throw FormatError("not gzip data (no magic bytes)") }
        guard bytes[position + 2] == 8 else { throw FormatError("unknown compression method \(bytes[position + 2])") }
        let flags = bytes[position + 3]
        position += 10
        if flags & 0x04 != 0 {                                   // FEXTRA: a length, then that many bytes
            try need(2)
            let length = Int(bytes[position]) | Int(bytes[position + 1]) << 8
            position += 2
            try need(length)
            position += length
        }
        for flag in [UInt8(0x08), 0x10] where flags & flag != 0 { // FNAME, FCOMMENT: zero-terminated
            guard let end = bytes[position...].firstIndex(of: 0) else { throw FormatError("the file ends inside a gzip header") }
            position = end + 1
        }
        if flags & 0x02 != 0 { try need(2); position += 2 }      // FHCRC
        let begin = output.count
        var inflater = Inflater(bytes: bytes, position: position, begin: begin)
        try inflater.inflate(into: &output)
        position = inflater.position
        try need(8)
        let word = { (at: Int) in (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
        guard crc32(output[begin...]) == word(position) else {
            throw FormatError("CRC-32 mismatch: the compressed data is corrupt")
        }
        guard UInt32(truncatingIfNeeded: output.count - begin) == word(position + 4) else {
            throw FormatError("length mismatch: the compressed data is corrupt")
        }
        return position + 8
    }
}

/// A canonical Huffman code from its code lengths: how many codes of each length, and the symbols
/// in code order.
struct HuffmanCode {
    var counts = [Int](repeating: 0, count: 16)
    var symbols: [Int]

    init(lengths: [Int]) {
        for length in lengths { counts[length] += 1 }
        counts[0] = 0
        var offsets = [Int](repeating: 0, count: 16)
        for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
        symbols = [Int](repeating: 0, count: lengths.count)
        for (symbol, length) in lengths.enumerated() where length != 0 {
            symbols[offsets[length]] = symbol
            offsets[length] += 1
        }
    }

    /// More codes of some length than the lengths before leave room for: no prefix code.
    var isOversubscribed: Bool {
        var left = 1
        for length in 1...15 {
            left = 2 * left - counts[length]
            if left < 0 { return true }
        }
        return false
    }
}

/// The DEFLATE decoder over one member's data, reading bits least significant first.
struct Inflater {
    let bytes: [UInt8]
    /// The next byte to read.
    private(set) var position: Int
    /// Where this member's output starts: back-references may not reach before it.
    let begin: Int
    private var buffer: UInt32 = 0
    private var buffered = 0

    init(bytes: [UInt8], position: Int, begin: Int) {
        (self.bytes, self.position, self.begin) = (bytes, position, begin)
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
                             163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                               2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    /// The order the code-length code's lengths come in.
    static let lengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
    static let fixedLiterals = HuffmanCode(lengths: (0..<288).map { $0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8 })
    static let fixedDistances = HuffmanCode(lengths: [Int](repeating: 5, count: 30))

    /// The next `count` (≤ 16) bits as a number, the first read least significant.
    private mutating func bits(_ count: Int) throws -> Int {
        while buffered < count {
            guard position < bytes.count else { throw Gzip.FormatError.truncated }
            buffer |= UInt32(bytes[position]) << buffered
            position += 1
            buffered += 8
        }
        let value = Int(buffer & ((1 << count) - 1))
        buffer >>= count
        buffered -= count
        return value
    }

    /// One symbol of `code`; Huffman codes are packed most significant bit first.
    private mutating func decode(_ code: HuffmanCode) throws -> Int {
        var (value, first, index) = (0, 0, 0)
        for length in 1...15 {
            value |= try bits(1)
            let count = code.counts[length]
            if value - count < first { return code.symbols[index + value - first] }
            index += count
            first = (first + count) << 1
            value <<= 1
        }
        throw Gzip.FormatError("an invalid Huffman code: the compressed data is corrupt")
    }

    mutating func inflate(into output: inout [UInt8]) throws {
        var last = false
        while !last {
            last = try bits(1) == 1
            switch try bits(2) {
            case 0: try stored(into: &output)
            case 1: try codes(Self.fixedLiterals, Self.fixedDistances, into: &output)
            case 2:
                let (literals, distances) = try dynamicCodes()
                try codes(literals, distances, into: &output)
            default: throw Gzip.FormatError("an invalid block type: the compressed data is corrupt")
            }
        }
        // The bits left in the last byte are padding; `position` is already past that byte.
        (buffer, buffered) = (0, 0)
    }

    private mutating func stored(into output: inout [UInt8]) throws {
        (buffer, buffered) = (0, 0)
        guard position + 4 <= bytes.count else { throw Gzip.FormatError.truncated }
        let length = Int(bytes[position]) | Int(bytes[position + 1]) << 8
        let complement = Int(bytes[position + 2]) | Int(bytes[position + 3]) << 8
        guard length == ~complement & 0xFFFF else { throw Gzip.FormatError("a stored block's length is corrupt") }
        position += 4
        guard position + length <= bytes.count else { throw Gzip.FormatError.truncated }
        output += bytes[position..<(position + length)]
        position += length
    }

    private mutating func codes(_ literals: HuffmanCode, _ distances: HuffmanCode, into output: inout [UInt8]) throws {
        while true {
            let symbol = try decode(literals)
            if symbol < 256 {
                output.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let lengthSymbol = symbol - 257
                guard lengthSymbol < Self.lengthBase.count else { throw Gzip.FormatError("an invalid length code") }
                let length = try Self.lengthBase[lengthSymbol] + bits(Self.lengthExtra[lengthSymbol])
                let distanceSymbol = try decode(distances)
                guard distanceSymbol < Self.distanceBase.count else { throw Gzip.FormatError("an invalid distance code") }
                let distance = try Self.distanceBase[distanceSymbol] + bits(Self.distanceExtra[distanceSymbol])
                guard distance <= output.count - begin else {
                    throw Gzip.FormatError("a back-reference before the start: the compressed data is corrupt")
                }
                for _ in 0..<length { output.append(output[output.count - distance]) }
            }
        }
    }

    /// A dynamic block's literal/length and distance codes, sent as code lengths in a code of their own.
    private mutating func dynamicCodes() throws -> (HuffmanCode, HuffmanCode) {
        let literalCount = try bits(5) + 257, distanceCount = try bits(5) + 1, lengthCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { throw Gzip.FormatError("a dynamic block's code counts are corrupt") }
        var codeLengths = [Int](repeating: 0, count: 19)
        for index in 0..<lengthCount { codeLengths[Self.lengthOrder[index]] = try bits(3) }
        let lengthCode = HuffmanCode(lengths: codeLengths)
        guard !lengthCode.isOversubscribed else { throw Gzip.FormatError("a dynamic block's code is corrupt") }
        var lengths: [Int] = []
        while lengths.count < literalCount + distanceCount {
            let symbol = try decode(lengthCode)
            switch symbol {
            case 0..<16:
                lengths.append(symbol)
            case 16:
                guard let previous = lengths.last else { throw Gzip.FormatError("a dynamic block repeats a length before any") }
                let repeats = try 3 + bits(2)
                lengths += repeatElement(previous, count: repeats)
            default:
                let zeros = try symbol == 17 ? 3 + bits(3) : 11 + bits(7)
                lengths += repeatElement(0, count: zeros)
            }
        }
        guard lengths.count == literalCount + distanceCount, lengths[256] != 0 else {
            throw Gzip.FormatError("a dynamic block's code lengths are corrupt")
        }
        let codes = (HuffmanCode(lengths: Array(lengths[..<literalCount])), HuffmanCode(lengths: Array(lengths[literalCount...])))
        guard !codes.0.isOversubscribed, !codes.1.isOversubscribed else {
            throw Gzip.FormatError("a dynamic block's code is corrupt")
        }
        return codes
    }
}
