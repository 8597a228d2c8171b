import Core
import Graph
import NN

/// The recurrent encoder–decoder of Sutskever et al. 2014 and Cho et al. 2014, with the attention of
/// Bahdanau et al. 2015 (additive) or Luong et al. 2015's `dot` and `general` scores, as
/// bentrevett/pytorch-seq2seq builds them:
///
/// - encoder: source embedding → dropout → stacked GRU/LSTM (optionally bidirectional) over the
///   time-major source, padding passed over as packed sequences pass it (so a sentence encodes the
///   same alone or in a padded batch);
/// - the decoder's first state: the encoder's final state per layer, or with a bidirectional encoder
///   tanh(W·[forward; backward]) per layer and state tensor (Bahdanau's s₀);
/// - each decoder step reads the previous target token's embedding, and with `context: every_step`
///   (Cho) the fixed context c (the top layer of the first state) or with attention the context the
///   previous state attends to over the encoder outputs (padding masked out); the output layer reads
///   [state, context, embedding] (whichever exist) and predicts the next token.
///
/// Keys: `encoder.embedding.weight`, `encoder.rnn.layers.<l>[.reverse].*`, `decoder.embedding.weight`,
/// `decoder.rnn.layers.<l>.*`, `bridge.<l>.<s>.{weight,bias}`, `attention.*`, `head.{weight,bias}`.
public struct EncoderDecoder {
    public enum Cell: String, Sendable, CaseIterable { case gru, lstm }
    public enum Context: String, Sendable, CaseIterable { case initial, everyStep = "every_step" }
    public enum Attention: String, Sendable, CaseIterable { case none, additive, dot, general }

    public struct Config: Hashable, Sendable {
        public var sourceVocabularySize: Int
        public var targetVocabularySize: Int
        public var embedding: Int
        public var hidden: Int
        public var layers: Int
        public var cell: Cell
        public var encoderBidirectional: Bool
        public var dropout: Float
        public var context: Context
        public var attention: Attention
        /// In training graphs, the probability that a step reads the gold previous token rather than
        /// the model's own argmax (drawn per step and sentence); 1 is plain teacher forcing.
        public var teacherForcing: Float
        /// Whether that choice is drawn once per step for the whole batch instead (bentrevett's tutorials).
        public var teacherForcingByBatch: Bool
        public var initialization: WeightInitialization

        public init(sourceVocabularySize: Int, targetVocabularySize: Int, embedding: Int, hidden: Int, layers: Int = 1,
                    cell: Cell = .gru, encoderBidirectional: Bool = false, dropout: Float = 0, context: Context = .initial,
                    attention: Attention = .none, teacherForcing: Float = 1, teacherForcingByBatch: Bool = false,
                    initialization: WeightInitialization = .pytorch) {
            (self.sourceVocabularySize, self.targetVocabularySize) = (sourceVocabularySize, targetVocabularySize)
            (self.embedding, self.hidden, self.layers, self.cell) = (embedding, hidden, layers, cell)
            (self.encoderBidirectional, self.dropout, self.context) = (encoderBidirectional, dropout, context)
            (self.attention, self.teacherForcing, self.teacherForcingByBatch) = (attention, teacherForcing, teacherForcingByBatch)
            self.initialization = initialization
        }

        /// The width of an encoder output: H, or 2H bidirectional.
        public var encoderWidth: Int { hidden * (encoderBidirectional ? 2 : 1) }
        /// Tensors in a decoder layer's state: 2 (h, c) for LSTM, else 1.
        public var stateCount: Int { cell == .lstm ? 2 : 1 }
    }

    /// What the decoder reads of an encoded batch, computed once per batch: the encoder outputs
    /// (B, S, 2H or H), the attention's key projection when it has one, the source mask (B, S), the
    /// decoder's first state (per layer, [h] or [h, c], each (B, H)) and Cho's context c (B, H).
    public struct Encoded {
        public var outputs: Tensor
        public var projectedKeys: Tensor?
        public var mask: Tensor
        public var initialState: [[Tensor]]
        public var context: Tensor?

        public init(outputs: Tensor, projectedKeys: Tensor?, mask: Tensor, initialState: [[Tensor]], context: Tensor?) {
            (self.outputs, self.projectedKeys, self.mask, self.initialState, self.context) =
                (outputs, projectedKeys, mask, initialState, context)
        }
    }

    private enum Encoder {
        case gru(GRU), lstm(LSTM)
    }

