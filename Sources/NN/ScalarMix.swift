import Graph

/// ELMo's task-specific combination of a model's layers (Peters et al. 2018, eq. 1):
/// γ · Σ_j softmax(s)_j · h_j, one learned scalar s_j per layer and one scale γ.
///
/// Keys: `<key>.scalars` (J), zeros, so that the mix starts as the mean of the layers;
/// `<key>.gamma` (1), one. Neither is decayed.
public struct ScalarMix {
    /// s (J): the layers' weights before the softmax.
    public let scalars: Tensor
    /// γ (1).
    public let gamma: Tensor

    public init(_ graph: Graph, key: String, layers: Int) throws {
        scalars = try graph.parameter(joinedKey(key, "scalars"), shape: [layers], initializer: .zeros, decay: false)
        gamma = try graph.parameter(joinedKey(key, "gamma"), shape: [1], initializer: .constant(1), decay: false)
    }

    /// J tensors of one shape (…) → their mix (…).
    public func callAsFunction(_ layers: [Tensor]) throws -> Tensor {
        let weights = try scalars.reshaped(to: [1, scalars.shape[0]]).softmax() * gamma     // (1, J)
        return try Self.mixed(layers, weights: weights)
    }

    /// The mean of the layers: the mix with s and γ as they start (`runner embed --elmo`).
    public static func uniform(_ layers: [Tensor]) throws -> Tensor {
        guard let first = layers.first else {
            throw GraphError.invalidArgument(op: "scalar_mix", node: 0, reason: "needs at least one layer")
        }
        return try mixed(layers, weights: first.graph.constant(1 / Float(layers.count), shape: [1, layers.count]))
    }

    /// weights (1, J) · the layers stacked as (J, N) → (…): one product for the whole mix.
    private static func mixed(_ layers: [Tensor], weights: Tensor) throws -> Tensor {
        guard let first = layers.first, layers.allSatisfy({ $0.shape == first.shape }) else {
            throw GraphError.invalidArgument(op: "scalar_mix", node: 0, reason: "needs layers of one shape, got "
                + "\(layers.map(\.shape))")
        }
        let stacked = try Tensor.concatenated(layers.map { try $0.reshaped(to: [1, first.shape.count]) }, axis: 0)
        return try weights.matmul(stacked).reshaped(to: first.shape)
    }
}
