/// word2vec's linear congruential generator (`next_random * 25214903917 + 11`, 48 bits, as gensim's
/// Cython keeps it): the draws of a training pass — window shrinking, subsampling, negatives — are
/// made millions of times a second, where one multiply-add is all a draw may cost.
public struct WordRandom: Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed & Self.modulo }

    static let modulo: UInt64 = (1 << 48) - 1

    /// The next 32 bits (bits 16…47 of the state), as gensim's `random_int32`.
    public mutating func next32() -> UInt32 {
        let value = UInt32(truncatingIfNeeded: state >> 16)
        state = (state &* 25_214_903_917 &+ 11) & Self.modulo
        return value
    }

    /// Uniform in 0..<bound.
    public mutating func next(below bound: Int) -> Int { Int(next32()) % bound }

    /// Uniform in [0, 1).
    public mutating func nextUnit() -> Float { Float(next32() >> 8) / Float(1 << 24) }
}
