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
    /// H: the width of each gate block (and of an LSTM's c).
    public var hiddenSize: Int { weights.hiddenSize }
    /// The width of h, the output and what W_hh reads: H, or an LSTM's projection P.
    public var outputSize: Int { weights.recurrentSize }
    /// The width of each state tensor: h first, then an LSTM's c (H).
    public var stateWidths: [Int] { [outputSize] + Array(repeating: hiddenSize, count: stateCount - 1) }

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
        stateWidths.map { graph.constant(0, shape: [batchSize, $0]) }
    }

    /// One step from raw inputs, as a decoding step graph runs it: x (B, in) → the new state.
    public func callAsFunction(_ x: Tensor, state: [Tensor]) throws -> [Tensor] {
        try step(projectInputs(x), state: state)
    }

    /// Runs the cell over x (T, B, in) in time order or reversed → its outputs (T, B, R), h at every
    /// step in time order, and its final state. At a padding step of `mask` (T, B) a sequence's state
    /// passes through unchanged (PyTorch's packed sequences).
    public func unrolled(_ x: Tensor, from state: [Tensor], reversed: Bool = false, mask: Tensor? = nil) throws
        -> (output: Tensor, state: [Tensor]) {
        let (steps, batchSize) = (x.shape[0], x.shape[1])
        let projected = try projectInputs(x.reshaped(to: [steps * batchSize, x.shape[2]]))
            .reshaped(to: [steps, batchSize, -1])                               // (T, B, G·H)
        var state = state
        var outputs: [Tensor] = []
        for t in reversed ? Array((0..<steps).reversed()) : Array(0..<steps) {
            // A leading-axis slice is a view: no copy per step, and the gradients of the T slices
            // join into one tensor instead of T zero-padded sums.
            let gates = try projected.sliced(axis: 0, t..<(t + 1)).reshaped(to: [batchSize, -1])   // (B, G·H)
            let next = try step(gates, state: state)
            if let mask {
                // state + m·(next − state): next at a real step, the old state at padding.
                let real = try mask.sliced(axis: 0, t..<(t + 1)).reshaped(to: [batchSize, 1])        // (B, 1)
                state = try zip(next, state).map { next, old in try old + real * (next - old) }
            } else {
                state = next
            }
            outputs.append(try state[0].reshaped(to: [1, batchSize, outputSize]))               // (1, B, R)
        }
        if reversed { outputs.reverse() }
        return (try Tensor.concatenated(outputs, axis: 0), state)
    }
}

/// The four tensors of a PyTorch recurrent cell with G gate blocks, registered in PyTorch's order,
/// each U(−1/√H, 1/√H).
public struct RecurrentWeights {
    /// `<key>.w_ih` (G·H, in), decayed.
    public let inputWeight: Tensor
    /// `<key>.w_hh` (G·H, R), decayed: R = H, or the projection P of an LSTM with one.
    public let hiddenWeight: Tensor
    /// `<key>.b_ih` (G·H).
    public let inputBias: Tensor
    /// `<key>.b_hh` (G·H).
    public let hiddenBias: Tensor

    /// H, the width of one gate block.
    public let hiddenSize: Int

    init(_ graph: Graph, key: String, gates: Int, inputSize: Int, hiddenSize: Int, recurrentSize: Int? = nil) throws {
        let initializer = Initializer.pytorchDefault(fanIn: hiddenSize)
        let rows = gates * hiddenSize
        self.hiddenSize = hiddenSize
        inputWeight = try graph.parameter(joinedKey(key, "w_ih"), shape: [rows, inputSize], initializer: initializer,
                                          decay: true)
        hiddenWeight = try graph.parameter(joinedKey(key, "w_hh"), shape: [rows, recurrentSize ?? hiddenSize],
                                           initializer: initializer, decay: true)
        inputBias = try graph.parameter(joinedKey(key, "b_ih"), shape: [rows], initializer: initializer, decay: false)
        hiddenBias = try graph.parameter(joinedKey(key, "b_hh"), shape: [rows], initializer: initializer, decay: false)
    }

    public var inputSize: Int { inputWeight.shape[1] }
    /// The width of the h that W_hh reads.
    public var recurrentSize: Int { hiddenWeight.shape[1] }
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
///
/// With a projection (PyTorch's `proj_size`, the LSTMP of Sak et al. 2014 that ELMo's biLM uses),
/// h = W_hr·(o·tanh(c)) is P wide: it is the output and what W_hh (4H, P) reads; c stays H wide.
/// Key `<key>.w_hr` (P, H), U(−1/√H, 1/√H) as PyTorch draws it.
public struct LSTMCell: RecurrentCell {
    public let weights: RecurrentWeights
    /// W_hr (P, H); nil without a projection.
    public let projection: Tensor?

    public init(_ graph: Graph, key: String, inputSize: Int, hiddenSize: Int) throws {
        try self.init(graph, key: key, inputSize: inputSize, hiddenSize: hiddenSize, projectionSize: nil)
    }

    public init(_ graph: Graph, key: String, inputSize: Int, hiddenSize: Int, projectionSize: Int?) throws {
        weights = try RecurrentWeights(graph, key: key, gates: 4, inputSize: inputSize, hiddenSize: hiddenSize,
                                       recurrentSize: projectionSize)
        projection = try projectionSize.map { size in
            try graph.parameter(joinedKey(key, "w_hr"), shape: [size, hiddenSize],
                                initializer: .pytorchDefault(fanIn: hiddenSize), decay: true)
        }
    }

    public var stateCount: Int { 2 }

    public static var foldsHiddenBias: Bool { true }

    /// One fused op yields both c' and o·tanh(c'), which is h', or projected to h'.
    public func step(_ projected: Tensor, state: [Tensor]) throws -> [Tensor] {
        let gates = try projected + state[0].matmul(weights.hiddenWeight, transposeB: true)      // (B, 4H)
        let (cell, hidden) = try Tensor.lstmCell(gates: gates, cell: state[1])                   // (B, H) each
        return [try projection.map { try hidden.matmul($0, transposeB: true) } ?? hidden, cell]  // h' (B, P or H)
    }
}
