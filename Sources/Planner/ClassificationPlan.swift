import Autodiff
import Core
import Graph
import Models
import NN
import Spec

/// The graphs of a text classifier: for each length bucket a training graph (forward, loss, backward)
/// and an evaluation graph (forward, loss, logits), all over one set of parameters.
///
/// Batch inputs (batch-major): `tokens` (B, T) ids, `mask` (B, T), `labels` (B) with filler rows
/// ignored. Outputs: the mean cross-entropy over the real rows, and the logits (B, K).
public struct ClassificationPlan: TrainingPlan {
    /// One bucket's shape: texts and positions.
    public struct BucketShape: Hashable, Sendable, CustomStringConvertible {
        public let batchSize: Int
        public let length: Int

        public init(batchSize: Int, length: Int) {
            (self.batchSize, self.length) = (batchSize, length)
        }

        /// `(B, T)`, as `runner check` and plan.txt list buckets.
        public var description: String { "(\(batchSize), \(length))" }
    }

    public struct Pass {
        public let graph: Graph
        public let loss: Tensor
        /// (B, K).
        public let logits: Tensor
        /// (parameter, gradient) pairs; empty for evaluation.
        public let gradients: [(parameter: Tensor, gradient: Tensor)]

        /// The parameters and work of one step of this pass's shape.
        public var summary: PlanSummary { PlanSummary(graph: graph, roots: [loss] + gradients.map(\.gradient)) }
    }

    public static let tokens = "tokens"
    public static let mask = "mask"
    public static let labels = "labels"

    public let config: TextClassifier.Config
    public let shapes: [BucketShape]
    public let evaluationShapes: [BucketShape]
    public let train: [Pass]
    public let eval: [Pass]
    public let training: TrainSpec
    public var modelWidth: Int { config.embedding }
    public var fitsByCounting: Bool { false }

    public init(_ spec: ExperimentSpec, vocabularySize: Int, classes: Int, shapes buckets: [BucketShape],
                evaluationShapes: [BucketShape]) throws {
        if let metric = spec.eval.metrics.first(where: { ![.loss, .perplexity, .accuracy].contains($0) }) {
            throw PlanError.unsupported("eval metric '\(metric.rawValue)' for classification (it reports loss, accuracy "
                + "and macro_f1 whatever eval.metrics lists)", keys: ["eval.metrics"])
        }
        let config = try Self.config(spec, vocabularySize: vocabularySize, classes: classes)
        let longest = (buckets + evaluationShapes).map(\.length).max() ?? 0
        if let positions = config.positionLimit, longest > positions {
            throw PlanError.invalid("the longest text of the data takes \(longest) positions, more than model.max_positions "
                + "(\(positions)); raise max_positions", keys: ["model.max_positions"])
        }
        try TensorSize.refuseOversized(buckets.flatMap { shape in
            [TensorSize([shape.batchSize, shape.length, max(config.embedding, config.featureSize)], "train.batch_size")]
        } + [TensorSize([vocabularySize, config.embedding], "model.embedding")])
        (self.config, shapes, self.evaluationShapes, training) = (config, buckets, evaluationShapes, spec.train)
        train = try buckets.map { try Self.pass(config, $0, training: true, frozen: spec.train.freezeEncoder) }
        eval = try evaluationShapes.map { try Self.pass(config, $0, training: false) }
    }

    /// The classifier `spec.model` describes over a vocabulary and a set of classes.
    static func config(_ spec: ExperimentSpec, vocabularySize: Int, classes: Int) throws -> TextClassifier.Config {
        let model = spec.model
        guard model.kind == .classifier else {
            throw PlanError.unsupported("model kind '\(model.kind.rawValue)' for classification (use classifier)",
                                        keys: ["model.kind"])
        }
        let encoder: TextClassifier.Encoder
        switch model.encoder {
        case .bilstm: encoder = .bilstm(hidden: model.hidden, layers: model.layers)
        case .cnn: encoder = .cnn(kernelSizes: model.kernelSizes, channels: model.channels)
        case .transformer:
            guard let activation = Activation(rawValue: model.activation.rawValue),
                  let norm = TransformerBlock.NormPlacement(rawValue: model.norm.rawValue) else {
                throw PlanError.unsupported("model.activation '\(model.activation.rawValue)' in a classifier's transformer",
                                                     keys: ["model.activation", "model.norm"])
            }
            encoder = .transformer(layers: model.layers, heads: model.heads, feedForwardSize: model.ffn ?? 4 * model.width,
                                   activation: activation, norm: norm, attentionDropout: Float(model.attentionDropout),
                                   maxPositions: model.maxPositions)
        case .bert:
            // The classifier draws every weight once, at its end (`.bert` for this encoder).
            encoder = .bert(BERT.Config(model, vocabularySize: vocabularySize, initialization: .pytorch))
        case .elmo:
            // The biLM computes features, without dropout: `model.dropout` acts on the mix and the biLSTM.
            let biLM = ELMo.Config(vocabularySize: vocabularySize, embedding: model.embedding, hidden: model.elmoHidden,
                                   projection: model.projection, layers: model.elmoLayers)
            encoder = .elmo(biLM, hidden: model.hidden, layers: model.layers)
        }
        guard let pool = model.pool.flatMap({ TextClassifier.Pool(rawValue: $0.rawValue) }) else {
            throw PlanError.invalid("model.pool is not resolved")
        }
        // An attention encoder's embedding is its model width.
        let width = [.transformer, .bert].contains(model.encoder) ? model.width : model.embedding
        guard width > 0 else { throw PlanError.invalid("model.embedding must be at least 1 for a classifier",
                                                                    keys: ["model.embedding"]) }
        return TextClassifier.Config(vocabularySize: vocabularySize, classes: classes, embedding: width, encoder: encoder,
                                     pool: pool, dropout: Float(model.dropout),
                                     initialization: WeightInitialization(model, standard: model.encoder == .bert ? .bert : .pytorch))
    }

