import Graph
import NN

/// ELMo's bidirectional language model (Peters et al. 2018): a forward and a backward stack of LSTMs
/// (with projections, LSTMP, when `projection` is set) that share the token embedding and the
/// softmax. The forward model reads a text left to right and predicts the next token; the backward
/// model reads it right to left and predicts the previous one. Layer l > 0 of each stack adds its
/// input to its output (the residual connection between ELMo's layers).
///
/// Its representations of a text are layer 0, the token embedding twice ([x; x], as ELMo duplicates
/// its token layer), and layer j, [forward h_j; backward h_j]: L + 1 tensors of width 2R
/// (R = `projection` or `hidden`), which a downstream task mixes with `ScalarMix`.
///
/// Keys: `embedding.weight` (V, E); `forward.layers.<l>.{w_ih,w_hh,b_ih,b_hh[,w_hr]}`, the same under
/// `backward.`; `softmax.{weight,bias}` (the language model only: a classifier reading ELMo's
/// features has no softmax, and its own `head`).
public struct ELMo {
    public struct Config: Hashable, Sendable {
        public var vocabularySize: Int
        /// E: the token embedding's width, equal to R so that layer 0 mixes with the others.
        public var embedding: Int
        /// H: the cells of every LSTM.
        public var hidden: Int
        /// P: the width each LSTM's h is projected to; nil for none (R = H).
        public var projection: Int?
        public var layers: Int
        /// On the embeddings, on every layer's output and before the softmax.
        public var dropout: Float
        public var initialization: WeightInitialization

        public init(vocabularySize: Int, embedding: Int, hidden: Int, projection: Int? = nil, layers: Int = 2,
                    dropout: Float = 0, initialization: WeightInitialization = .pytorch) {
            (self.vocabularySize, self.embedding, self.hidden, self.projection) = (vocabularySize, embedding, hidden, projection)
            (self.layers, self.dropout, self.initialization) = (layers, dropout, initialization)
        }

        /// R: the width of each direction's layers.
        public var outputWidth: Int { projection ?? hidden }
        /// 2R: the width of every layer of the representation.
        public var representationWidth: Int { 2 * outputWidth }
    }

    public enum Direction: String, CaseIterable, Sendable {
        case forward, backward
    }

    public let config: Config
    private let embedding: Embedding
    /// cells[d][l]: direction d (forward, backward), layer l.
    private let cells: [[LSTMCell]]
    private let softmax: Linear?

    /// - Parameter languageModel: whether the softmax is built (a classifier reads only the layers).
    public init(_ graph: Graph, config: Config, languageModel: Bool = true) throws {
        self.config = config
        guard config.embedding == config.outputWidth else {
            throw GraphError.invalidArgument(op: "elmo", node: graph.nodes.count, reason: "the embedding (\(config.embedding)) "
                + "must be as wide as each layer (\(config.outputWidth)) for the layers to mix")
        }
        embedding = try Embedding(graph, key: "embedding", count: config.vocabularySize, dimension: config.embedding)
        cells = try Direction.allCases.map { direction in
            try (0..<config.layers).map { layer in
                try LSTMCell(graph, key: "\(direction.rawValue).layers.\(layer)", inputSize: config.outputWidth,
                             hiddenSize: config.hidden, projectionSize: config.projection)
            }
        }
        softmax = languageModel ? try Linear(graph, key: "softmax", inputSize: config.outputWidth,
                                             outputSize: config.vocabularySize) : nil
        config.initialization.apply(to: graph)
    }

    /// Tensors per layer of a direction's state: h (B, R) and c (B, H).
    public var stateWidths: [Int] { cells[0][0].stateWidths }

    /// The language model over a window of a token stream: tokens (T, B) = x_0 … x_{T−1} and targets
    /// (T, B) = x_1 … x_T. The forward model reads the tokens from `initialStates` (its state at the
    /// window's start, per layer) and predicts the targets; the backward model reads the targets right
    /// to left from zeros (what follows the window is not yet read) and predicts the tokens: at t it
    /// has read x_{t+1} … x_T and predicts x_t. → logits (T, B, V) of each, and the forward model's
    /// final states.
    public func languageModel(tokens: Tensor, targets: Tensor, initialStates: [[Tensor]]) throws
        -> (forward: Tensor, backward: Tensor, states: [[Tensor]]) {
        guard let softmax else {
            throw GraphError.invalidArgument(op: "elmo", node: tokens.graph.nodes.count, reason: "built without its softmax")
        }
        let dropout = config.dropout
        let (forward, states) = try run(.forward, embedding(tokens).dropout(dropout), from: initialStates)
        let (backward, _) = try run(.backward, embedding(targets).dropout(dropout))
        return (try softmax(forward[forward.count - 1].dropout(dropout)), try softmax(backward[backward.count - 1].dropout(dropout)),
                states)
    }

    /// tokens (T, B), mask (T, B) of 1 (real) and 0 (padding) → the L + 1 layers of the
    /// representation, each (T, B, 2R). Both directions run over the real positions only.
    public func representations(_ tokens: Tensor, mask: Tensor? = nil) throws -> [Tensor] {
        let x = try embedding(tokens)                                                   // (T, B, R)
        let (forward, _) = try run(.forward, x, mask: mask)
        let (backward, _) = try run(.backward, x, mask: mask)
        return try [Tensor.concatenated([x, x], axis: 2)]
            + zip(forward, backward).map { try Tensor.concatenated([$0, $1], axis: 2) }
    }

    /// One direction's stack over x (T, B, R) → every layer's output (T, B, R), with dropout between
    /// layers in training, and each layer's final state.
    private func run(_ direction: Direction, _ x: Tensor, from initialStates: [[Tensor]]? = nil, mask: Tensor? = nil) throws
        -> (layers: [Tensor], states: [[Tensor]]) {
        let stack = cells[direction == .forward ? 0 : 1]
        var input = x
        var (outputs, states): ([Tensor], [[Tensor]]) = ([], [])
        for (layer, cell) in stack.enumerated() {
            let start = initialStates?[layer] ?? cell.zeroState(batchSize: x.shape[1], in: x.graph)
            var (output, final) = try cell.unrolled(input, from: start, reversed: direction == .backward, mask: mask)
            if layer > 0 { output = try output + input }
            outputs.append(output)
            states.append(final)
            if layer < stack.count - 1 { input = try output.dropout(config.dropout) }
        }
        return (outputs, states)
    }
}
