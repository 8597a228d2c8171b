/// CRC-32 (IEEE 802.3, the polynomial of zlib, gzip and PNG): a gzip member's check, and a
/// checkpoint's, which standard tools can verify (`crc32` of the file minus its last four bytes).
@inlinable
public func crc32<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt32 {
    reflectedCRC(bytes, table: crcTable)
}

/// CRC-32C (Castagnoli), the checksum of TFRecord files.
@inlinable
public func crc32c<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt32 {
    reflectedCRC(bytes, table: crc32cTable)
}

// Inlinable, so that callers in other modules get it specialized to their byte collection (a
// checkpoint is hundreds of megabytes): a generic call per byte would be many times slower.
@inlinable
func reflectedCRC<Bytes: Collection<UInt8>>(_ bytes: Bytes, table: [UInt32]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
    }
    return crc ^ 0xFFFF_FFFF
}

/// The byte table of a reflected CRC-32 with the (reversed) `polynomial`.
private func table(polynomial: UInt32) -> [UInt32] {
    (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? polynomial ^ (value >> 1) : value >> 1 }
        return value
    }
}

@usableFromInline
let crcTable = table(polynomial: 0xEDB8_8320)
@usableFromInline
let crc32cTable = table(polynomial: 0x82F6_3B78)

