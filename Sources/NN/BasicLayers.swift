import Core
import Graph

// The elementary layers: a dense projection, a lookup table and dropout.

/// y = x·Wᵀ + b over the last axis, as PyTorch's `nn.Linear`.
///
/// Keys: `<key>.weight` (out, in), decayed; `<key>.bias` (out), not decayed. Both default to
/// PyTorch's U(−1/√in, 1/√in).
public struct Linear {
    /// (out, in), PyTorch's orientation, so that checkpoints map without transposes.
    public let weight: Tensor
    /// (out), or nil for a layer without bias.
    public let bias: Tensor?

    /// - Parameters:
    ///   - weightInitializer: replaces PyTorch's default, e.g. GPT-2's N(0, 0.02) or a scaled
    ///     initialisation that a recipe prescribes.
    ///   - biasInitializer: replaces PyTorch's default, e.g. `.zeros`.
    public init(_ graph: Graph, key: String, inputSize: Int, outputSize: Int, bias: Bool = true,
                weightInitializer: Initializer? = nil, biasInitializer: Initializer? = nil) throws {
        let standard = Initializer.pytorchDefault(fanIn: inputSize)
        weight = try graph.parameter(joinedKey(key, "weight"), shape: [outputSize, inputSize],
                                     initializer: weightInitializer ?? standard, decay: true)
        self.bias = bias ? try graph.parameter(joinedKey(key, "bias"), shape: [outputSize],
                                               initializer: biasInitializer ?? standard, decay: false) : nil
    }

    public var inputSize: Int { weight.shape[1] }
    public var outputSize: Int { weight.shape[0] }

    /// x (…, in) → (…, out). Leading axes are flattened into one GEMM row dimension and restored.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank >= 1, x.shape[x.rank - 1] == inputSize else {
            throw GraphError.shapeMismatch(op: "linear", node: x.graph.nodes.count, x.shape, weight.shape)
        }
        let rows = try x.reshaped(to: [-1, inputSize])             // (N, in)
        var y = try rows.matmul(weight, transposeB: true)           // (N, out)
        if let bias { y = try y + bias }
        return try y.reshaped(to: Shape(x.shape.dims.dropLast() + [outputSize]))
    }
}

/// A lookup table of learned vectors, as PyTorch's `nn.Embedding`.
///
/// Key: `<key>.weight` (count, dimension), N(0, 1) by default, not decayed.
public struct Embedding {
    /// (V, C): row i is the vector of id i. Tied output layers multiply by its transpose.
    public let weight: Tensor

    public init(_ graph: Graph, key: String, count: Int, dimension: Int,
                initializer: Initializer = .normal(mean: 0, std: 1)) throws {
        weight = try graph.parameter(joinedKey(key, "weight"), shape: [count, dimension], initializer: initializer,
                                     decay: false)
    }

    public var count: Int { weight.shape[0] }
    public var dimension: Int { weight.shape[1] }

    /// ids (…) of exact integers → (…, C).
    public func callAsFunction(_ ids: Tensor) throws -> Tensor {
        try weight.gathered(at: ids)
    }
}

/// Inverted dropout as a layer: zeroes each element with probability p during training and scales
/// the survivors by 1/(1 − p), so that evaluation graphs need no rescaling and pass x through.
public struct Dropout {
    public let probability: Float

    public init(_ probability: Float) { self.probability = probability }

    /// x (…) → (…); which graph (training or evaluation) decides whether anything is dropped.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try x.dropout(probability)
    }
}
