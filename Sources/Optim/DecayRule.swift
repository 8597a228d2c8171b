import Core

/// Which parameters receive weight decay. Layers set a default flag per slot; a rule rewrites all of
/// them at once so an experiment states its policy in one word instead of per key.
///
/// nanoGPT decays only tensors of rank ≥ 2 (weights of matmuls and embeddings), llm.c decays
/// everything; `exempt` covers the common "no decay on biases and norms" recipe by key.
public enum DecayRule: Hashable, Sendable {
    /// Every slot decays.
    case all
    /// No slot decays.
    case none
    /// Slots of rank ≥ 2 decay: biases, gains and other vectors do not (nanoGPT).
    case matricesOnly
    /// Every slot decays except those whose key contains one of these substrings (case-sensitive),
    /// e.g. `["bias", "norm", "embed"]`.
    case exempt([String])

    /// Whether `slot` decays under this rule.
    public func decays(_ slot: ParameterSlot) -> Bool {
        switch self {
        case .all: true
        case .none: false
        case .matricesOnly: slot.shape.rank >= 2
        case .exempt(let substrings): !substrings.contains { slot.key.contains($0) }
        }
    }
}

extension ParameterLayout {
    /// Rewrites every slot's decay flag by `rule`.
    public mutating func setDecay(_ rule: DecayRule) {
        setDecay { rule.decays($0) }
    }
}
