import Core

/// The IR's operations: a small set of primitives grouped as tinygrad groups them, plus the fused
/// operations that numerics or speed demand (each with its own backward op, which the engine runs
/// as one kernel). Composite functions (sigmoid, GELU, softmax without mask, dropout…) are Swift
/// functions over these in `Tensor+Composite.swift`.
public enum Op: Hashable, Sendable {
    // Leaves: no inputs.
    /// Fed from outside before each run (`program.setInput`).
    case input(name: String)
    /// Trainable, lives in the flat parameter arena under a stable key.
    case parameter(key: String)
    /// Persistent non-trainable state in the parameter arena (BatchNorm running statistics).
    case buffer(key: String)
    /// Every element equals `value`.
    case constant(Float)
    /// Fresh uniform [0, 1) values on every run, from the program's seeded generator.
    case randomUniform
    /// Inverted dropout's mask, drawn afresh on every run like `randomUniform`: 1/(1 − p) where a
    /// uniform draw exceeds p, else 0. One kernel instead of a draw, a comparison and a scaling.
    case dropoutMask(p: Float)

    // Elementwise.
    case unary(UnaryOp)
    /// NumPy broadcasting.
    case binary(BinaryOp)
    /// cond != 0 ? a : b — inputs (cond, a, b), all of the output's shape.
    case select

    // Reductions, keeping reduced axes as size 1.
    case reduce(ReduceOp, axes: [Int])

    // Movement.
    case reshape
    case permute([Int])
    /// Broadcast size-1 axes to the output shape (same rank).
    case expand
    case slice(axis: Int, start: Int, end: Int)
    case pad(axis: Int, before: Int, after: Int)
    case concat(axis: Int)

    // Products.
    /// (M, K)·(K, N), or batched (…, M, K)·(…, K, N) with equal leading dims; transposes are flags.
    case matmul(transposeA: Bool, transposeB: Bool)

    // Indexing.
    /// table (V, C), indices (…) → (…, C).
    case gather
    /// The index of the largest element along the last axis (the first on a tie): (…, n) → (…).
    /// Piecewise constant, so no gradient flows through it (greedy decoding inside a graph).
    case argmax
    /// grad (…, C), indices (…) → (V, C): the gather's adjoint.
    case scatterAdd(rows: Int)

    // Fused, each with a hand-written backward.
    /// logits (N, V), targets (N) → scalar mean NLL over targets != ignoreIndex, label-smoothed by `smoothing`.
    case logSoftmaxNLL(ignoreIndex: Int, smoothing: Float)
    /// logits, targets, upstream scalar → dLogits (N, V).
    case logSoftmaxNLLGrad(ignoreIndex: Int, smoothing: Float)
    /// Normalise over the last axis (no affine; gamma and beta are separate ops).
    case layerNorm(eps: Float)
    /// x, upstream → dx.
    case layerNormGrad(eps: Float)
    /// softmax over the last axis of x + mask; inputs (x) or (x, mask) with mask (R, C) repeating over rows.
    case softmax
    /// y, upstream → dx.
    case softmaxGrad
    /// gi (B, 3H), gh (B, 3H), h (B, H) → h' (B, H), PyTorch gate order r, z, n.
    case gruCell
    /// gi, gh, h, upstream → all three gradients in one pass, packed flat as [dgi (B·3H) | dgh (B·3H) |
    /// dh (B·H)]; `Autodiff` hands out contiguous views of the parts.
    case gruCellGrad
    /// gates (B, 4H) (order i, f, g, o), c (B, H) → c' and h' packed flat as [c' (B·H) | h' (B·H)], one
    /// pass for both; `Tensor.lstmCell` returns the two views.
    case lstmCell
    /// gates, c, upstream packed like the output → [dgates (B·4H) | dc (B·H)].
    case lstmCellGrad

    /// Leaves take no inputs and are never recomputed by the backward pass.
    public var isLeaf: Bool {
        switch self {
        case .input, .parameter, .buffer, .constant, .randomUniform, .dropoutMask: true
        default: false
        }
    }

    /// Leaves drawn afresh on every run.
    public var isRandom: Bool {
        switch self {
        case .randomUniform, .dropoutMask: true
        default: false
        }
    }

    /// Short name for printing and for per-op timings.
    public var name: String {
        switch self {
        case .input: "input"
        case .parameter: "parameter"
        case .buffer: "buffer"
        case .constant: "constant"
        case .randomUniform: "random_uniform"
        case .dropoutMask: "dropout_mask"
        case .unary(let op): op.rawValue
        case .binary(let op): op.rawValue
        case .select: "select"
        case .reduce(let op, _): "reduce_\(op.rawValue)"
        case .reshape: "reshape"
        case .permute: "permute"
        case .expand: "expand"
        case .slice: "slice"
        case .pad: "pad"
        case .concat: "concat"
        case .matmul: "matmul"
        case .gather: "gather"
        case .argmax: "argmax"
        case .scatterAdd: "scatter_add"
        case .logSoftmaxNLL: "log_softmax_nll"
        case .logSoftmaxNLLGrad: "log_softmax_nll_grad"
        case .layerNorm: "layer_norm"
        case .layerNormGrad: "layer_norm_grad"
        case .softmax: "softmax"
        case .softmaxGrad: "softmax_grad"
        case .gruCell: "gru_cell"
        case .gruCellGrad: "gru_cell_grad"
        case .lstmCell: "lstm_cell"
        case .lstmCellGrad: "lstm_cell_grad"
        }
    }

    /// Attributes worth printing after the inputs.
    var attributes: String {
        switch self {
        case .input(let name): "\"\(name)\""
        case .parameter(let key), .buffer(let key): "\"\(key)\""
        case .constant(let value): "\(value)"
        case .reduce(_, let axes): "axes: \(axes)"
        case .permute(let perm): "perm: \(perm)"
        case .slice(let axis, let start, let end): "axis: \(axis), \(start)..<\(end)"
        case .pad(let axis, let before, let after): "axis: \(axis), before: \(before), after: \(after)"
        case .concat(let axis): "axis: \(axis)"
        case .matmul(let ta, let tb): (ta ? "Aᵀ" : "A") + "·" + (tb ? "Bᵀ" : "B")
        case .scatterAdd(let rows): "rows: \(rows)"
        case .logSoftmaxNLL(let ignore, let smoothing), .logSoftmaxNLLGrad(let ignore, let smoothing):
            smoothing > 0 ? "ignore: \(ignore), smoothing: \(smoothing)" : "ignore: \(ignore)"
        case .layerNorm(let eps), .layerNormGrad(let eps): "eps: \(eps)"
        default: ""
        }
    }
}
