import Core

// Builders for the fused ops. The `…Gradient` builders exist for `Autodiff`'s rules.

extension Tensor {
    private func require(_ condition: Bool, _ op: String, _ other: Shape, _ reason: @autoclosure () -> String? = nil) throws {
        guard condition else {
            if let reason = reason() {
                throw GraphError.invalidShape(op: op, node: graph.nextID, shape, reason: reason)
            }
            throw GraphError.shapeMismatch(op: op, node: graph.nextID, shape, other)
        }
    }

    /// Mean cross-entropy of these logits (…, V) against integer targets (…), skipping `ignoreIndex`;
    /// with `labelSmoothing` ε, (1 − ε)·NLL + ε·(mean over the classes of −log p) per target.
    public func crossEntropy(targets: Tensor, ignoreIndex: Int = -100, labelSmoothing: Float = 0) throws -> Tensor {
        try require(rank >= 1 && Array(shape.dims.dropLast()) == targets.shape.dims, "log_softmax_nll", targets.shape)
        let v = shape[rank - 1]
        let logits = try reshaped(to: [-1, v])
        let flat = try targets.reshaped(to: [logits.shape[0]])
        return graph.add(.logSoftmaxNLL(ignoreIndex: ignoreIndex, smoothing: labelSmoothing), [logits, flat], shape: .scalar)
    }

    public static func logSoftmaxNLLGradient(logits: Tensor, targets: Tensor, upstream: Tensor, ignoreIndex: Int,
                                             smoothing: Float) -> Tensor {
        logits.graph.add(.logSoftmaxNLLGrad(ignoreIndex: ignoreIndex, smoothing: smoothing), [logits, targets, upstream],
                         shape: logits.shape)
    }

    /// (x - mean) / √(var + eps) over the last axis.
    public func layerNormalized(eps: Float) throws -> Tensor {
        try require(rank >= 1, "layer_norm", shape, "needs at least one axis")
        return graph.add(.layerNorm(eps: eps), [self], shape: shape)
    }

    public static func layerNormGradient(x: Tensor, upstream: Tensor, eps: Float) -> Tensor {
        x.graph.add(.layerNormGrad(eps: eps), [x, upstream], shape: x.shape)
    }

    /// Softmax over the last axis of self + mask. `mask` is (R, C), C the last dimension, and row r of
    /// the flattened input uses mask row r % R: a (T, T) causal mask serves scores (B, H, T, T).
    public func softmax(mask: Tensor? = nil) throws -> Tensor {
        try require(rank >= 1, "softmax", shape, "needs at least one axis")
        guard let mask else { return graph.add(.softmax, [self], shape: shape) }
        let cols = shape[rank - 1], rows = shape.count / cols
        try require(mask.rank == 2 && mask.shape[1] == cols && rows % mask.shape[0] == 0, "softmax", mask.shape)
        return graph.add(.softmax, [self, mask], shape: shape)
    }

    public static func softmaxGradient(y: Tensor, upstream: Tensor) -> Tensor {
        y.graph.add(.softmaxGrad, [y, upstream], shape: y.shape)
    }

    /// GRU gate math: gi = x·W_ihᵀ + b_ih and gh = h·W_hhᵀ + b_hh, both (B, 3H); h (B, H) → h' (B, H).
    public static func gruCell(inputGates gi: Tensor, hiddenGates gh: Tensor, state h: Tensor) throws -> Tensor {
        try gi.require(gi.rank == 2 && gi.shape == gh.shape, "gru_cell", gh.shape)
        try h.require(h.rank == 2 && h.shape[0] == gi.shape[0] && 3 * h.shape[1] == gi.shape[1], "gru_cell", gi.shape)
        return gi.graph.add(.gruCell, [gi, gh, h], shape: h.shape)
    }

    /// (dgi, dgh, dh) from one fused backward pass: views of its packed output.
    public static func gruCellGradients(inputGates gi: Tensor, hiddenGates gh: Tensor, state h: Tensor,
                                        upstream: Tensor) throws -> [Tensor] {
        let (b, hidden) = (h.shape[0], h.shape[1])
        let packed = gi.graph.add(.gruCellGrad, [gi, gh, h, upstream], shape: [b * 7 * hidden])
        return try packed.unpacked([gi.shape, gh.shape, h.shape])
    }

    /// LSTM gate math: gates (B, 4H) in order i, f, g, o; c (B, H) → the new cell and hidden states
    /// (B, H), both from one fused pass.
    public static func lstmCell(gates: Tensor, cell c: Tensor) throws -> (cell: Tensor, hidden: Tensor) {
        try c.require(c.rank == 2 && gates.rank == 2 && gates.shape[0] == c.shape[0] && gates.shape[1] == 4 * c.shape[1],
                      "lstm_cell", gates.shape)
        let packed = gates.graph.add(.lstmCell, [gates, c], shape: [2 * c.shape.count])
        let parts = try packed.unpacked([c.shape, c.shape])
        return (parts[0], parts[1])
    }

    /// (dgates, dc) from one fused backward pass; `upstream` is the gradient of the packed [c' | h'].
    public static func lstmCellGradients(gates: Tensor, cell c: Tensor, upstream: Tensor) throws -> [Tensor] {
        let packed = gates.graph.add(.lstmCellGrad, [gates, c, upstream], shape: [gates.shape.count + c.shape.count])
        return try packed.unpacked([gates.shape, c.shape])
    }

    /// Consecutive pieces of this flat tensor with the given shapes: contiguous views, no copies.
    func unpacked(_ shapes: [Shape]) throws -> [Tensor] {
        var start = 0
        return try shapes.map { shape in
            defer { start += shape.count }
            return try sliced(axis: 0, start..<(start + shape.count)).reshaped(to: shape)
        }
    }
}
