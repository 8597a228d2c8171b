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

    /// Fills `count` floats with `nextFloat()`'s values, in order: the same stream, with the state in
    /// registers for the whole loop instead of in its array for every draw (dropout draws millions a step).
    public mutating func fillUniform(_ out: UnsafeMutablePointer<Float>, count: Int) {
        var (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
        for i in 0..<count {
            let result = rotl(s1 &* 5, 7) &* 9
            let t = s1 << 17
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= t
            s3 = rotl(s3, 45)
            out[i] = Float(result >> 40) * 0x1p-24
        }
        state = [s0, s1, s2, s3]
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
