import Foundation

/// word2vec's sigmoid: a table of 1,000 values over (−6, 6), read instead of calling `exp` in the
/// innermost loop; outside that range the sigmoid is taken as 0 or 1. The log-sigmoid (for the
/// reported loss) comes from a table of the same grid.
public struct SigmoidTable: Sendable {
    /// Beyond ±`bound` the sigmoid is saturated.
    public static let bound: Float = 6
    static let size = 1_000
    private let sigmoid: [Float]
    private let logSigmoid: [Float]

    public init() {
        let grid = (0..<Self.size).map { (Double($0) / Double(Self.size) * 2 - 1) * Double(Self.bound) }
        sigmoid = grid.map { Float(1 / (1 + Foundation.exp(-$0))) }
        logSigmoid = grid.map { Float(-Foundation.log1p(Foundation.exp(-$0))) }
    }

    @inline(__always)
    private func index(_ x: Float) -> Int {
        // Just below the bound the product can round up to `size`.
        min(Self.size - 1, Int((x + Self.bound) * (Float(Self.size) / Self.bound / 2)))
    }

    /// σ(x), saturated outside (−6, 6); NaN for NaN (a diverged run), which the loss then reports.
    @inline(__always)
    public func callAsFunction(_ x: Float) -> Float {
        x > -Self.bound && x < Self.bound ? sigmoid[index(x)] : x <= -Self.bound ? 0 : x >= Self.bound ? 1 : .nan
    }

    /// log σ(x) for the loss; outside the table, x itself (x < −6) or 0 (x > 6), the limits it tends
    /// to; NaN for NaN.
    @inline(__always)
    public func log(_ x: Float) -> Float {
        x > -Self.bound && x < Self.bound ? logSigmoid[index(x)] : x <= -Self.bound ? x : x >= Self.bound ? 0 : .nan
    }
}
