/// Where each parameter lives in the flat parameter arena. Gradients and optimizer state use the
/// same offsets, so the optimizer is one loop, clipping one reduction and a checkpoint one write.
public struct ParameterSlot: Hashable, Sendable {
    /// Stable key, e.g. `layers.0.gru.w_ih`.
    public let key: String
    public let shape: Shape
    /// First element in the arena.
    public let offset: Int
    /// Whether decoupled weight decay / L2 applies (matrices yes; biases, norms and embeddings as the
    /// layer or the optimizer's rule says).
    public var decay: Bool
    /// What the step's learning rate is multiplied by for this slot: 1, 0 for a frozen weight, or a
    /// classifier head's own rate over the others'.
    public var rateScale: Float

    public init(key: String, shape: Shape, offset: Int, decay: Bool, rateScale: Float = 1) {
        self.key = key
        self.shape = shape
        self.offset = offset
        self.decay = decay
        self.rateScale = rateScale
    }

    public var count: Int { shape.count }
    public var range: Range<Int> { offset..<(offset + count) }
}

public struct ParameterLayout: Hashable, Sendable {
    public private(set) var slots: [ParameterSlot] = []
    /// Total elements.
    public private(set) var count = 0

    public init() {}

    /// Appends a slot; returns it. Keys are unique (a programmer error otherwise).
    @discardableResult
    public mutating func append(key: String, shape: Shape, decay: Bool) -> ParameterSlot {
        precondition(!slots.contains { $0.key == key }, "duplicate parameter key \(key)")
        let slot = ParameterSlot(key: key, shape: shape, offset: count, decay: decay)
        slots.append(slot)
        count += shape.count
        return slot
    }

    public subscript(key: String) -> ParameterSlot? { slots.first { $0.key == key } }

    /// Rewrites every slot's decay flag, e.g. nanoGPT's "matrices only" rule.
    public mutating func setDecay(_ rule: (ParameterSlot) -> Bool) {
        for i in slots.indices { slots[i].decay = rule(slots[i]) }
    }

    /// Rewrites every slot's learning-rate scale.
    public mutating func setRateScale(_ rule: (ParameterSlot) -> Float) {
        for i in slots.indices { slots[i].rateScale = rule(slots[i]) }
    }
}
