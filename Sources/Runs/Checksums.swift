/// CRC-32 (IEEE 802.3, the polynomial of zlib and PNG), so a checkpoint's checksum can be checked
/// with standard tools: `crc32` of the file minus its last four bytes.
public func crc32<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt32 {
    reflectedCRC(bytes, table: crcTable)
}

/// CRC-32C (Castagnoli), the checksum of TFRecord files.
func crc32c<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt32 {
    reflectedCRC(bytes, table: crc32cTable)
}

/// TFRecord's masked CRC-32C: rotated and offset, so that a CRC stored in the data it covers does not
/// checksum to a fixed value.
func maskedCRC32C<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UInt32 {
    let crc = crc32c(bytes)
    return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
}

private func reflectedCRC<Bytes: Collection<UInt8>>(_ bytes: Bytes, table: [UInt32]) -> UInt32 {
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

private let crcTable = table(polynomial: 0xEDB8_8320)
private let crc32cTable = table(polynomial: 0x82F6_3B78)

/// FNV-1a, 64 bits: a stable hash (unlike `Hasher`, which is seeded per process) for identifying
/// the spec a checkpoint belongs to. Not a defence against tampering, only against mix-ups.
func fnv1a64<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    return hash
}