    public let config: Config
    private let sourceEmbedding: Embedding
    private let targetEmbedding: Embedding
    private let encoder: Encoder
    private let decoder: [any RecurrentCell]
    /// bridge[l][s]: layer l's state tensor s from [forward; backward] of a bidirectional encoder.
    private let bridge: [[Linear]]
    private let additive: AdditiveAttention?
    /// `general`'s W: decoder state (H) → encoder width.
    private let general: Linear?
    private let head: Linear

    public init(_ graph: Graph, config: Config) throws {
        guard config.attention != .dot || config.encoderWidth == config.hidden else {
            throw GraphError.invalidArgument(op: "encoder_decoder", node: graph.nodes.count, reason: "dot attention needs encoder outputs as wide as the "
                + "decoder state (\(config.encoderWidth) vs \(config.hidden)); use general with a bidirectional encoder")
        }
        self.config = config
        let (e, h, layers) = (config.embedding, config.hidden, config.layers)
        sourceEmbedding = try Embedding(graph, key: "encoder.embedding", count: config.sourceVocabularySize, dimension: e)
        targetEmbedding = try Embedding(graph, key: "decoder.embedding", count: config.targetVocabularySize, dimension: e)
        let (bidirectional, dropout) = (config.encoderBidirectional, config.dropout)
        switch config.cell {
        case .gru: encoder = .gru(try GRU(graph, key: "encoder.rnn", inputSize: e, hiddenSize: h, layers: layers,
                                          bidirectional: bidirectional, dropout: dropout))
        case .lstm: encoder = .lstm(try LSTM(graph, key: "encoder.rnn", inputSize: e, hiddenSize: h, layers: layers,
                                             bidirectional: bidirectional, dropout: dropout))
        }
        let reads = config.attention != .none ? config.encoderWidth : config.context == .everyStep ? h : 0
        decoder = try (0..<layers).map { layer -> any RecurrentCell in
            let (key, input) = ("decoder.rnn.layers.\(layer)", layer == 0 ? e + reads : h)
            return switch config.cell {
            case .gru: try GRUCell(graph, key: key, inputSize: input, hiddenSize: h)
            case .lstm: try LSTMCell(graph, key: key, inputSize: input, hiddenSize: h)
            }
        }
        bridge = bidirectional ? try (0..<layers).map { layer in
            try (0..<config.stateCount).map { s in try Linear(graph, key: "bridge.\(layer).\(s)", inputSize: 2 * h, outputSize: h) }
        } : []
        additive = config.attention == .additive
            ? try AdditiveAttention(graph, key: "attention", querySize: h, keySize: config.encoderWidth, attentionSize: h) : nil
        general = config.attention == .general
            ? try Linear(graph, key: "attention.general", inputSize: h, outputSize: config.encoderWidth, bias: false) : nil
        head = try Linear(graph, key: "head", inputSize: h + reads + (reads > 0 ? e : 0), outputSize: config.targetVocabularySize)
        config.initialization.apply(to: graph)
    }

    /// source (B, S) ids, mask (B, S) of 1 (real) and 0 (padding) → what the decoder reads.
    public func encode(_ source: Tensor, mask: Tensor) throws -> Encoded {
        let embedded = try sourceEmbedding(source.transposed(0, 1)).dropout(config.dropout)      // (S, B, E)
        let steps = try mask.transposed(0, 1)                                                       // (S, B)
        let (outputs, states): (Tensor, [[Tensor]])
        switch encoder {
        case .gru(let layer): (outputs, states) = try layer(embedded, mask: steps)
        case .lstm(let layer): (outputs, states) = try layer(embedded, mask: steps)
        }
        let initial: [[Tensor]] = config.encoderBidirectional
            ? try (0..<config.layers).map { layer in
                try (0..<config.stateCount).map { s in
                    try bridge[layer][s](Tensor.concatenated([states[2 * layer][s], states[2 * layer + 1][s]], axis: 1)).tanh()
                }
            }
            : states
        let batchMajor = try outputs.permuted([1, 0, 2])                                          // (B, S, He)
        return Encoded(outputs: batchMajor, projectedKeys: try additive?.projectKeys(batchMajor), mask: mask,
                       initialState: initial,
                       context: config.attention == .none && config.context == .everyStep ? initial[config.layers - 1][0] : nil)
    }

