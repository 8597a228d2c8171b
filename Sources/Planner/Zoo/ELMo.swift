import Data
import Graph
import Models
import Spec

/// `elmo`: ELMo's biLM over time-major windows (T, B) of a token stream. The forward model's state
/// is fed in and read out, so that truncated BPTT carries it from window to window; the backward
/// model starts every window from zeros. The loss is the mean of the two directions' losses
/// (bilm-tf's), each reported as `forward_*` and `backward_*`; sampling reads the forward model.
extension ELMo.Config: LanguageModelKind {
    public static func largestTensors(_ spec: ExperimentSpec, vocabularySize: Int) throws -> [TensorSize] {
        let (model, train) = (spec.model, spec.train)
        try RNNLanguageModel.Config.refuseLongUnrolling(spec, directions: 2)
        let width = model.projection ?? model.hidden
        return [
            TensorSize([2, train.batchSize, train.seqLen, vocabularySize], "train.batch_size", "train.seq_len"),
            TensorSize([2, train.batchSize, train.seqLen, 4, model.hidden], "train.batch_size", "train.seq_len", "model.hidden"),
            TensorSize([4, model.hidden, width], "model.hidden", "model.projection"),
            TensorSize([vocabularySize, width], "model.projection", "model.hidden"),
        ]
    }

    public init(_ spec: ExperimentSpec, vocabularySize: Int) throws {
        let model = spec.model
        guard spec.data.format != .lines else {
            throw PlanError.unsupported("model kind 'elmo' on lines: its backward model reads the stream right to left from "
                + "each window's targets; set 'data.format: stream'", keys: ["data.format"])
        }
        self.init(vocabularySize: vocabularySize, embedding: model.embedding, hidden: model.hidden,
                  projection: model.projection, layers: model.layers, dropout: Float(model.dropout),
                  initialization: WeightInitialization(model, standard: .pytorch))
    }

    public var summary: String {
        "elmo (\(layers) layer\(layers == 1 ? "" : "s") of \(hidden) LSTM cells"
            + (projection.map { " projected to \($0)" } ?? "") + " per direction, embedding \(embedding))"
    }
    public var layout: BatchLayout { .timeMajor }
    public var window: Int? { nil }
    public var modelWidth: Int { outputWidth }
    public func decodeLength(training length: Int) -> Int { 1 }

    /// tokens, targets (T, B); the forward model's state per layer: `state.<l>.0` h (B, R), `.1` c (B, H).
    public func forward(_ graph: Graph, batchSize: Int, length: Int) throws -> LanguageModelForward {
        let tokens = graph.input(LanguageModelPlan.tokens, shape: [length, batchSize], dtype: .int32)
        let targets = graph.input(LanguageModelPlan.targets, shape: [length, batchSize], dtype: .int32)
        let model = try ELMo(graph, config: self)
        let widths = model.stateWidths
        let names = (0..<layers).map { layer in widths.indices.map { "state.\(layer).\($0)" } }
        let initial = names.map { layer in zip(layer, widths).map { graph.input($0, shape: [batchSize, $1]) } }
        let (forward, backward, final) = try model.languageModel(tokens: tokens, targets: targets, initialStates: initial)
        return LanguageModelForward(logits: forward, targets: targets, stateInputs: names.flatMap { $0 },
                                    stateOutputs: final.flatMap { $0 },
                                    directions: zip(ModelSpec.Kind.elmoDirections, [(forward, targets), (backward, tokens)])
                                        .map { ($0, $1.0, $1.1) })
    }
}
