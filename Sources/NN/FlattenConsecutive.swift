import Graph

/// makemore part 5's `FlattenConsecutive(n)`: x (B, T, C) → (B, T / n, n·C), each new position the
/// concatenation of n neighbouring ones. Row-major memory makes it a reshape, so the hierarchical
/// model fuses pairs of characters, then pairs of pairs, without moving data. makemore squeezes a
/// final time axis of 1 away; it stays here, so every stage keeps the (B, T, C) shape.
public struct FlattenConsecutive {
    public let count: Int

    public init(_ count: Int) { self.count = count }

    /// x (B, T, C) with T a multiple of `count` → (B, T / count, count·C).
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank == 3, count >= 1, x.shape[1] % count == 0 else {
            throw GraphError.invalidShape(op: "flatten_consecutive", node: x.graph.nodes.count, x.shape,
                                          reason: "must be (B, T, C) with T a multiple of \(count)")
        }
        return try x.reshaped(to: [x.shape[0], x.shape[1] / count, count * x.shape[2]])
    }
}
