/// FNV-1a, 64 bits: a stable hash (unlike `Hasher`, which is seeded per process) for identifying
/// the spec a checkpoint belongs to. Not a defence against tampering, only against mix-ups.
func fnv1a64<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    return hash
}
