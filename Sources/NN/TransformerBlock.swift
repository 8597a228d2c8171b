import Graph

/// The elementwise nonlinearities a configuration can name.
public enum Activation: String, Sendable, CaseIterable {
    case relu
    /// Exact GELU, x·Φ(x) (PyTorch's default `F.gelu`, BERT).
    case gelu
    /// GPT-2's tanh approximation of GELU.
    case geluTanh = "gelu_tanh"
    case tanh

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        switch self {
        case .relu: try x.relu()
        case .gelu: try x.gelu()
        case .geluTanh: try x.geluTanh()
        case .tanh: x.tanh()
        }
    }
}

/// The position-wise two-layer MLP of a Transformer block: proj(dropout(activation(fc(x)))), the
/// dropout (training graphs only) as PyTorch's `nn.TransformerEncoderLayer` places it.
///
/// Keys: `<key>.fc` (hidden, C) and `<key>.proj` (C, hidden), each a `Linear` with `.weight` and,
/// with `bias`, `.bias`.
public struct FeedForward {
    public let fc: Linear
    public let proj: Linear
    public let activation: Activation
    /// On the hidden activations; 0 in GPT-2, whose only MLP dropout is the sub-layer's.
    public let dropout: Float

    public init(_ graph: Graph, key: String, width: Int, hiddenSize: Int, activation: Activation = .gelu,
                bias: Bool = true, dropout: Float = 0) throws {
        fc = try Linear(graph, key: joinedKey(key, "fc"), inputSize: width, outputSize: hiddenSize, bias: bias)
        proj = try Linear(graph, key: joinedKey(key, "proj"), inputSize: hiddenSize, outputSize: width, bias: bias)
        self.activation = activation
        self.dropout = dropout
    }

    /// x (…, C) → (…, C).
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try proj(activation(fc(x)).dropout(dropout))
    }
}

/// One Transformer layer: self-attention, an optional cross-attention over an encoder's output
/// (a decoder layer), and a position-wise MLP, each a residual sub-layer with layer normalisation
/// placed as `norm` says:
/// - `.pre` (GPT-2): x + f(ln(x)); a stack of such blocks needs a final LayerNorm, which the model adds.
/// - `.post` (the original Transformer, BERT): ln(x + f(x)).
///
/// Dropout, in training graphs, acts on every sub-layer's output before the residual sum, on the
/// attention weights (`attentionDropout`) and on the MLP's hidden activations (`feedForwardDropout`).
///
/// Keys: `<key>.ln1`, `<key>.attn` (`MultiHeadAttention`: `.query`, `.key`, `.value`, `.out`);
/// with cross-attention `<key>.ln_cross`, `<key>.cross_attn`; then `<key>.ln2`, `<key>.mlp`
/// (`FeedForward`: `.fc`, `.proj`). `bias: false` drops the biases of every Linear and LayerNorm.
public struct TransformerBlock {
    public enum NormPlacement: String, Sendable, CaseIterable {
        case pre, post
    }

    public let attentionNorm: LayerNorm
    public let attention: MultiHeadAttention
    public let crossAttentionNorm: LayerNorm?
    public let crossAttention: MultiHeadAttention?
    public let feedForwardNorm: LayerNorm
    public let feedForward: FeedForward
    public let norm: NormPlacement
    /// Each position attends only to itself and earlier positions (a decoder, GPT).
    public let isCausal: Bool
    public let dropout: Float

    /// - Parameters:
    ///   - width: C, the model width.
    ///   - feedForwardSize: the MLP's hidden width (4C in GPT-2, 2048 for C = 512 in the original).
    ///   - crossAttention: adds the sub-layer that attends to an encoder's output (`memory`).
    ///   - attentionDropout: on the attention weights; nil for `dropout` (GPT-2's single rate).
    public init(_ graph: Graph, key: String, width: Int, heads: Int, feedForwardSize: Int,
                activation: Activation = .gelu, norm: NormPlacement = .pre, dropout: Float = 0, bias: Bool = true,
                causal: Bool = false, crossAttention: Bool = false, eps: Float = 1e-5, attentionDropout: Float? = nil,
                feedForwardDropout: Float = 0) throws {
        let layerNorm = { (name: String) in
            try LayerNorm(graph, key: joinedKey(key, name), dimension: width, eps: eps, bias: bias)
        }
        attentionNorm = try layerNorm("ln1")
        attention = try MultiHeadAttention(graph, key: joinedKey(key, "attn"), width: width, heads: heads, bias: bias,
                                           dropout: attentionDropout ?? dropout)
        if crossAttention {
            crossAttentionNorm = try layerNorm("ln_cross")
            self.crossAttention = try MultiHeadAttention(graph, key: joinedKey(key, "cross_attn"), width: width,
                                                         heads: heads, bias: bias, dropout: attentionDropout ?? dropout)
        } else {
            crossAttentionNorm = nil
            self.crossAttention = nil
        }
        feedForwardNorm = try layerNorm("ln2")
        feedForward = try FeedForward(graph, key: joinedKey(key, "mlp"), width: width, hiddenSize: feedForwardSize,
                                      activation: activation, bias: bias, dropout: feedForwardDropout)
        self.norm = norm
        isCausal = causal
        self.dropout = dropout
    }

