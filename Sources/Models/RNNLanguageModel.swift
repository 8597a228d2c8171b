import Core
import Graph
import NN

/// The recurrent language model of Mikolov's RNNLM, of Zaremba et al. (2014) and of Dive into Deep
/// Learning ch. 8–9: token ids → one-hot or embedded inputs → stacked (optionally bidirectional)
/// RNN/GRU/LSTM → a linear head over the vocabulary at every step, the embedding table itself when
/// tied (Press & Wolf 2017).
///
/// Keys: `embedding.weight` (when embedded), `rnn.layers.<l>[.reverse].{w_ih,w_hh,b_ih,b_hh}`,
/// `head.weight` (untied), `head.bias` — PyTorch's names, so a state dict maps one to one.
public struct RNNLanguageModel {
    public enum Cell: String, Sendable, CaseIterable { case rnn, gru, lstm }

    /// Where dropout acts in training graphs. Zaremba et al. and PyTorch's `word_language_model`
    /// drop the embedded inputs, the inputs of every layer above the first and the last layer's
    /// outputs; AWD-LSTM (Merity et al. 2017) adds whole-word dropout and one mask per sequence.
    public struct Dropouts: Hashable, Sendable {
        /// On the embedded inputs (one-hot inputs are never dropped).
        public var input: Float
        /// On the inputs of every recurrent layer but the first.
        public var between: Float
        /// On the last layer's outputs, before the head.
        public var output: Float
        /// Whole words: each row of the embedding table is zeroed with this probability for a batch
        /// (AWD-LSTM's `embedded_dropout`), so every occurrence of a dropped word reads zeros.
        public var word: Float
        /// One mask per sequence and feature, shared by all steps (variational dropout), instead of
        /// one per step.
        public var locked: Bool

        public init(input: Float = 0, between: Float = 0, output: Float = 0, word: Float = 0, locked: Bool = false) {
            (self.input, self.between, self.output, self.word, self.locked) = (input, between, output, word, locked)
        }

        /// p at every site of Zaremba's placement: inputs, between layers, outputs.
        public static func zaremba(_ p: Float) -> Dropouts { Dropouts(input: p, between: p, output: p) }
    }

    public struct Config: Hashable, Sendable {
        public var vocabularySize: Int
        /// Embedding width; 0 feeds one-hot vectors, as d2l's from-scratch models do.
        public var embedding: Int
        public var hidden: Int
        public var layers: Int
        public var cell: Cell
        public var bidirectional: Bool
        public var dropout: Dropouts
        /// The head multiplies by the embedding table (needs embedding = hidden × directions).
        public var tieEmbeddings: Bool
        /// PyTorch's defaults unless a recipe (d2l's from-scratch N(0, 0.01), Sutskever's U(±0.08),
        /// `word_language_model`'s U(±0.1) tables).
        public var initialization: WeightInitialization

        public init(vocabularySize: Int, embedding: Int, hidden: Int, layers: Int = 1, cell: Cell = .gru,
                    bidirectional: Bool = false, dropout: Dropouts = Dropouts(), tieEmbeddings: Bool = false,
                    initialization: WeightInitialization = .pytorch) {
            self.vocabularySize = vocabularySize
            self.embedding = embedding
            self.hidden = hidden
            self.layers = layers
            self.cell = cell
            self.bidirectional = bidirectional
            self.dropout = dropout
            self.tieEmbeddings = tieEmbeddings
            self.initialization = initialization
        }

        /// The width of the last layer's output: hidden × directions.
        public var outputWidth: Int { hidden * (bidirectional ? 2 : 1) }
    }

    /// The recurrence, whichever cell drives it.
    private enum Recurrence {
        case rnn(RNN), gru(GRU), lstm(LSTM)
    }

    public let config: Config
    private let embedding: Embedding?
    private let recurrence: Recurrence
    private let head: Head

