import Core
import Graph
import NN

/// The recurrent language model of Mikolov's RNNLM and of Dive into Deep Learning ch. 8–9: token ids
/// → one-hot or embedded inputs → stacked (optionally bidirectional) RNN/GRU/LSTM → a linear head over
/// the vocabulary at every step.
///
/// Keys: `embedding.weight` (when embedded), `rnn.layers.<l>[.reverse].{w_ih,w_hh,b_ih,b_hh}`,
/// `head.weight`, `head.bias` — PyTorch's names, so a state dict maps one to one.
public struct RNNLanguageModel {
    public enum Cell: String, Sendable, CaseIterable { case rnn, gru, lstm }

    public struct Config: Hashable, Sendable {
        public var vocabularySize: Int
        /// Embedding width; 0 feeds one-hot vectors, as d2l's from-scratch models do.
        public var embedding: Int
        public var hidden: Int
        public var layers: Int
        public var cell: Cell
        public var bidirectional: Bool
        public var dropout: Float
        /// PyTorch's defaults unless a generic recipe (d2l's from-scratch N(0, 0.01), Sutskever's U(±0.08)).
        public var initialization: WeightInitialization

        public init(vocabularySize: Int, embedding: Int, hidden: Int, layers: Int = 1, cell: Cell = .gru,
                    bidirectional: Bool = false, dropout: Float = 0, initialization: WeightInitialization = .pytorch) {
            self.vocabularySize = vocabularySize
            self.embedding = embedding
            self.hidden = hidden
            self.layers = layers
            self.cell = cell
            self.bidirectional = bidirectional
            self.dropout = dropout
            self.initialization = initialization
        }
    }

    /// The recurrence, whichever cell drives it.
    private enum Recurrence {
        case rnn(RNN), gru(GRU), lstm(LSTM)
    }

    public let config: Config
    private let embedding: Embedding?
    private let recurrence: Recurrence
    private let head: Linear

    public init(_ graph: Graph, config: Config) throws {
        self.config = config
        let inputSize = config.embedding == 0 ? config.vocabularySize : config.embedding
        embedding = config.embedding == 0 ? nil
            : try Embedding(graph, key: "embedding", count: config.vocabularySize, dimension: config.embedding)
        let (h, layers, bidirectional, dropout) = (config.hidden, config.layers, config.bidirectional, config.dropout)
        switch config.cell {
        case .rnn: recurrence = .rnn(try RNN(graph, key: "rnn", inputSize: inputSize, hiddenSize: h, layers: layers,
                                             bidirectional: bidirectional, dropout: dropout))
        case .gru: recurrence = .gru(try GRU(graph, key: "rnn", inputSize: inputSize, hiddenSize: h, layers: layers,
                                             bidirectional: bidirectional, dropout: dropout))
        case .lstm: recurrence = .lstm(try LSTM(graph, key: "rnn", inputSize: inputSize, hiddenSize: h, layers: layers,
                                                bidirectional: bidirectional, dropout: dropout))
        }
        head = try Linear(graph, key: "head", inputSize: h * (bidirectional ? 2 : 1), outputSize: config.vocabularySize)
        config.initialization.apply(to: graph)
    }

    /// Tensors per layer and direction in the recurrent state: 2 (h, c) for LSTM, else 1.
    public var stateCount: Int { config.cell == .lstm ? 2 : 1 }
    /// Layers × directions: the number of entries in `states`.
    public var stateEntries: Int { config.layers * (config.bidirectional ? 2 : 1) }

    /// tokens (T, B) of ids → logits (T, B, V) and the final states (per layer and direction, each
    /// [h] or [h, c] of (B, H)), which truncated BPTT feeds back as `initialStates` of the next batch.
    public func callAsFunction(_ tokens: Tensor, initialStates: [[Tensor]]? = nil) throws
        -> (logits: Tensor, states: [[Tensor]]) {
        let inputs = try embedding.map { try $0(tokens) } ?? oneHot(tokens)       // (T, B, in)
        let (outputs, states): (Tensor, [[Tensor]])
        switch recurrence {
        case .rnn(let layer): (outputs, states) = try layer(inputs, initialStates: initialStates)
        case .gru(let layer): (outputs, states) = try layer(inputs, initialStates: initialStates)
        case .lstm(let layer): (outputs, states) = try layer(inputs, initialStates: initialStates)
        }
        return (try head(outputs), states)                                          // (T, B, V)
    }

    /// ids (…) → (…, V) one-hot rows, gathered from a V×V identity built in the graph.
    private func oneHot(_ ids: Tensor) throws -> Tensor {
        try identity(ids.graph, size: config.vocabularySize).gathered(at: ids)
    }
}

/// The n×n identity from primitives: a column of ones padded to width n + 1 puts each row's 1 one place
/// further right when the buffer is re-read n wide.
func identity(_ graph: Graph, size n: Int) throws -> Tensor {
    let ones = try graph.constant(1, shape: [n, 1]).padded(axis: 1, before: 0, after: n)       // (n, n + 1)
    return try ones.reshaped(to: [n * (n + 1)]).sliced(axis: 0, 0..<(n * n)).reshaped(to: [n, n])
}