    /// One decoder step: the previous tokens' embeddings (B, E) and state → the output layer's input
    /// (B, F), the new state, and the attention weights (B, S) when the model attends. With `fixed`,
    /// the context's parts of the first layer's gates and of the logits come from it, and the features
    /// are [state, embedding] (B, H + E), which `logits(_:fixed:)` completes.
    private func step(embedded: Tensor, state: [[Tensor]], encoded: Encoded, fixed: FixedContext? = nil) throws
        -> (features: Tensor, state: [[Tensor]], weights: Tensor?) {
        var read: Tensor? = encoded.context
        var weights: Tensor?
        if config.attention != .none {
            (read, weights) = try attend(state[config.layers - 1][0], encoded)
        }
        // With `fixed` the first layer reads the embedding alone: the context's part is in fixed.gates.
        var input = embedded
        if fixed == nil, let read { input = try Tensor.concatenated([embedded, read], axis: 1) }
        var next: [[Tensor]] = []
        for (layer, cell) in decoder.enumerated() {
            let updated: [Tensor]
            if layer == 0, let fixed {
                updated = try cell.step(embedded.matmul(fixed.inputWeight, transposeB: true) + fixed.gates, state: state[0])
            } else {
                if layer > 0 { input = try input.dropout(config.dropout) }
                updated = try cell(input, state: state[layer])
            }
            next.append(updated)
            input = updated[0]
        }
        if fixed != nil { return (try Tensor.concatenated([input, embedded], axis: 1), next, weights) }
        let features = try read.map { try Tensor.concatenated([input, $0, embedded], axis: 1) } ?? input
        return (features, next, weights)
    }

    /// What stays the same over the steps of a decoder with a fixed context c (Cho's): c's part of the
    /// first layer's gates and of the logits, biases included, computed once per batch instead of at
    /// every step; and the weights of the parts that change (the embedding's columns of the first
    /// layer's W_ih, the state's and the embedding's of the head), sliced once. It takes ~40% of the
    /// output layer's work, which dominates a step, out of the loop.
    private struct FixedContext {
        /// (B, G·H)
        let gates: Tensor
        /// (B, V)
        let logits: Tensor
        /// (G·H, E)
        let inputWeight: Tensor
        /// (V, H + E)
        let headWeight: Tensor

        init(_ model: EncoderDecoder, context: Tensor) throws {
            let (e, h, cell, weight) = (model.config.embedding, model.config.hidden, model.decoder[0], model.head.weight)
            gates = try context.matmul(cell.inputWeight(features: e..<(e + h)), transposeB: true) + cell.projectionBias()
            inputWeight = try cell.inputWeight(features: 0..<e)
            let contextLogits = try context.matmul(weight.sliced(axis: 1, h..<(2 * h)), transposeB: true)
            logits = try model.head.bias.map { try contextLogits + $0 } ?? contextLogits
            headWeight = try Tensor.concatenated([weight.sliced(axis: 1, 0..<h), weight.sliced(axis: 1, (2 * h)..<(2 * h + e))],
                                                 axis: 1)
        }
    }

    /// The output layer over features (B, F) or (B, T, F) from `step`, completed by `fixed`'s part.
    private func logits(_ features: Tensor, fixed: FixedContext?) throws -> Tensor {
        guard let fixed else { return try head(features) }
        let (batchSize, width) = (features.shape[0], features.shape[features.rank - 1])
        let rows = try features.reshaped(to: [-1, width]).matmul(fixed.headWeight, transposeB: true)       // (B·T, V)
        if features.rank == 2 { return try rows + fixed.logits }
        return try rows.reshaped(to: [batchSize, -1, config.targetVocabularySize])
            + fixed.logits.reshaped(to: [batchSize, 1, config.targetVocabularySize])
    }

    /// Context (B, He) and weights (B, S) that `query` (B, H) gives the encoder outputs.
    private func attend(_ query: Tensor, _ encoded: Encoded) throws -> (Tensor, Tensor) {
        if let additive {
            return try additive(query, keys: encoded.outputs, projectedKeys: encoded.projectedKeys, padding: encoded.mask)
        }
        let (batchSize, length, width) = (encoded.outputs.shape[0], encoded.outputs.shape[1], encoded.outputs.shape[2])
        let probe = try (general.map { try $0(query) } ?? query).reshaped(to: [batchSize, width, 1])     // (B, He, 1)
        let scores = try encoded.outputs.matmul(probe).reshaped(to: [batchSize, length])                 // (B, S)
        let weights = try (scores + additiveMask(padding: encoded.mask)).softmax()
        let context = try weights.reshaped(to: [batchSize, 1, length]).matmul(encoded.outputs)         // (B, 1, He)
        return (try context.reshaped(to: [batchSize, width]), weights)
    }

