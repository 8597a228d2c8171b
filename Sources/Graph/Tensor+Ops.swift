import Core

// Builders for the primitive ops: each checks its inputs, infers the output shape, appends a node.
// A mismatch throws `GraphError` naming the op, the node it would have been and the shapes.

extension Tensor {
    private func check(_ others: [Tensor], _ op: String) throws {
        for other in others where other.graph !== graph { throw GraphError.foreignTensor(op: op) }
    }

    private func axis(_ axis: Int, _ op: String, rank: Int? = nil) throws -> Int {
        let shape = rank.map { Shape([Int](repeating: 1, count: $0)) } ?? self.shape
        guard let resolved = shape.normalized(axis: axis) else {
            throw GraphError.invalidAxis(op: op, node: graph.nextID, axis: axis, rank: shape.rank)
        }
        return resolved
    }

    // MARK: Elementwise

    public func unary(_ op: UnaryOp) -> Tensor { graph.add(.unary(op), [self], shape: shape) }
    public func neg() -> Tensor { unary(.neg) }
    public func exp() -> Tensor { unary(.exp) }
    public func log() -> Tensor { unary(.log) }
    public func sqrt() -> Tensor { unary(.sqrt) }
    public func tanh() -> Tensor { unary(.tanh) }
    public func erf() -> Tensor { unary(.erf) }
    public func abs() -> Tensor { unary(.abs) }

    public func binary(_ op: BinaryOp, _ other: Tensor) throws -> Tensor {
        try check([other], op.rawValue)
        guard let shape = Shape.broadcast(shape, other.shape) else {
            throw GraphError.shapeMismatch(op: op.rawValue, node: graph.nextID, shape, other.shape)
        }
        return graph.add(.binary(op), [self, other], shape: shape)
    }

