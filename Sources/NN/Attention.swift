import Graph

// Dot-product attention: the scaled dot-product core, the multi-head layer built on it, and the two
// kinds of mask they take: a (Tq, Tk) pattern the fused softmax repeats over every sequence and head
// (causality), and an additive bias broadcast over the scores (padding, which differs per sequence).

/// softmax(q·kᵀ/√d + mask + bias)·v, with dropout on the attention weights in training graphs.
/// - Parameters:
///   - query: (…, Tq, d)
///   - key: (…, Tk, d), the same leading axes
///   - value: (…, Tk, dv)
///   - mask: additive (Tq, Tk), shared by every leading index, e.g. `Graph.causalMask(length:)`
///   - bias: additive, broadcastable to the scores (…, Tq, Tk), e.g. a padding mask as (B, 1, 1, Tk)
/// - Returns: (…, Tq, dv)
public func scaledDotProductAttention(_ query: Tensor, _ key: Tensor, _ value: Tensor, mask: Tensor? = nil,
                                      bias: Tensor? = nil, dropout: Float = 0) throws -> Tensor {
    try attentionWeights(query, key, mask: mask, bias: bias).dropout(dropout).matmul(value)
}

/// softmax(q·kᵀ/√d + mask + bias), the weights (…, Tq, Tk) that `scaledDotProductAttention` averages
/// the values with; each row sums to 1 over the keys that mask and bias leave.
public func attentionWeights(_ query: Tensor, _ key: Tensor, mask: Tensor? = nil, bias: Tensor? = nil) throws -> Tensor {
    guard query.rank >= 2 else {
        throw GraphError.invalidShape(op: "attention", node: query.graph.nodes.count, query.shape, reason: "must be (…, T, d)")
    }
    // Scaling q (Tq·d elements) rather than the scores (Tq·Tk) gives the same product for less work.
    return try attentionWeights(scaledQuery: query * attentionScale(width: query.shape[query.rank - 1]), key,
                                mask: mask, bias: bias)
}

/// 1/√d, what a query of width d is scaled by.
func attentionScale(width: Int) -> Float { 1 / Float(width).squareRoot() }

/// `attentionWeights` of a query already scaled by 1/√d: softmax(q·kᵀ + mask + bias).
func attentionWeights(scaledQuery query: Tensor, _ key: Tensor, mask: Tensor?, bias: Tensor?) throws -> Tensor {
    var scores = try query.matmul(key, transposeB: true)                       // (…, Tq, Tk)
    if let bias { scores = try scores + bias }
    return try scores.softmax(mask: mask)
}

/// padding (B, S), 1 for a real key and 0 for padding → an additive mask (B, S), 0 or −1e9. Large
/// and finite rather than −∞: a row whose keys are all padding then averages instead of yielding NaN,
/// and exp still underflows to exactly 0 for every padded key of any other row.
public func additiveMask(padding: Tensor) throws -> Tensor {
    try (padding - 1) * 1e9
}

extension Graph {
    /// The additive causal mask (T, T): 0 where key j ≤ query i, −∞ above the diagonal.
    ///
    /// Built from primitives (the IR has no iota): rows [1 × T, 0 × T] of a (T, 2T) matrix, read back
    /// with row length 2T − 1, shift right by one place per row, so that element (i, j) of the first
    /// T columns is 1 exactly when j ≥ i. A model with many blocks builds it once and passes it on.
    public func causalMask(length: Int) throws -> Tensor {
        let n = length
        let rows = try constant(1, shape: [n, n]).padded(axis: 1, before: 0, after: n)            // (T, 2T)
        let skewed = try rows.reshaped(to: [2 * n * n]).sliced(axis: 0, 0..<(n * (2 * n - 1)))
            .reshaped(to: [n, 2 * n - 1])
        let allowed = try skewed.sliced(axis: 1, 0..<n).transposed()                             // (T, T): j ≤ i
        return try constant(0, shape: [n, n]).selected(where: allowed, else: constant(-.infinity, shape: [n, n]))
    }
}

