/// The elementwise vocabulary shared by the IR (`Graph.Op`) and the kernels that execute it.

/// One input, same shape out.
public enum UnaryOp: String, Hashable, Sendable, CaseIterable {
    case neg, exp, log, sqrt, tanh, erf, abs
}

/// Two inputs with NumPy broadcasting. `greater` yields 1 or 0 and has no gradient.
public enum BinaryOp: String, Hashable, Sendable, CaseIterable {
    case add, sub, mul, div, maximum, greater
}

/// Reductions over a set of axes (kept as size-1 axes).
public enum ReduceOp: String, Hashable, Sendable, CaseIterable {
    case sum, max
}
