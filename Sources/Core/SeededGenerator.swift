import Foundation

/// xoshiro256** seeded through SplitMix64: fast, reproducible on every platform, and its whole
/// state is four words, so a checkpoint can store it and a resumed run continues bit for bit.
public struct SeededGenerator: RandomNumberGenerator, Hashable, Sendable, Codable {
    public private(set) var state: [UInt64]

    public init(seed: UInt64) {
        var mixer = seed
        state = (0..<4).map { _ in
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    public init(state: [UInt64]) {
        precondition(state.count == 4 && state.contains { $0 != 0 }, "xoshiro state is four words, not all zero")
        self.state = state
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotl(state[3], 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits, the float's full mantissa.
    public mutating func nextFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Positions `range` of the uniform floats in [0, 1) of the draw `key` (a `next()` value): word w
    /// is SplitMix64's output function of key + (w + 1)·γ, and it gives two floats of 24 random bits,
    /// positions 2w (its top bits) and 2w + 1. Each value depends on its position alone, not on the
    /// values before it, so threads that fill parts of one draw fill what one thread fills
    /// (dropout draws millions a step, which a sequential stream could only draw on one core).
    public static func fillUniform(_ out: UnsafeMutablePointer<Float>, range: Range<Int>, key: UInt64) {
        fill(out, range: range, key: key) { $0 }
    }

    /// Inverted dropout's mask at positions `range` of the draw `key`: 1/(1 − p) where
    /// `fillUniform`'s value exceeds p, else 0.
    public static func fillDropoutMask(_ out: UnsafeMutablePointer<Float>, range: Range<Int>, key: UInt64, p: Float) {
        let scale = 1 / (1 - p)
        fill(out, range: range, key: key) { $0 > p ? scale : 0 }
    }

    @inline(__always) private static func fill(_ out: UnsafeMutablePointer<Float>, range: Range<Int>, key: UInt64,
                                               _ value: (Float) -> Float) {
        guard !range.isEmpty else { return }
        // Whole words in the loop, without a test per value; a range may start or end mid-word.
        var (first, end) = (range.lowerBound / 2, (range.upperBound + 1) / 2)
        if range.lowerBound % 2 == 1 {
            out[range.lowerBound] = value(low(word(first, key)))
            first += 1
        }
        if range.upperBound % 2 == 1, first < end {
            end -= 1
            out[range.upperBound - 1] = value(high(word(end, key)))
        }
        for w in first..<max(first, end) {
            let z = word(w, key)
            (out[2 * w], out[2 * w + 1]) = (value(high(z)), value(low(z)))
        }
    }

    @inline(__always) private static func word(_ w: Int, _ key: UInt64) -> UInt64 {
        var z = key &+ UInt64(truncatingIfNeeded: w + 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    // 24-bit integers convert exactly through Int32, which x86 converts in one instruction (UInt64 does not).
    @inline(__always) private static func high(_ z: UInt64) -> Float { Float(Int32(truncatingIfNeeded: z >> 40)) * 0x1p-24 }
    @inline(__always) private static func low(_ z: UInt64) -> Float {
        Float(Int32(truncatingIfNeeded: (z >> 16) & 0xFF_FFFF)) * 0x1p-24
    }

    /// Uniform in [low, high).
    public mutating func nextFloat(in low: Float, _ high: Float) -> Float {
        low + (high - low) * nextFloat()
    }

    /// Standard normal by Box–Muller (one of the pair; simplicity over speed: init-time only).
    public mutating func nextNormal() -> Float {
        let u1 = Double(next() >> 11) * 0x1p-53
        let u2 = Double(next() >> 11) * 0x1p-53
        return Float((-2 * Foundation.log(1 - u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
