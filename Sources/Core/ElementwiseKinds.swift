/// The elementwise vocabulary shared by the IR (`Graph.Op`) and the kernels that execute it.

/// One input, same shape out.
public enum UnaryOp: String, Hashable, Sendable, CaseIterable {
    case neg, exp, log, sqrt, tanh, erf, abs
    /// Exact GELU, x·Φ(x) = ½x(1 + erf(x/√2)), in one pass (the Transformer's MLP activation).
    case gelu
}

/// Two inputs with NumPy broadcasting. `greater` yields 1 or 0 and has no gradient.
public enum BinaryOp: String, Hashable, Sendable, CaseIterable {
    case add, sub, mul, div, maximum, greater
    /// GELU's backward, a = x, b = the upstream gradient: b·(Φ(a) + a·φ(a)). A gradient op: it has
    /// no gradient of its own.
    case geluGrad = "gelu_grad"
}

/// Reductions over a set of axes (kept as size-1 axes).
public enum ReduceOp: String, Hashable, Sendable, CaseIterable {
    case sum, max
}
