import Core
import Foundation

/// How a parameter's values are drawn when a program first allocates the arena.
public enum Initializer: Hashable, Sendable {
    case zeros
    case ones
    case constant(Float)
    /// U(low, high); PyTorch's Linear/RNN default is U(-1/√fan_in, 1/√fan_in).
    case uniform(low: Float, high: Float)
    case normal(mean: Float, std: Float)
    /// U(-a, a) with a = gain·√(6 / (fan_in + fan_out)), fans of the 2-D (out, in) matrix.
    case xavierUniform(gain: Float)
    /// The fixed position encodings of "Attention Is All You Need" (§3.5) for a (positions, C) table:
    /// row p holds sin(p·ω_i) at column 2i and cos(p·ω_i) at 2i + 1, with ω_i = 10000^(−2i/C).
    case sinusoidal

    /// Fills `values` (the parameter of `shape`) from `rng`.
    public func fill(_ values: UnsafeMutableBufferPointer<Float>, shape: Shape, rng: inout SeededGenerator) {
        switch self {
        case .zeros: values.update(repeating: 0)
        case .ones: values.update(repeating: 1)
        case .constant(let value): values.update(repeating: value)
        case .uniform(let low, let high):
            for i in values.indices { values[i] = rng.nextFloat(in: low, high) }
        case .normal(let mean, let std):
            for i in values.indices { values[i] = mean + std * rng.nextNormal() }
        case .xavierUniform(let gain):
            let fanOut = shape.rank > 0 ? shape[0] : 1
            let fanIn = shape.rank > 1 ? shape.count / fanOut : 1
            let a = gain * (6 / Float(fanIn + fanOut)).squareRoot()
            for i in values.indices { values[i] = rng.nextFloat(in: -a, a) }
        case .sinusoidal:
            let width = shape.rank > 1 ? shape[shape.rank - 1] : 1
            for i in values.indices {
                let (position, column) = (Double(i / width), i % width)
                let angle = position * pow(10_000, -Double(column - column % 2) / Double(width))
                values[i] = Float(column % 2 == 0 ? sin(angle) : cos(angle))
            }
        }
    }
}
