import Graph

// Normalisation layers: over the features of each position (LayerNorm) or over the batch for each
// channel (BatchNorm1d).

/// Layer normalisation over the last axis, as PyTorch's `nn.LayerNorm(dimension)`: the fused
/// normalisation op, then the elementwise affine map γ·x̂ + β.
///
/// Keys: `<key>.weight` (C) ones and `<key>.bias` (C) zeros, neither decayed; absent without
/// `affine` (and the bias alone absent without `bias`, as nanoGPT's bias-free configuration has it).
public struct LayerNorm {
    public let dimension: Int
    public let eps: Float
    /// γ (C), or nil when not affine.
    public let weight: Tensor?
    /// β (C), or nil when not affine or built without bias.
    public let bias: Tensor?

    public init(_ graph: Graph, key: String, dimension: Int, eps: Float = 1e-5, affine: Bool = true,
                bias: Bool = true) throws {
        self.dimension = dimension
        self.eps = eps
        weight = affine ? try graph.parameter(joinedKey(key, "weight"), shape: [dimension], initializer: .ones,
                                              decay: false) : nil
        self.bias = affine && bias ? try graph.parameter(joinedKey(key, "bias"), shape: [dimension],
                                                         initializer: .zeros, decay: false) : nil
    }

    /// x (…, C) → (…, C).
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank >= 1, x.shape[x.rank - 1] == dimension else {
            throw GraphError.shapeMismatch(op: "layer_norm", node: x.graph.nodes.count, x.shape, [dimension])
        }
        var y = try x.layerNormalized(eps: eps)
        if let weight { y = try y * weight }
        if let bias { y = try y + bias }
        return y
    }
}

/// Batch normalisation over every axis but the last, as PyTorch's `nn.BatchNorm1d` applied to
/// channels-last data: x (N, C) or (N, L, C) normalises each channel over N (and L).
///
/// A training graph normalises with the batch's statistics and registers buffer updates that move
/// the running statistics by PyTorch's rule, running ← (1 − momentum)·running + momentum·batch, with
/// the unbiased variance for `running_var` (the biased one normalises, unless `unbiased`: makemore's
/// hand-written BatchNorm normalises with `torch.var`'s unbiased default). An evaluation graph
/// normalises with the running statistics. Call a BatchNorm once per graph: each training call
/// registers its own updates.
///
/// Keys: `<key>.weight` (C) ones and `<key>.bias` (C) zeros, trainable, not decayed; buffers
/// `<key>.running_mean` (C) zeros and `<key>.running_var` (C) ones.
public struct BatchNorm1d {
    public let momentum: Float
    public let eps: Float
    /// Normalise training batches with the unbiased variance (makemore) instead of the biased one (PyTorch).
    public let unbiased: Bool
    /// γ (C).
    public let weight: Tensor
    /// β (C).
    public let bias: Tensor
    /// Buffer (C), in the arena and checkpoints but never in the optimizer.
    public let runningMean: Tensor
    /// Buffer (C).
    public let runningVariance: Tensor

    public init(_ graph: Graph, key: String, features: Int, momentum: Float = 0.1, eps: Float = 1e-5,
                unbiased: Bool = false) throws {
        self.momentum = momentum
        self.eps = eps
        self.unbiased = unbiased
        weight = try graph.parameter(joinedKey(key, "weight"), shape: [features], initializer: .ones, decay: false)
        bias = try graph.parameter(joinedKey(key, "bias"), shape: [features], initializer: .zeros, decay: false)
        runningMean = try graph.buffer(joinedKey(key, "running_mean"), shape: [features], initializer: .zeros)
        runningVariance = try graph.buffer(joinedKey(key, "running_var"), shape: [features], initializer: .ones)
    }

    public var features: Int { weight.shape[0] }

    /// x (…, C) with at least one axis before C → (…, C).
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let graph = x.graph
        guard x.rank >= 2, x.shape[x.rank - 1] == features else {
            throw GraphError.shapeMismatch(op: "batch_norm", node: graph.nodes.count, x.shape, [features])
        }
        let axes = Array(0..<(x.rank - 1))
        let normalized: Tensor
        if graph.isTraining {
            let n = x.shape.count / features
            guard n > 1 else {
                throw invalidArgument("batch_norm", in: graph, "training needs more than one value per channel, got \(x.shape)")
            }
            let mean = try x.mean(axes: axes)                                  // (C)
            let centered = try x - mean                                        // (…, C)
            let variance = try (centered * centered).mean(axes: axes)          // (C), biased
            let correction = Float(n) / Float(n - 1)
            normalized = try centered / ((unbiased ? variance * correction : variance) + eps).sqrt()
            try graph.update(runningMean, to: (1 - momentum) * runningMean + momentum * mean)
            try graph.update(runningVariance, to: (1 - momentum) * runningVariance + variance * (momentum * correction))
        } else {
            normalized = try (x - runningMean) / (runningVariance + eps).sqrt()
        }
        return try normalized * weight + bias
    }
}
