import Graph

/// One step of a recurrence, split so that the driver (`Recurrent`) can project the inputs of every
/// time step with one large GEMM before the sequential part starts: only h·W_hhᵀ stays inside the
/// loop.
public protocol RecurrentCell {
    /// Tensors in the state, output first: 1 (h) for RNN and GRU, 2 (h, c) for LSTM.
    var stateCount: Int { get }
    /// `<key>.w_ih`, `<key>.w_hh`, `<key>.b_ih`, `<key>.b_hh`.
    var weights: RecurrentWeights { get }
    /// Whether b_hh joins b_ih in the input projection: it can unless a gate scales h·W_hhᵀ + b_hh
    /// (adding it once there instead of at every step is the same sum).
    static var foldsHiddenBias: Bool { get }

    /// Registers the cell's parameters under `<key>.w_ih`, `<key>.w_hh`, `<key>.b_ih`, `<key>.b_hh`.
    init(_ graph: Graph, key: String, inputSize: Int, hiddenSize: Int) throws

    /// projected (B, G·H) and state [(B, H)…] → the new state, output first.
    func step(_ projected: Tensor, state: [Tensor]) throws -> [Tensor]
}

extension RecurrentCell {
    public var inputSize: Int { weights.inputSize }
    public var hiddenSize: Int { weights.hiddenSize }

    /// x (N, in) → (N, G·H): the input half of the gates for N rows at once (N = T·B in the driver).
    public func projectInputs(_ x: Tensor) throws -> Tensor {
        try x.matmul(weights.inputWeight, transposeB: true) + projectionBias()
    }

    /// The bias `projectInputs` adds: b_ih, with b_hh when the cell folds it in.
    public func projectionBias() throws -> Tensor {
        Self.foldsHiddenBias ? try weights.inputBias + weights.hiddenBias : weights.inputBias
    }

    /// W_ih's columns for the input features `features`, (G·H, k). The projections of an input's parts
    /// add up to its projection, so a part that stays the same over many steps (a decoder's fixed
    /// context) can be projected once and only the part that changes at every step.
    public func inputWeight(features: Range<Int>) throws -> Tensor {
        try weights.inputWeight.sliced(axis: 1, features)
    }

    /// The all-zero state for `batchSize` sequences, PyTorch's default initial state.
    public func zeroState(batchSize: Int, in graph: Graph) -> [Tensor] {
        (0..<stateCount).map { _ in graph.constant(0, shape: [batchSize, hiddenSize]) }
    }

    /// One step from raw inputs, as a decoding step graph runs it: x (B, in) → the new state.
    public func callAsFunction(_ x: Tensor, state: [Tensor]) throws -> [Tensor] {
        try step(projectInputs(x), state: state)
    }
}

/// The four tensors of a PyTorch recurrent cell with G gate blocks, registered in PyTorch's order,
/// each U(−1/√H, 1/√H).
public struct RecurrentWeights {
    /// `<key>.w_ih` (G·H, in), decayed.
    public let inputWeight: Tensor
    /// `<key>.w_hh` (G·H, H), decayed.
    public let hiddenWeight: Tensor
    /// `<key>.b_ih` (G·H).
    public let inputBias: Tensor
    /// `<key>.b_hh` (G·H).
    public let hiddenBias: Tensor

    init(_ graph: Graph, key: String, gates: Int, inputSize: Int, hiddenSize: Int) throws {
        let initializer = Initializer.pytorchDefault(fanIn: hiddenSize)
        let rows = gates * hiddenSize
        inputWeight = try graph.parameter(joinedKey(key, "w_ih"), shape: [rows, inputSize], initializer: initializer,
                                          decay: true)
        hiddenWeight = try graph.parameter(joinedKey(key, "w_hh"), shape: [rows, hiddenSize], initializer: initializer,
                                           decay: true)
        inputBias = try graph.parameter(joinedKey(key, "b_ih"), shape: [rows], initializer: initializer, decay: false)
        hiddenBias = try graph.parameter(joinedKey(key, "b_hh"), shape: [rows], initializer: initializer, decay: false)
    }

    public var inputSize: Int { inputWeight.shape[1] }
    public var hiddenSize: Int { hiddenWeight.shape[1] }
}

/// Elman RNN with tanh: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh).
public struct RNNCell: RecurrentCell {
    public let weights: RecurrentWeights

    public init(_ graph: Graph, key: String, inputSize: Int, hiddenSize: Int) throws {
        weights = try RecurrentWeights(graph, key: key, gates: 1, inputSize: inputSize, hiddenSize: hiddenSize)
    }

    public var stateCount: Int { 1 }

    public static var foldsHiddenBias: Bool { true }

    public func step(_ projected: Tensor, state: [Tensor]) throws -> [Tensor] {
        [try (projected + state[0].matmul(weights.hiddenWeight, transposeB: true)).tanh()]
    }
}

/// GRU, PyTorch's formulation (gate order r, z, n; the reset gate scales h·W_hnᵀ + b_hn), through
/// the fused gate op.
public struct GRUCell: RecurrentCell {
    public let weights: RecurrentWeights

    public init(_ graph: Graph, key: String, inputSize: Int, hiddenSize: Int) throws {
        weights = try RecurrentWeights(graph, key: key, gates: 3, inputSize: inputSize, hiddenSize: hiddenSize)
    }

    public var stateCount: Int { 1 }

    /// b_hh stays per step: the reset gate multiplies its n block, so it cannot join b_ih.
    public static var foldsHiddenBias: Bool { false }

    public func step(_ projected: Tensor, state: [Tensor]) throws -> [Tensor] {
        let hiddenGates = try state[0].matmul(weights.hiddenWeight, transposeB: true) + weights.hiddenBias   // (B, 3H)
        return [try Tensor.gruCell(inputGates: projected, hiddenGates: hiddenGates, state: state[0])]
    }
}

/// LSTM, PyTorch's formulation (gate order i, f, g, o); the state is [h, c].
public struct LSTMCell: RecurrentCell {
    public let weights: RecurrentWeights

    public init(_ graph: Graph, key: String, inputSize: Int, hiddenSize: Int) throws {
        weights = try RecurrentWeights(graph, key: key, gates: 4, inputSize: inputSize, hiddenSize: hiddenSize)
    }

    public var stateCount: Int { 2 }

    public static var foldsHiddenBias: Bool { true }

    /// One fused op yields both c' and h' = o·tanh(c').
    public func step(_ projected: Tensor, state: [Tensor]) throws -> [Tensor] {
        let gates = try projected + state[0].matmul(weights.hiddenWeight, transposeB: true)      // (B, 4H)
        let (cell, hidden) = try Tensor.lstmCell(gates: gates, cell: state[1])
        return [hidden, cell]
    }
}
