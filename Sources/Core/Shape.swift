/// The dimensions of a tensor, outermost first: `(B, T, C)` is `[B, T, C]`.
public struct Shape: Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    public var dims: [Int]

    public init(_ dims: [Int]) { self.dims = dims }
    public init(arrayLiteral dims: Int...) { self.dims = dims }

    public static let scalar = Shape([])

    public var rank: Int { dims.count }
    /// Number of elements; 1 for a scalar.
    public var count: Int { dims.reduce(1, *) }
    public subscript(axis: Int) -> Int { dims[axis] }

    /// Row-major strides in elements.
    public var strides: [Int] {
        var strides = [Int](repeating: 1, count: rank)
        var step = 1
        for axis in stride(from: rank - 1, through: 0, by: -1) {
            strides[axis] = step
            step *= dims[axis]
        }
        return strides
    }

    /// `axis` may count from the end (-1 is the last axis); nil when out of range.
    public func normalized(axis: Int) -> Int? {
        let resolved = axis < 0 ? axis + rank : axis
        return (0..<rank).contains(resolved) ? resolved : nil
    }

    /// NumPy broadcasting of two shapes, right-aligned; nil when incompatible.
    public static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
        let rank = max(a.rank, b.rank)
        var dims = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.rank ? 1 : a.dims[i - (rank - a.rank)]
            let db = i < rank - b.rank ? 1 : b.dims[i - (rank - b.rank)]
            guard da == db || da == 1 || db == 1 else { return nil }
            dims[i] = da == 1 ? db : da
        }
        return Shape(dims)
    }

    public var description: String {
        rank == 1 ? "(\(dims[0]),)" : "(" + dims.map(String.init).joined(separator: ", ") + ")"
    }
}

/// Element types the IR knows. Storage is fp32 throughout for now; integer tensors (token ids,
/// targets) hold exact integers in fp32 slots, which is exact below 2^24.
public enum DType: String, Hashable, Sendable {
    case float32 = "f32"
    case int32 = "i32"
}
