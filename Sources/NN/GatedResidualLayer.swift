import Core
import Graph

/// One residual layer of WaveNet (van den Oord et al. 2016, fig. 4): a dilated causal convolution,
/// the gated activation z = tanh(W_f ∗ x) ⊙ σ(W_g ∗ x), and two 1×1 convolutions of z — one added
/// back to x (the residual path to the next layer), one to the skip connections that the model sums
/// over all layers.
///
/// The filter and gate convolutions are one convolution with 2·D output channels (filter first, then
/// gate), so that both come from one GEMM; this is the split that PyTorch WaveNets such as
/// wavenet_vocoder write as `a, b = conv(x).split(D, dim=1)`.
///
/// Keys: `<key>.filter_gate` (`CausalConv1d`: `.weight` (2D, R, K), `.bias` (2D)); `<key>.residual`
/// (`Linear`: `.weight` (R, D), `.bias` (R)); `<key>.skip` (`Linear`: `.weight` (S, D), `.bias` (S)).
/// A 1×1 `nn.Conv1d` weight (out, in, 1) maps onto these Linear weights with its last axis squeezed.
public struct GatedResidualLayer {
    /// R → 2D channels: the filter's D, then the gate's D.
    public let filterGate: CausalConv1d
    /// D → R, added to the layer's input.
    public let residual: Linear
    /// D → S, the layer's contribution to the skip sum.
    public let skip: Linear

    /// - Parameters:
    ///   - residualChannels: R, the width of the residual stream (the layer's input and output).
    ///   - dilationChannels: D, the width of the gated activation.
    ///   - skipChannels: S, the width of the skip output.
    public init(_ graph: Graph, key: String, residualChannels: Int, dilationChannels: Int, skipChannels: Int,
                kernelSize: Int = 2, dilation: Int) throws {
        filterGate = try CausalConv1d(graph, key: joinedKey(key, "filter_gate"), inChannels: residualChannels,
                                      outChannels: 2 * dilationChannels, kernelSize: kernelSize, dilation: dilation)
        residual = try Linear(graph, key: joinedKey(key, "residual"), inputSize: dilationChannels,
                              outputSize: residualChannels)
        skip = try Linear(graph, key: joinedKey(key, "skip"), inputSize: dilationChannels, outputSize: skipChannels)
    }

    public var residualChannels: Int { filterGate.inChannels }
    public var dilationChannels: Int { filterGate.outChannels / 2 }
    public var skipChannels: Int { skip.outputSize }
    public var dilation: Int { filterGate.dilation }
    /// How many steps back the layer reads beyond the current one: (K − 1)·d.
    public var reach: Int { (filterGate.kernelSize - 1) * dilation }

    /// x (B, T, R) → output (B, T, R), the next layer's input, and skip (B, T, S). Step t of both
    /// depends on x[t − reach … t] only.
    public func callAsFunction(_ x: Tensor) throws -> (output: Tensor, skip: Tensor) {
        let width = dilationChannels
        let both = try filterGate(x)                                                      // (B, T, 2D)
        let filter = try both.sliced(axis: 2, 0..<width).tanh()                          // (B, T, D)
        let gate = try both.sliced(axis: 2, width..<(2 * width)).sigmoid()               // (B, T, D)
        let z = try filter * gate                                                         // (B, T, D)
        return (try x + residual(z), try skip(z))
    }
}
