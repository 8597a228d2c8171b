import Graph

/// Bahdanau's additive attention: score(q, k_s) = vᵀ·tanh(W_q·q + W_k·k_s), a softmax over the S
/// keys, and the context Σ_s weight_s·k_s (the encoder states serve as keys and values).
///
/// Keys, all without bias as in Bahdanau et al. (W_a, U_a, v_a) and d2l's `AdditiveAttention`:
/// `<key>.query.weight` (A, Hq), `<key>.key.weight` (A, Hk), `<key>.score.weight` (1, A).
public struct AdditiveAttention {
    public let queryProjection: Linear
    public let keyProjection: Linear
    /// v as a (1, A) layer.
    public let score: Linear

    public init(_ graph: Graph, key: String, querySize: Int, keySize: Int, attentionSize: Int) throws {
        queryProjection = try Linear(graph, key: joinedKey(key, "query"), inputSize: querySize,
                                     outputSize: attentionSize, bias: false)
        keyProjection = try Linear(graph, key: joinedKey(key, "key"), inputSize: keySize, outputSize: attentionSize,
                                   bias: false)
        score = try Linear(graph, key: joinedKey(key, "score"), inputSize: attentionSize, outputSize: 1, bias: false)
    }

    public var attentionSize: Int { score.inputSize }

    /// keys (B, S, Hk) → W_k·k (B, S, A), the half of the scores that does not depend on the query:
    /// an unrolled decoder computes it once per source batch and passes it to every step.
    public func projectKeys(_ keys: Tensor) throws -> Tensor {
        try keyProjection(keys)
    }

    /// - Parameters:
    ///   - query: (B, Hq), e.g. the decoder state
    ///   - keys: (B, S, Hk), e.g. the encoder outputs
    ///   - projectedKeys: `projectKeys(keys)` when the caller has it already
    ///   - padding: (B, S), 1 for a real key and 0 for padding, which then gets weight 0
    /// - Returns: context (B, Hk) and weights (B, S), each row summing to 1.
    public func callAsFunction(_ query: Tensor, keys: Tensor, projectedKeys: Tensor? = nil,
                               padding: Tensor? = nil) throws -> (context: Tensor, weights: Tensor) {
        guard keys.rank == 3, query.rank == 2, query.shape[0] == keys.shape[0] else {
            throw GraphError.shapeMismatch(op: "additive_attention", node: query.graph.nodes.count, query.shape, keys.shape)
        }
        let (batchSize, length, keySize) = (keys.shape[0], keys.shape[1], keys.shape[2])
        let projected = try projectedKeys ?? projectKeys(keys)                                   // (B, S, A)
        let queryPart = try queryProjection(query).reshaped(to: [batchSize, 1, attentionSize])   // (B, 1, A)
        let energy = try (projected + queryPart).tanh()                                          // (B, S, A)
        var scores = try score(energy).reshaped(to: [batchSize, length])                         // (B, S)
        if let padding { scores = try scores + additiveMask(padding: padding) }
        let weights = try scores.softmax()                                                       // (B, S)
        let context = try weights.reshaped(to: [batchSize, 1, length]).matmul(keys)              // (B, 1, Hk)
        return (try context.reshaped(to: [batchSize, keySize]), weights)
    }
}
