import Data
import Graph
import Models
import Spec

/// `rnn_lm`: RNN, GRU or LSTM language models over time-major tokens (T, B), with their state fed in
/// and read out so that truncated BPTT can carry it from batch to batch.
extension RNNLanguageModel.Config: LanguageModelKind {
    /// The most recurrent cell steps one graph unrolls (T × layers × directions); each is ~25 nodes.
    static let maxUnrolledSteps = 100_000

    /// Refuses a graph of `spec` that would unroll more than `maxUnrolledSteps` cell steps.
    static func refuseLongUnrolling(_ spec: ExperimentSpec, directions: Int) throws {
        let (layers, length) = (spec.model.layers, spec.train.seqLen)
        guard TensorSize.product([length, layers, directions]) <= maxUnrolledSteps else {
            throw PlanError.invalid("train.seq_len \(length) × model.layers \(layers)"
                + (directions == 2 ? " × 2 directions" : "") + " unrolls more than \(maxUnrolledSteps) recurrent steps; "
                + "lower train.seq_len or model.layers", keys: ["train.seq_len", "model.layers"])
        }
    }

    public static func largestTensors(_ spec: ExperimentSpec, vocabularySize: Int) throws -> [TensorSize] {
        let (model, train) = (spec.model, spec.train)
        let directions = model.bidirectional ? 2 : 1
        let input = model.inputWidth(vocabularySize: vocabularySize)
        try refuseLongUnrolling(spec, directions: directions)
        return [
            TensorSize([train.batchSize, train.seqLen, vocabularySize], "train.batch_size", "train.seq_len"),
            TensorSize([train.batchSize, train.seqLen, input], "train.batch_size", "train.seq_len", "model.embedding"),
            TensorSize([train.batchSize, train.seqLen, 4, model.hidden, directions],
                       "train.batch_size", "train.seq_len", "model.hidden"),
            TensorSize([4, model.hidden, input], "model.hidden", "model.embedding"),
            TensorSize([4, model.hidden, model.hidden, directions], "model.hidden"),
            TensorSize([vocabularySize, model.hidden, directions], "model.hidden"),
        ]
    }

    public init(_ spec: ExperimentSpec, vocabularySize: Int) throws {
        let model = spec.model
        guard let cell = RNNLanguageModel.Cell(rawValue: model.cell.rawValue) else {
            throw PlanError.unsupported("cell '\(model.cell.rawValue)'", keys: ["model.cell"])
        }
        // `dropout` at Zaremba's three sites; `dropout_between_layers` overrides the middle one.
        var dropout = RNNLanguageModel.Dropouts.zaremba(Float(model.dropout))
        dropout.between = Float(model.dropoutBetweenLayers ?? model.dropout)
        dropout.word = Float(model.wordDropout)
        dropout.locked = model.dropoutMode == .locked
        self.init(vocabularySize: vocabularySize, embedding: model.embedding, hidden: model.hidden, layers: model.layers,
                  cell: cell, bidirectional: model.bidirectional, dropout: dropout, tieEmbeddings: model.tieEmbeddings,
                  initialization: WeightInitialization(model, standard: .pytorch))
    }

    public var summary: String { "rnn_lm (\(cell.rawValue)\(tieEmbeddings ? ", tied" : ""))" }
    public var layout: BatchLayout { .timeMajor }
    public var window: Int? { nil }
    public var modelWidth: Int { hidden }
    public func decodeLength(training length: Int) -> Int { 1 }

    /// tokens, targets (T, B); one (B, hidden) state input per tensor of every layer and direction.
    public func forward(_ graph: Graph, batchSize: Int, length: Int) throws -> LanguageModelForward {
        let tokens = graph.input(LanguageModelPlan.tokens, shape: [length, batchSize], dtype: .int32)
        let targets = graph.input(LanguageModelPlan.targets, shape: [length, batchSize], dtype: .int32)
        let model = try RNNLanguageModel(graph, config: self)
        let names = (0..<model.stateEntries).flatMap { entry in (0..<model.stateCount).map { "state.\(entry).\($0)" } }
        let states = names.map { graph.input($0, shape: [batchSize, hidden]) }
        let initial = stride(from: 0, to: states.count, by: model.stateCount).map { Array(states[$0..<($0 + model.stateCount)]) }
        let (logits, final) = try model(tokens, initialStates: initial)
        return LanguageModelForward(logits: logits, targets: targets, stateInputs: names, stateOutputs: final.flatMap { $0 })
    }
}
