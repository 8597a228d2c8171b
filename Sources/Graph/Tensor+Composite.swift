import Core

// Functions built from primitives: their gradients come from the primitives' rules.

extension Tensor {
    /// σ(x) = ½(1 + tanh(x/2)): stable for large |x| where 1/(1 + e^-x) overflows.
    public func sigmoid() throws -> Tensor {
        try (try (self * 0.5).tanh() + 1) * 0.5
    }

    public func relu() throws -> Tensor { try maximum(graph.constant(0)) }

    /// Exact GELU: x·Φ(x) = ½x(1 + erf(x/√2)).
    public func gelu() throws -> Tensor {
        unary(.gelu)
    }

    /// GPT-2's tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
    public func geluTanh() throws -> Tensor {
        let cubic = try self * self * self * 0.044715
        let inner = try (self + cubic) * Float((2 / Double.pi).squareRoot())
        return try self * (try (inner.tanh() + 1) * 0.5)
    }

    /// log softmax over the last axis, stabilised by the row maximum (a constant for the gradient's sake
    /// is not needed: the max's contribution cancels exactly).
    public func logSoftmax() throws -> Tensor {
        let shifted = try self - max(axes: [-1], keepingDims: true)
        return try shifted - shifted.exp().sum(axes: [-1], keepingDims: true).log()
    }

    /// Inverted dropout: zero with probability p and scale survivors by 1/(1-p); the identity when
    /// p is 0 or the graph is built for evaluation.
    /// - Parameter sharedAlong: axes along which one mask entry serves every index: axis 0 of a
    ///   time-major (T, B, C) sequence gives variational ("locked") dropout, one mask per sequence
    ///   (Gal & Ghahramani 2016; AWD-LSTM's `LockedDropout`); axis 1 of a (V, C) table drops whole rows.
    public func dropout(_ p: Float, sharedAlong axes: [Int] = []) throws -> Tensor {
        guard graph.isTraining, p > 0 else { return self }
        guard p < 1 else {
            throw GraphError.invalidArgument(op: "dropout", node: graph.nextID, reason: "probability \(p) must be below 1")
        }
        guard axes.allSatisfy({ (0..<rank).contains($0) }) else {
            throw GraphError.invalidArgument(op: "dropout", node: graph.nextID, reason: "shared axes \(axes) outside rank \(rank)")
        }
        let maskShape = Shape(shape.dims.enumerated().map { axes.contains($0.offset) ? 1 : $0.element })
        return try self * graph.dropoutMask(shape: maskShape, p: p)
    }
}