/// Multi-head attention with separate query, key, value and output projections, as in "Attention
/// Is All You Need" and PyTorch's `nn.MultiheadAttention`. Self-attention when called on one
/// sequence, cross-attention when given a second (the memory) for keys and values.
///
/// Keys: `<key>.query`, `<key>.key`, `<key>.value`, `<key>.out`, each a (C, C) `Linear` with
/// `.weight` and, with `bias`, `.bias`.
public struct MultiHeadAttention {
    public let queryProjection: Linear
    public let keyProjection: Linear
    public let valueProjection: Linear
    public let outputProjection: Linear
    public let heads: Int
    /// Dropout probability on the attention weights (training graphs only).
    public let dropout: Float

    /// - Parameter width: C, the model width; a multiple of `heads`, each head C/heads wide.
    public init(_ graph: Graph, key: String, width: Int, heads: Int, bias: Bool = true, dropout: Float = 0) throws {
        guard heads >= 1, width % heads == 0 else {
            throw invalidArgument("multi_head_attention", in: graph, "width \(width) is not a multiple of \(heads) heads")
        }
        let projection = { (name: String) in
            try Linear(graph, key: joinedKey(key, name), inputSize: width, outputSize: width, bias: bias)
        }
        queryProjection = try projection("query")
        keyProjection = try projection("key")
        valueProjection = try projection("value")
        outputProjection = try projection("out")
        self.heads = heads
        self.dropout = dropout
    }

    public var width: Int { outputProjection.outputSize }

    /// - Parameters:
    ///   - x: (B, T, C), the queries, and the keys and values of self-attention
    ///   - memory: (B, S, C), the keys and values of cross-attention (nil for self-attention, S = T)
    ///   - mask: additive (T, S) shared by every sequence and head, e.g. `Graph.causalMask(length:)`
    ///   - padding: (B, S), 1 for a real key and 0 for padding, which then gets weight 0
    /// - Returns: (B, T, C)
    public func callAsFunction(_ x: Tensor, memory: Tensor? = nil, mask: Tensor? = nil,
                               padding: Tensor? = nil) throws -> Tensor {
        let source = memory ?? x
        guard x.rank == 3, source.rank == 3, x.shape[0] == source.shape[0] else {
            throw GraphError.shapeMismatch(op: "multi_head_attention", node: x.graph.nodes.count, x.shape, source.shape)
        }
        let (batchSize, sourceLength) = (x.shape[0], source.shape[1])
        let q = try queries(x)                                                         // (B, nh, T, hs)
        let k = try splitHeads(keyProjection(source))                                  // (B, nh, S, hs)
        let v = try splitHeads(valueProjection(source))                                // (B, nh, S, hs)
        let bias = try padding.map { try additiveMask(padding: $0).reshaped(to: [batchSize, 1, 1, sourceLength]) }
        return try attended(q, k, v, mask: mask, bias: bias)
    }

    /// Self-attention of the newest positions over a cache of earlier ones and themselves: incremental
    /// decoding, where each step computes keys and values for its new positions only.
    /// - Parameters:
    ///   - x: (B, T, C), the T newest positions
    ///   - pastKeys: (B, nh, S, hs), keys of earlier positions (a cache of S slots; `mask` says which hold one)
    ///   - pastValues: (B, nh, S, hs)
    ///   - mask: additive (T, S + T): the cache slots and new positions each new position may see
    /// - Returns: the output (B, T, C) and the new positions' keys and values (B, nh, T, hs), for the cache.
    public func callAsFunction(_ x: Tensor, pastKeys: Tensor, pastValues: Tensor, mask: Tensor) throws
        -> (output: Tensor, keys: Tensor, values: Tensor) {
        let q = try queries(x)                                                         // (B, nh, T, hs)
        let k = try splitHeads(keyProjection(x))                                       // (B, nh, T, hs)
        let v = try splitHeads(valueProjection(x))                                     // (B, nh, T, hs)
        let keys = try Tensor.concatenated([pastKeys, k], axis: 2)                     // (B, nh, S + T, hs)
        let values = try Tensor.concatenated([pastValues, v], axis: 2)
        return (try attended(q, keys, values, mask: mask, bias: nil), k, v)
    }