    /// The output layer: its own, or the embedding table (V, W) with a bias (V) of its own.
    private enum Head {
        case linear(Linear)
        case tied(table: Tensor, bias: Tensor)
    }

    public init(_ graph: Graph, config: Config) throws {
        self.config = config
        let (V, h, width) = (config.vocabularySize, config.hidden, config.outputWidth)
        if config.tieEmbeddings, config.embedding != width {
            throw GraphError.invalidArgument(op: "rnn_lm", node: graph.nodes.count, reason: "tied embeddings need "
                + "embedding (\(config.embedding)) = hidden × directions (\(width))")
        }
        // word_language_model's init_weights: U(±0.1) tables, a zero output bias.
        let table: Initializer? = config.initialization == .wordLanguageModel ? .uniform(low: -0.1, high: 0.1) : nil
        let inputSize = config.embedding == 0 ? V : config.embedding
        embedding = config.embedding == 0 ? nil
            : try Embedding(graph, key: "embedding", count: V, dimension: config.embedding,
                            initializer: table ?? .normal(mean: 0, std: 1))
        let (layers, bidirectional, between, locked) = (config.layers, config.bidirectional, config.dropout.between,
                                                         config.dropout.locked)
        switch config.cell {
        case .rnn: recurrence = .rnn(try RNN(graph, key: "rnn", inputSize: inputSize, hiddenSize: h, layers: layers,
                                             bidirectional: bidirectional, dropout: between, lockedDropout: locked))
        case .gru: recurrence = .gru(try GRU(graph, key: "rnn", inputSize: inputSize, hiddenSize: h, layers: layers,
                                             bidirectional: bidirectional, dropout: between, lockedDropout: locked))
        case .lstm: recurrence = .lstm(try LSTM(graph, key: "rnn", inputSize: inputSize, hiddenSize: h, layers: layers,
                                                bidirectional: bidirectional, dropout: between, lockedDropout: locked))
        }
        let bias = table.map { _ in Initializer.zeros }
        if let embedding, config.tieEmbeddings {
            head = .tied(table: embedding.weight,
                         bias: try graph.parameter("head.bias", shape: [V], initializer: bias ?? .pytorchDefault(fanIn: width),
                                                   decay: false))
        } else {
            head = .linear(try Linear(graph, key: "head", inputSize: width, outputSize: V, weightInitializer: table,
                                      biasInitializer: bias))
        }
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
        let dropout = config.dropout
        let shared = dropout.locked ? [0] : []
        let inputs = try embedded(tokens)?.dropout(dropout.input, sharedAlong: shared) ?? oneHot(tokens)   // (T, B, in)
        let (outputs, states): (Tensor, [[Tensor]])
        switch recurrence {
        case .rnn(let layer): (outputs, states) = try layer(inputs, initialStates: initialStates)
        case .gru(let layer): (outputs, states) = try layer(inputs, initialStates: initialStates)
        case .lstm(let layer): (outputs, states) = try layer(inputs, initialStates: initialStates)
        }
        return (try logits(outputs.dropout(dropout.output, sharedAlong: shared)), states)              // (T, B, V)
    }

    /// tokens (T, B) → (T, B, E) rows of the table, whole rows dropped by word dropout; nil for one-hot inputs.
    private func embedded(_ tokens: Tensor) throws -> Tensor? {
        guard let embedding else { return nil }
        return try embedding.weight.dropout(config.dropout.word, sharedAlong: [1]).gathered(at: tokens)
    }

    /// x (T, B, W) → (T, B, V) by the head, or by the embedding table's transpose when tied.
    private func logits(_ x: Tensor) throws -> Tensor {
        switch head {
        case .linear(let linear):
            return try linear(x)
        case .tied(let table, let bias):
            let rows = try x.reshaped(to: [-1, config.outputWidth])                     // (T·B, W)
            let logits = try rows.matmul(table, transposeB: true) + bias                // (T·B, V)
            return try logits.reshaped(to: [x.shape[0], x.shape[1], config.vocabularySize])
        }
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
