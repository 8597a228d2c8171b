import Core
import Graph

/// A causal dilated 1-D convolution over channels-last sequences (WaveNet's building block):
/// y[t] = b + Σ_k W[:, :, k]·x[t − (K − 1 − k)·d], with zeros before the first step, so that y[t]
/// depends on x[≤ t] only.
///
/// This is PyTorch's `nn.Conv1d(Cin, Cout, K, dilation: d)` (a cross-correlation) applied to the input
/// left-padded by (K − 1)·d: tap k = K − 1 meets the current step. The weight keeps PyTorch's
/// (Cout, Cin, K) layout so that checkpoints map directly.
///
/// Keys: `<key>.weight` (Cout, Cin, K), decayed; `<key>.bias` (Cout); both PyTorch's
/// U(−1/√(Cin·K), 1/√(Cin·K)).
public struct CausalConv1d {
    /// (Cout, Cin, K).
    public let weight: Tensor
    /// (Cout), or nil.
    public let bias: Tensor?
    public let dilation: Int

    public init(_ graph: Graph, key: String, inChannels: Int, outChannels: Int, kernelSize: Int, dilation: Int = 1,
                bias: Bool = true) throws {
        guard kernelSize >= 1, dilation >= 1 else {
            throw invalidArgument("causal_conv1d", in: graph, "kernel size \(kernelSize) and dilation \(dilation) must be positive")
        }
        let initializer = Initializer.pytorchDefault(fanIn: inChannels * kernelSize)
        weight = try graph.parameter(joinedKey(key, "weight"), shape: [outChannels, inChannels, kernelSize],
                                     initializer: initializer, decay: true)
        self.bias = bias ? try graph.parameter(joinedKey(key, "bias"), shape: [outChannels], initializer: initializer,
                                               decay: false) : nil
        self.dilation = dilation
    }

    public var outChannels: Int { weight.shape[0] }
    public var inChannels: Int { weight.shape[1] }
    public var kernelSize: Int { weight.shape[2] }

    /// x (B, T, Cin) → (B, T, Cout). The K shifted copies of x sit side by side on the channel axis,
    /// so that the whole convolution is one GEMM against the weight laid out tap-major.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank == 3, x.shape[2] == inChannels else {
            throw GraphError.invalidShape(op: "causal_conv1d", node: x.graph.nodes.count, x.shape,
                                          reason: "must be (B, T, \(inChannels))")
        }
        let (batchSize, steps) = (x.shape[0], x.shape[1])
        let reach = (kernelSize - 1) * dilation
        let padded = try x.padded(axis: 1, before: reach, after: 0)                        // (B, T + reach, Cin)
        let taps = try (0..<kernelSize).map { k in
            try padded.sliced(axis: 1, (k * dilation)..<(k * dilation + steps))           // (B, T, Cin): x[t − reach + k·d]
        }
        let stacked = try Tensor.concatenated(taps, axis: 2).reshaped(to: [batchSize * steps, kernelSize * inChannels])
        let kernel = try weight.permuted([0, 2, 1]).reshaped(to: [outChannels, kernelSize * inChannels])   // (Cout, K·Cin)
        var y = try stacked.matmul(kernel, transposeB: true)                                // (B·T, Cout)
        if let bias { y = try y + bias }
        return try y.reshaped(to: [batchSize, steps, outChannels])
    }
}
