import Graph

/// Forward values that the backward pass computes again instead of keeping from the forward pass.
///
/// An activation (GELU, ReLU's maximum) or a layer norm is computed again from its input, which lives
/// until the backward pass anyway because the op's own gradient rule reads it; so is an elementwise
/// chain from such a value with parameters or constants on the other side (the affine γ·x̂ + β of a
/// LayerNorm, a view of either). The forward pass then keeps one tensor per MLP and per layer norm
/// where it kept two or three — nanoGPT-small's training activations fall from 109.7M to 75.7M floats —
/// at the cost of elementwise passes that are under 2% of its step. The recomputed values are the same bits.
///
/// One `gradients(of:)` call shares its copies: the three Q, K, V weight gradients read one
/// recomputed LayerNorm output, which lives from the first of them to the last.
struct Recomputation {
    /// Forward node → the backward pass's copy of it.
    private var copies: [Int: Tensor] = [:]

    /// The value of forward node `t` for a backward rule to read: a copy computed again where `t` is
    /// recomputable, `t` itself otherwise.
    mutating func value(of t: Tensor) throws -> Tensor {
        if let copy = copies[t.id] { return copy }
        guard Self.isRecomputable(t) else { return t }
        let inputs = t.node.inputs.map(t.graph.tensor)
        let copy: Tensor
        switch t.node.op {
        case .unary(.gelu): copy = try inputs[0].gelu()
        case .layerNorm(let eps): copy = try inputs[0].layerNormalized(eps: eps)
        case .binary(.maximum): copy = try inputs[0].maximum(inputs[1])
        case .binary(let op): copy = try value(of: inputs[0]).binary(op, value(of: inputs[1]))
        case .reshape: copy = try value(of: inputs[0]).reshaped(to: t.shape)
        default: return t
        }
        copies[t.id] = copy
        return copy
    }

    /// Whether computing `t` again reads only values the backward pass keeps anyway: the input of an
    /// activation or layer norm, and leaves (parameters, inputs and constants keep their values through
    /// the run). A mul or add chain recomputes `chain` ops at most, as an affine map needs.
    private static func isRecomputable(_ t: Tensor, chain: Int = 3) -> Bool {
        let inputs = t.node.inputs.map(t.graph.tensor)
        switch t.node.op {
        case .unary(.gelu), .layerNorm:
            return true
        case .binary(.maximum):
            // ReLU: the other side a leaf, so that only the input its rule reads is read again.
            return inputs.contains { $0.node.op.isLeaf }
        case .binary(.mul), .binary(.add):
            // Not through a dropout mask: recomputing the MLP's dropped hidden layer costs more time than
            // its memory is worth (Multi30k's Transformer: 3–5 % slower a step for a quarter of its scratch).
            guard chain > 0, let computed = inputs.first(where: { !$0.node.op.isLeaf }),
                  inputs.allSatisfy({ $0.id == computed.id || ($0.node.op.isLeaf && !$0.node.op.isRandom) })
            else { return false }
            return isRecomputable(computed, chain: chain - 1)
        case .reshape:
            return isRecomputable(inputs[0], chain: chain)
        default:
            return false
        }
    }
}