    /// A bucket's graph: the loss and logits, and in training the gradients.
    private static func pass(_ config: TextClassifier.Config, _ shape: BucketShape, training: Bool, frozen: Bool = false) throws
        -> Pass {
        let graph = Graph(training: training)
        let (b, t) = (shape.batchSize, shape.length)
        let logits = try TextClassifier(graph, config: config)(graph.input(tokens, shape: [b, t], dtype: .int32),
                                                              mask: graph.input(mask, shape: [b, t]))
        let loss = try logits.crossEntropy(targets: graph.input(labels, shape: [b], dtype: .int32))
        var gradients: [(Tensor, Tensor)] = []
        if training {
            // A frozen weight gets no gradient: clipping and the optimizer see only what trains.
            let parameters = graph.parameters.filter { info in
                info.trainable && !keepsValue(info.key, config, freezingEncoder: frozen)
            }.map { graph.tensor($0.node) }
            gradients = Array(zip(parameters, try graph.gradients(of: loss, withRespectTo: parameters)))
        }
        return Pass(graph: graph, loss: loss, logits: logits, gradients: gradients)
    }

    /// The head trains at `train.head_lr` when given; with `freeze_encoder`, nothing else trains, and
    /// ELMo's biLM never does.
    public func rateScale(of slot: ParameterSlot) -> Float {
        if Self.isHead(slot.key) { return training.headLR.map { Float($0 / training.optimizer.lr) } ?? 1 }
        return Self.keepsValue(slot.key, config, freezingEncoder: training.freezeEncoder) ? 0 : 1
    }

    /// Whether the weight under `key` does not train: with `freeze_encoder` all but the head, and
    /// always ELMo's biLM under its features.
    static func keepsValue(_ key: String, _ config: TextClassifier.Config, freezingEncoder: Bool) -> Bool {
        (freezingEncoder && !isHead(key)) || config.isFixed(key)
    }

    /// The classifier's own layer, which no pretrained model has.
    static func isHead(_ key: String) -> Bool { key.hasPrefix("head.") }

    /// What `runner check` and the log say of the model.
    public var summary: String {
        let pool = config.pool.rawValue
        return switch config.encoder {
        case .bilstm(let hidden, let layers):
            "classifier (biLSTM, \(layers) layer\(layers == 1 ? "" : "s") of \(hidden) per direction, embedding "
                + "\(config.embedding), \(pool) pooling, \(config.classes) classes)"
        case .cnn(let kernelSizes, let channels):
            "classifier (CNN, widths \(kernelSizes.map(String.init).joined(separator: ", ")) × \(channels) filters, embedding "
                + "\(config.embedding), max pooling, \(config.classes) classes)"
        case .transformer(let layers, let heads, let feedForwardSize, _, let norm, _, _):
            "classifier (transformer encoder, \(layers) layers, \(heads) heads, width \(config.embedding), ffn "
                + "\(feedForwardSize), \(norm.rawValue)-LN, \(pool) pooling, \(config.classes) classes)"
        case .bert(let bert):
            "classifier (BERT encoder, \(bert.layers) layers, \(bert.heads) heads, width \(bert.width), ffn "
                + "\(bert.feedForwardSize), \(pool) pooling\(config.pool == .cls ? " through the pooler" : ""), "
                + "\(config.classes) classes)"
        case .elmo(let biLM, let hidden, let layers):
            "classifier (biLSTM, \(layers) layer\(layers == 1 ? "" : "s") of \(hidden) per direction, over the mixed "
                + "\(biLM.layers + 1) layers of a fixed ELMo biLM (\(biLM.hidden) cells"
                + (biLM.projection.map { " projected to \($0)" } ?? "") + "), \(pool) pooling, \(config.classes) classes)"
        }
    }
}