    public func maximum(_ other: Tensor) throws -> Tensor { try binary(.maximum, other) }
    /// 1 where self > other, else 0; no gradient flows through it.
    public func greater(_ other: Tensor) throws -> Tensor { try binary(.greater, other) }

    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(.add, b) }
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(.sub, b) }
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(.mul, b) }
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(.div, b) }
    public static func + (a: Tensor, b: Float) throws -> Tensor { try a.binary(.add, a.graph.constant(b)) }
    public static func - (a: Tensor, b: Float) throws -> Tensor { try a.binary(.sub, a.graph.constant(b)) }
    public static func * (a: Tensor, b: Float) throws -> Tensor { try a.binary(.mul, a.graph.constant(b)) }
    public static func / (a: Tensor, b: Float) throws -> Tensor { try a.binary(.div, a.graph.constant(b)) }
    public static func + (a: Float, b: Tensor) throws -> Tensor { try b.graph.constant(a).binary(.add, b) }
    public static func - (a: Float, b: Tensor) throws -> Tensor { try b.graph.constant(a).binary(.sub, b) }
    public static func * (a: Float, b: Tensor) throws -> Tensor { try b.graph.constant(a).binary(.mul, b) }
    public static prefix func - (x: Tensor) -> Tensor { x.neg() }

    /// cond != 0 ? self : other, all three of one shape.
    public func selected(where cond: Tensor, else other: Tensor) throws -> Tensor {
        try check([cond, other], "select")
        for t in [cond, other] where t.shape != shape {
            throw GraphError.shapeMismatch(op: "select", node: graph.nextID, shape, t.shape)
        }
        return graph.add(.select, [cond, self, other], shape: shape)
    }

    // MARK: Reductions

    /// Reduces over `axes` (negative counts from the end); reduced axes stay as size 1 when `keepingDims`.
    public func reduce(_ op: ReduceOp, axes: [Int], keepingDims: Bool = false) throws -> Tensor {
        let resolved = try Set(axes.map { try axis($0, "reduce_\(op.rawValue)") }).sorted()
        var kept = shape.dims
        for a in resolved { kept[a] = 1 }
        let reduced = graph.add(.reduce(op, axes: resolved), [self], shape: Shape(kept))
        if keepingDims { return reduced }
        return try reduced.reshaped(to: Shape(shape.dims.enumerated().filter { !resolved.contains($0.offset) }.map(\.element)))
    }

    public func sum(axes: [Int], keepingDims: Bool = false) throws -> Tensor {
        try reduce(.sum, axes: axes, keepingDims: keepingDims)
    }
    public func sum() throws -> Tensor { try reduce(.sum, axes: Array(0..<rank)) }
    public func max(axes: [Int], keepingDims: Bool = false) throws -> Tensor {
        try reduce(.max, axes: axes, keepingDims: keepingDims)
    }
    public func mean(axes: [Int], keepingDims: Bool = false) throws -> Tensor {
        // Unique, as `reduce` sums each axis once however often it is named ([1, -1] on rank 2).
        let n = try Set(axes.map { try axis($0, "mean") }).reduce(1) { $0 * shape[$1] }
        return try sum(axes: axes, keepingDims: keepingDims) / Float(n)
    }
    public func mean() throws -> Tensor { try sum() / Float(shape.count) }

    // MARK: Movement

    /// Same elements, new shape; one dimension may be -1 (inferred).
    public func reshaped(to target: Shape) throws -> Tensor {
        var dims = target.dims
        let known = dims.filter { $0 != -1 }.reduce(1, *)
        if let hole = dims.firstIndex(of: -1), dims.filter({ $0 == -1 }).count == 1, known > 0, shape.count % known == 0 {
            dims[hole] = shape.count / known
        }
        let resolved = Shape(dims)
        guard resolved.count == shape.count, dims.allSatisfy({ $0 >= 0 }) else {
            throw GraphError.shapeMismatch(op: "reshape", node: graph.nextID, shape, target)
        }
        return resolved == shape ? self : graph.add(.reshape, [self], shape: resolved, dtype: dtype)
    }

    /// Output axis i is input axis perm[i].
    public func permuted(_ perm: [Int]) throws -> Tensor {
        guard perm.sorted() == Array(0..<rank) else {
            throw GraphError.invalidArgument(op: "permute", node: graph.nextID, reason: "\(perm) is not a permutation of 0..<\(rank)")
        }
        if perm == Array(0..<rank) { return self }
        return graph.add(.permute(perm), [self], shape: Shape(perm.map { shape[$0] }), dtype: dtype)
    }

    /// Swaps two axes.
    public func transposed(_ a: Int = -2, _ b: Int = -1) throws -> Tensor {
        var perm = Array(0..<rank)
        perm.swapAt(try axis(a, "transpose"), try axis(b, "transpose"))
        return try permuted(perm)
    }

    /// Broadcasts to `target` (NumPy rules; leading axes may be added).
    public func expanded(to target: Shape) throws -> Tensor {
        guard Shape.broadcast(shape, target) == target else {
            throw GraphError.shapeMismatch(op: "expand", node: graph.nextID, shape, target)
        }
        let aligned = try reshaped(to: Shape([Int](repeating: 1, count: target.rank - rank) + shape.dims))
        return aligned.shape == target ? aligned : graph.add(.expand, [aligned], shape: target, dtype: dtype)
    }

    /// Elements start..<end along `axis`.
    public func sliced(axis: Int, _ range: Range<Int>) throws -> Tensor {
        let a = try self.axis(axis, "slice")
        guard range.lowerBound >= 0, range.upperBound <= shape[a], !range.isEmpty else {
            throw GraphError.invalidArgument(op: "slice", node: graph.nextID,
                                             reason: "range \(range) outside 0..<\(shape[a]) of axis \(a) in \(shape)")
        }
        if range.count == shape[a] { return self }
        var dims = shape.dims
        dims[a] = range.count
        return graph.add(.slice(axis: a, start: range.lowerBound, end: range.upperBound), [self], shape: Shape(dims), dtype: dtype)
    }

    /// Zeros before and after along `axis`.
    public func padded(axis: Int, before: Int, after: Int) throws -> Tensor {
        let a = try self.axis(axis, "pad")
        guard before >= 0, after >= 0 else {
            throw GraphError.invalidArgument(op: "pad", node: graph.nextID, reason: "negative padding \(before), \(after)")
        }
        if before == 0 && after == 0 { return self }
        var dims = shape.dims
        dims[a] += before + after
        return graph.add(.pad(axis: a, before: before, after: after), [self], shape: Shape(dims), dtype: dtype)
    }

    /// Joins tensors along `axis`; all other dimensions must agree.
    public static func concatenated(_ parts: [Tensor], axis: Int) throws -> Tensor {
        guard let first = parts.first else {
            throw GraphError.invalidArgument(op: "concat", node: -1, reason: "no tensors to join")
        }
        try first.check(parts, "concat")
        if parts.count == 1 { return first }
        let a = try first.axis(axis, "concat")
        var dims = first.shape.dims
        dims[a] = 0
        for part in parts {
            var other = part.shape.dims
            guard other.count == dims.count else {
                throw GraphError.shapeMismatch(op: "concat", node: first.graph.nextID, first.shape, part.shape)
            }
            dims[a] += other[a]
            other[a] = dims[a]
            guard other == dims else {
                throw GraphError.shapeMismatch(op: "concat", node: first.graph.nextID, first.shape, part.shape)
            }
        }
        return first.graph.add(.concat(axis: a), parts, shape: Shape(dims), dtype: first.dtype)
    }

    // MARK: Products

    /// op(self)·op(other): (M, K)·(K, N) → (M, N), or batched with equal leading dims.
    public func matmul(_ other: Tensor, transposeA: Bool = false, transposeB: Bool = false) throws -> Tensor {
        try check([other], "matmul")
        let a = shape, b = other.shape
        guard a.rank >= 2, a.rank == b.rank, a.dims.dropLast(2) == b.dims.dropLast(2) else {
            throw GraphError.shapeMismatch(op: "matmul", node: graph.nextID, a, b)
        }
        let (m, k) = transposeA ? (a[a.rank - 1], a[a.rank - 2]) : (a[a.rank - 2], a[a.rank - 1])
        let (k2, n) = transposeB ? (b[b.rank - 1], b[b.rank - 2]) : (b[b.rank - 2], b[b.rank - 1])
        guard k == k2 else { throw GraphError.shapeMismatch(op: "matmul", node: graph.nextID, a, b) }
        return graph.add(.matmul(transposeA: transposeA, transposeB: transposeB), [self, other],
                         shape: Shape(Array(a.dims.dropLast(2)) + [m, n]))
    }

    // MARK: Indexing

    /// Rows of this (V, C) table at `indices` (…) → (…, C).
    public func gathered(at indices: Tensor) throws -> Tensor {
        try check([indices], "gather")
        guard rank == 2 else { throw GraphError.invalidShape(op: "gather", node: graph.nextID, shape, reason: "must be (V, C)") }
        return graph.add(.gather, [self, indices], shape: Shape(indices.shape.dims + [shape[1]]))
    }

    /// The index of the largest element of each row along the last axis: (…, n) → (…) ids, the first
    /// index on a tie. No gradient flows through it.
    public func argmax() throws -> Tensor {
        guard rank >= 1 else { throw GraphError.invalidShape(op: "argmax", node: graph.nextID, shape, reason: "needs an axis") }
        return graph.add(.argmax, [self], shape: Shape(shape.dims.dropLast()), dtype: .int32)
    }

    /// Adds rows of this (…, C) tensor into a zero (rows, C) table at `indices` (…).
    public func scatteredAdd(at indices: Tensor, rows: Int) throws -> Tensor {
        try check([indices], "scatter_add")
        guard rank == indices.rank + 1, Array(shape.dims.dropLast()) == indices.shape.dims else {
            throw GraphError.shapeMismatch(op: "scatter_add", node: graph.nextID, shape, indices.shape)
        }
        return graph.add(.scatterAdd(rows: rows), [self, indices], shape: [rows, shape[rank - 1]])
    }
}