    /// A memory (B, S, C)'s keys and values split into heads, (B, nh, S, hs) each: what cross-attention
    /// reads, computed once per sentence when a decoder runs step by step.
    public func projectedMemory(_ memory: Tensor) throws -> (keys: Tensor, values: Tensor) {
        (try splitHeads(keyProjection(memory)), try splitHeads(valueProjection(memory)))
    }

    /// Cross-attention over a memory's projected keys and values (`projectedMemory`).
    /// - Parameters:
    ///   - x: (B, T, C), the queries
    ///   - keys: (B, nh, S, hs); `values` likewise
    ///   - bias: additive (B, 1, 1, S), e.g. `additiveMask(padding:)` reshaped, or nil
    /// - Returns: the output (B, T, C) and the weights (B, nh, T, S).
    public func callAsFunction(_ x: Tensor, keys: Tensor, values: Tensor, bias: Tensor?) throws
        -> (output: Tensor, weights: Tensor) {
        let weights = try attentionWeights(scaledQuery: queries(x), keys, mask: nil, bias: bias)   // (B, nh, T, S)
        return (try merged(weights.dropout(dropout).matmul(values)), weights)
    }

    /// Self-attention of one decoding step over a cache of fixed size: the step's key and value are
    /// written into the cache at `slot`, then the step attends to the slots `mask` leaves open (those
    /// written so far). The cache keeps its shape from step to step, so one compiled program serves
    /// every step.
    /// - Parameters:
    ///   - x: (B, 1, C), the step's positions
    ///   - cacheKeys: (B, nh, L, hs), zero in the slots not written yet; `cacheValues` likewise
    ///   - slot: (L, 1), one-hot at the step's slot
    ///   - mask: additive (1, L), 0 for the slots written so far and this step's, −∞ after
    /// - Returns: the output (B, 1, C) and the cache with the step written, (B, nh, L, hs) each.
    public func callAsFunction(_ x: Tensor, cacheKeys: Tensor, cacheValues: Tensor, slot: Tensor, mask: Tensor) throws
        -> (output: Tensor, keys: Tensor, values: Tensor) {
        let q = try queries(x)                                                         // (B, nh, 1, hs)
        let keys = try cacheKeys + splitHeads(keyProjection(x)) * slot                 // (B, nh, L, hs)
        let values = try cacheValues + splitHeads(valueProjection(x)) * slot
        return (try attended(q, keys, values, mask: mask, bias: nil), keys, values)
    }

    /// The heads' attention outputs merged back to (B, T, C) and projected; `q` comes scaled (`queries`).
    private func attended(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor?, bias: Tensor?) throws -> Tensor {
        try merged(attentionWeights(scaledQuery: q, k, mask: mask, bias: bias).dropout(dropout).matmul(v))
    }

    /// x (B, T, C) → its queries scaled by 1/√hs, (B, nh, T, hs). Scaled before the heads are split, so
    /// that the split feeds the product alone and folds into it (`MemoryPlan`) instead of being copied.
    private func queries(_ x: Tensor) throws -> Tensor {
        try splitHeads(queryProjection(x) * attentionScale(width: width / heads))
    }

    /// y (B, nh, T, hs) → (B, T, C), projected by the output layer.
    private func merged(_ y: Tensor) throws -> Tensor {
        try outputProjection(y.permuted([0, 2, 1, 3]).reshaped(to: [y.shape[0], y.shape[2], width]))
    }

    /// (B, T, C) → (B, nh, T, hs), so that batched matmuls run over every sequence and head at once.
    private func splitHeads(_ x: Tensor) throws -> Tensor {
        try x.reshaped(to: [x.shape[0], x.shape[1], heads, width / heads]).permuted([0, 2, 1, 3])
    }
}