    public var width: Int { attention.width }

    /// - Parameters:
    ///   - x: (B, T, C)
    ///   - memory: (B, S, C), the encoder output that cross-attention reads (required with it)
    ///   - mask: additive (T, T) for self-attention; a causal block builds `Graph.causalMask(length:)`
    ///     when nil, so pass one mask built once to every block of a deep stack
    ///   - padding: (B, T), 1 for a real token and 0 for padding, masking x's padded keys
    ///   - memoryPadding: (B, S), the same for the memory's keys
    /// - Returns: (B, T, C)
    public func callAsFunction(_ x: Tensor, memory: Tensor? = nil, mask: Tensor? = nil, padding: Tensor? = nil,
                               memoryPadding: Tensor? = nil) throws -> Tensor {
        let graph = x.graph
        guard x.rank == 3 else {
            throw GraphError.invalidShape(op: "transformer_block", node: graph.nodes.count, x.shape, reason: "must be (B, T, C)")
        }
        let selfMask = try mask ?? (isCausal ? graph.causalMask(length: x.shape[1]) : nil)
        var y = try sublayer(x, attentionNorm) { try attention($0, mask: selfMask, padding: padding) }
        if let crossAttention, let crossAttentionNorm {
            guard let memory else {
                throw invalidArgument("transformer_block", in: graph, "a block with cross-attention needs the memory")
            }
            y = try sublayer(y, crossAttentionNorm) { try crossAttention($0, memory: memory, padding: memoryPadding) }
        }
        return try sublayer(y, feedForwardNorm) { try feedForward($0) }
    }

    /// The block over its T newest positions, attending to a cache of earlier ones (see
    /// `MultiHeadAttention.callAsFunction(_:pastKeys:pastValues:mask:)`); a self-attention block only.
    /// - Returns: the output (B, T, C) and the new positions' keys and values (B, nh, T, hs).
    public func callAsFunction(_ x: Tensor, pastKeys: Tensor, pastValues: Tensor, mask: Tensor) throws
        -> (output: Tensor, keys: Tensor, values: Tensor) {
        guard crossAttention == nil else {
            throw invalidArgument("transformer_block", in: x.graph, "cached decoding of a block with cross-attention")
        }
        var keys = x, values = x
        let y = try sublayer(x, attentionNorm) { normed in
            let step = try attention(normed, pastKeys: pastKeys, pastValues: pastValues, mask: mask)
            (keys, values) = (step.keys, step.values)
            return step.output
        }
        return (try sublayer(y, feedForwardNorm) { try feedForward($0) }, keys, values)
    }

    /// One step of a decoder block over a self-attention cache of fixed size and an encoder output whose
    /// keys and values were projected once (see `MultiHeadAttention`'s step and memory forms).
    /// - Parameters:
    ///   - x: (B, 1, C), the step's positions
    ///   - cache: this layer's keys and values of the earlier steps, (B, nh, L, hs) each
    ///   - slot: (L, 1), one-hot at this step; `mask`: additive (1, L), open up to this step
    ///   - memory: the cross-attention's projected keys and values, (B, nh, S, hs) each
    ///   - memoryBias: additive (B, 1, 1, S) over the memory's padding
    /// - Returns: the output (B, 1, C), the cache with this step written, and the cross-attention
    ///   weights (B, nh, 1, S).
    public func step(_ x: Tensor, cache: (keys: Tensor, values: Tensor), slot: Tensor, mask: Tensor,
                     memory: (keys: Tensor, values: Tensor), memoryBias: Tensor?) throws
        -> (output: Tensor, cache: (keys: Tensor, values: Tensor), weights: Tensor) {
        guard let crossAttention, let crossAttentionNorm else {
            throw invalidArgument("transformer_block", in: x.graph, "a decoder step needs a block with cross-attention")
        }
        var written = cache
        var y = try sublayer(x, attentionNorm) { normed in
            let step = try attention(normed, cacheKeys: cache.keys, cacheValues: cache.values, slot: slot, mask: mask)
            written = (step.keys, step.values)
            return step.output
        }
        var weights = x
        y = try sublayer(y, crossAttentionNorm) { normed in
            let read = try crossAttention(normed, keys: memory.keys, values: memory.values, bias: memoryBias)
            weights = read.weights
            return read.output
        }
        return (try sublayer(y, feedForwardNorm) { try feedForward($0) }, written, weights)
    }

    /// The cross-attention's keys and values of an encoder output (B, S, C), (B, nh, S, hs) each: what
    /// `step` reads, projected once per sentence.
    public func projectedMemory(_ memory: Tensor) throws -> (keys: Tensor, values: Tensor) {
        guard let crossAttention else {
            throw invalidArgument("transformer_block", in: memory.graph, "a block without cross-attention reads no memory")
        }
        return try crossAttention.projectedMemory(memory)
    }

    /// One residual sub-layer with its normalisation where `norm` places it.
    private func sublayer(_ x: Tensor, _ layerNorm: LayerNorm, _ body: (Tensor) throws -> Tensor) throws -> Tensor {
        switch norm {
        case .pre: try x + body(layerNorm(x)).dropout(dropout)
        case .post: try layerNorm(x + body(x).dropout(dropout))
        }
    }
}
