import Graph

/// A stacked, optionally bidirectional recurrent layer over any `RecurrentCell`, unrolled over the
/// sequence length of the graph, as PyTorch's `nn.RNN`/`nn.GRU`/`nn.LSTM` with time-major input.
///
/// Keys: layer l's forward cell under `<key>.layers.<l>`, its reverse cell under
/// `<key>.layers.<l>.reverse` (so `gru.layers.0.w_ih`, `gru.layers.0.reverse.w_ih`). Layer 0 reads
/// the input; layer l > 0 reads the previous layer's output (H·D wide, D the number of directions),
/// after dropout in training graphs.
///
/// States are listed per layer and direction, index l·D + d (d = 0 forward, 1 reverse), as PyTorch
/// lists h_n; each entry is the cell's state [h] or [h, c], every tensor (B, H).
public struct Recurrent<Cell: RecurrentCell> {
    /// cells[l][d]: layer l, direction d.
    public let cells: [[Cell]]
    /// Dropout probability on the inputs of every layer but the first (training graphs only).
    public let dropout: Float
    /// One dropout mask per sequence, shared by all its steps (variational dropout), instead of one per step.
    public let lockedDropout: Bool

    public init(_ graph: Graph, key: String, inputSize: Int, hiddenSize: Int, layers: Int = 1,
                bidirectional: Bool = false, dropout: Float = 0, lockedDropout: Bool = false) throws {
        guard layers >= 1 else { throw invalidArgument("recurrent", in: graph, "needs at least one layer, got \(layers)") }
        let directions = bidirectional ? 2 : 1
        var cells: [[Cell]] = []
        for layer in 0..<layers {
            let layerKey = joinedKey(key, "layers.\(layer)")
            let layerInput = layer == 0 ? inputSize : hiddenSize * directions
            var pair = [try Cell(graph, key: layerKey, inputSize: layerInput, hiddenSize: hiddenSize)]
            if bidirectional {
                pair.append(try Cell(graph, key: joinedKey(layerKey, "reverse"), inputSize: layerInput,
                                     hiddenSize: hiddenSize))
            }
            cells.append(pair)
        }
        self.cells = cells
        self.dropout = dropout
        self.lockedDropout = lockedDropout
    }

    public var inputSize: Int { cells[0][0].inputSize }
    public var hiddenSize: Int { cells[0][0].hiddenSize }
    public var layerCount: Int { cells.count }
    public var directionCount: Int { cells[0].count }
    public var isBidirectional: Bool { directionCount == 2 }
    /// The width of the output: H·D.
    public var outputSize: Int { hiddenSize * directionCount }

    /// x (T, B, in) → output (T, B, H·D), the last layer's h at every step (forward half first), and
    /// the final state of every layer and direction.
    /// - Parameters:
    ///   - initialStates: one state per layer and direction (index l·D + d), e.g. the final states of
    ///     the previous batch for truncated BPTT; zeros when nil.
    ///   - mask: (T, B), 1 at a real step and 0 at padding, where a sequence's state passes through
    ///     unchanged (PyTorch's packed sequences): the final state is the one after its last real step,
    ///     and the reverse direction starts at it, whatever the padding.
    public func callAsFunction(_ x: Tensor, initialStates: [[Tensor]]? = nil, mask: Tensor? = nil) throws
        -> (output: Tensor, states: [[Tensor]]) {
        let graph = x.graph
        guard x.rank == 3, x.shape[2] == inputSize else {
            throw GraphError.invalidShape(op: "recurrent", node: graph.nodes.count, x.shape,
                                          reason: "must be (T, B, \(inputSize))")
        }
        let batchSize = x.shape[1]
        let stateCount = cells[0][0].stateCount
        if let initialStates {
            guard initialStates.count == layerCount * directionCount,
                  initialStates.allSatisfy({ $0.count == stateCount }) else {
                throw invalidArgument("recurrent", in: graph, """
                    needs \(layerCount * directionCount) initial states of \(stateCount) tensors each \
                    (layers × directions), got \(initialStates.map(\.count))
                    """)
            }
        }
        var input = x
        var finalStates: [[Tensor]] = []
        for (layer, pair) in cells.enumerated() {
            if layer > 0 { input = try input.dropout(dropout, sharedAlong: lockedDropout ? [0] : []) }
            var outputs: [Tensor] = []
            for (direction, cell) in pair.enumerated() {
                let state = initialStates?[layer * directionCount + direction]
                    ?? cell.zeroState(batchSize: batchSize, in: graph)
                let (output, final) = try cell.unrolled(input, from: state, reversed: direction == 1, mask: mask)
                outputs.append(output)
                finalStates.append(final)
            }
            input = try Tensor.concatenated(outputs, axis: 2)                 // (T, B, H·D)
        }
        return (input, finalStates)
    }
}

public typealias RNN = Recurrent<RNNCell>
public typealias GRU = Recurrent<GRUCell>
public typealias LSTM = Recurrent<LSTMCell>