    /// Teacher forcing: source (B, S), mask (B, S), decoder inputs (B, T) (`<bos>` then the target) →
    /// logits (B, T, V) and, when the model attends, each step's weights (B, S). A training graph with
    /// `teacherForcing` below 1 feeds each step its own previous argmax instead of the gold token with
    /// probability 1 − `teacherForcing`; `freeRunning` feeds every step after the first its argmax.
    public func callAsFunction(_ source: Tensor, mask: Tensor, decoderInputs: Tensor, freeRunning: Bool = false) throws
        -> (logits: Tensor, weights: [Tensor]) {
        let encoded = try encode(source, mask: mask)
        if freeRunning || (config.teacherForcing < 1 && source.graph.isTraining) {
            return try partlyTeacherForced(decoderInputs, encoded: encoded, teacherForcing: freeRunning ? 0 : config.teacherForcing)
        }
        let (batchSize, steps) = (decoderInputs.shape[0], decoderInputs.shape[1])
        let embedded = try targetEmbedding(decoderInputs).dropout(config.dropout)                       // (B, T, E)
        let fixed = try encoded.context.map { try FixedContext(self, context: $0) }
        var state = encoded.initialState
        var features: [Tensor] = [], weights: [Tensor] = []
        for t in 0..<steps {
            let input = try embedded.sliced(axis: 1, t..<(t + 1)).reshaped(to: [batchSize, config.embedding])
            let output = try step(embedded: input, state: state, encoded: encoded, fixed: fixed)
            state = output.state
            features.append(try output.features.reshaped(to: [batchSize, 1, output.features.shape[1]]))
            if let stepWeights = output.weights { weights.append(stepWeights) }
        }
        return (try logits(try Tensor.concatenated(features, axis: 1), fixed: fixed), weights)          // (B, T, V)
    }

    /// Each step's logits through the output layer at once, so that the next step can read its argmax.
    private func partlyTeacherForced(_ decoderInputs: Tensor, encoded: Encoded, teacherForcing: Float) throws
        -> (logits: Tensor, weights: [Tensor]) {
        let (graph, batchSize, steps) = (decoderInputs.graph, decoderInputs.shape[0], decoderInputs.shape[1])
        let gold = { (t: Int) in try decoderInputs.sliced(axis: 1, t..<(t + 1)).reshaped(to: [batchSize]) }   // (B)
        let fixed = try encoded.context.map { try FixedContext(self, context: $0) }
        var (tokens, state) = (try gold(0), encoded.initialState)
        var stepsLogits: [Tensor] = [], weights: [Tensor] = []
        for t in 0..<steps {
            let output = try step(embedded: try targetEmbedding(tokens).dropout(config.dropout), state: state, encoded: encoded,
                                  fixed: fixed)
            state = output.state
            let stepLogits = try logits(output.features, fixed: fixed)                                   // (B, V)
            stepsLogits.append(try stepLogits.reshaped(to: [batchSize, 1, config.targetVocabularySize]))
            if let stepWeights = output.weights { weights.append(stepWeights) }
            if t + 1 < steps, teacherForcing == 0 {
                tokens = try stepLogits.argmax()
            } else if t + 1 < steps {
                // One draw per sentence, or one for the whole batch spread over its rows: (B).
                let draws = config.teacherForcingByBatch
                    ? try graph.randomUniform(shape: [1]).expanded(to: [batchSize]) : graph.randomUniform(shape: [batchSize])
                let useGold = try graph.constant(teacherForcing).greater(draws)
                tokens = try gold(t + 1).selected(where: useGold, else: stepLogits.argmax())
            }
        }
        return (try Tensor.concatenated(stepsLogits, axis: 1), weights)
    }

    /// A decoding step from token ids (B): logits (B, V), the new state and the attention weights.
    public func decode(_ tokens: Tensor, state: [[Tensor]], encoded: Encoded) throws
        -> (logits: Tensor, state: [[Tensor]], weights: Tensor?) {
        let output = try step(embedded: try targetEmbedding(tokens), state: state, encoded: encoded)
        return (try head(output.features), output.state, output.weights)
    }
}
