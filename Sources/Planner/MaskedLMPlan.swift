import Autodiff
import Core
import Graph
import Models
import Spec

/// The graphs of BERT's pretraining: a training graph (forward, the summed masked-LM and next-sentence
/// losses, backward) and an evaluation graph over batches of `train.batch_size` pairs of `train.seq_len`
/// positions, over one set of parameters.
///
/// Batch inputs (batch-major): `tokens`, `segments` (B, T) ids, `mask` (B, T), `positions` (K) the
/// selected positions as indices into the B·T, `labels` (K) their ids with unused slots ignored,
/// `next_sentence` (B) with filler rows ignored; K is the batch's capacity of selected positions
/// (`PairRecipe.capacity`), so the masked-LM head runs on K rows, not B·T. Outputs: the summed loss,
/// each loss alone, and the argmax of each head (for accuracies).
public struct MaskedLMPlan: TrainingPlan {
    public struct Pass {
        public let graph: Graph
        /// masked-LM loss + next-sentence loss.
        public let loss: Tensor
        public let maskedLMLoss: Tensor
        public let nextSentenceLoss: Tensor
        /// (K) and (B) ids.
        public let maskedLMPredictions: Tensor
        public let nextSentencePredictions: Tensor
        public let gradients: [(parameter: Tensor, gradient: Tensor)]

        /// The parameters and work of one step.
        public var summary: PlanSummary { PlanSummary(graph: graph, roots: [loss] + gradients.map(\.gradient)) }
    }

    public static let tokens = "tokens"
    public static let segments = "segments"
    public static let mask = "mask"
    public static let positions = "positions"
    public static let labels = "labels"
    public static let nextSentence = "next_sentence"

    public let config: BERT.Config
    public let batchSize: Int
    public let length: Int
    /// K, the selected positions a batch has room for.
    public let capacity: Int
    public let train: Pass
    public let eval: Pass
    public let training: TrainSpec
    public var modelWidth: Int { config.width }
    public var fitsByCounting: Bool { false }

    /// - Parameter capacity: K, the selected positions of a batch (`PairRecipe.capacity`).
    public init(_ spec: ExperimentSpec, vocabularySize: Int, capacity: Int) throws {
        let model = spec.model
        guard model.kind == .bert else {
            throw PlanError.unsupported("model kind '\(model.kind.rawValue)' for masked_lm (use bert)", keys: ["model.kind"])
        }
        if let metric = spec.eval.metrics.first(where: { ![.loss, .perplexity, .accuracy].contains($0) }) {
            throw PlanError.unsupported("eval metric '\(metric.rawValue)' for masked_lm (it reports the masked-LM and "
                + "next-sentence losses and accuracies whatever eval.metrics lists)", keys: ["eval.metrics"])
        }
        let length = spec.train.seqLen
        guard length >= 5 else {
            throw PlanError.invalid("train.seq_len \(length) leaves no room for a pair: [CLS] A [SEP] B [SEP]",
                                    keys: ["train.seq_len"])
        }
        guard length <= model.maxPositions else {
            throw PlanError.invalid("train.seq_len (\(length)) is more than model.max_positions (\(model.maxPositions)); "
                + "raise max_positions or lower seq_len", keys: ["train.seq_len", "model.max_positions"])
        }
        let config = BERT.Config(model, vocabularySize: vocabularySize, initialization: WeightInitialization(model, standard: .bert))
        let batchSize = spec.train.batchSize
        try TensorSize.refuseOversized([
            TensorSize([capacity, vocabularySize], "train.batch_size", "train.seq_len"),
            TensorSize([batchSize, config.heads, length, length], "train.batch_size", "train.seq_len"),
        ])
        (self.config, self.batchSize, self.length, self.capacity, training) = (config, batchSize, length, capacity, spec.train)
        train = try Self.pass(config, batchSize: batchSize, length: length, capacity: capacity, training: true)
        eval = try Self.pass(config, batchSize: batchSize, length: length, capacity: capacity, training: false)
    }

    private static func pass(_ config: BERT.Config, batchSize b: Int, length t: Int, capacity k: Int, training: Bool) throws
        -> Pass {
        let graph = Graph(training: training)
        let model = try BERT(graph, config: config)
        let hidden = try model.encode(graph.input(tokens, shape: [b, t], dtype: .int32),
                                      segments: graph.input(segments, shape: [b, t], dtype: .int32),
                                      mask: graph.input(mask, shape: [b, t]))
        let mlm = try model.maskedLMLogits(hidden, at: graph.input(positions, shape: [k], dtype: .int32))        // (K, V)
        let nsp = try model.nextSentenceLogits(hidden)
        let mlmLoss = try mlm.crossEntropy(targets: graph.input(labels, shape: [k], dtype: .int32))
        let nspLoss = try nsp.crossEntropy(targets: graph.input(nextSentence, shape: [b], dtype: .int32))
        let loss = try mlmLoss + nspLoss
        var gradients: [(Tensor, Tensor)] = []
        if training {
            let parameters = graph.parameters.filter(\.trainable).map { graph.tensor($0.node) }
            gradients = Array(zip(parameters, try graph.gradients(of: loss, withRespectTo: parameters)))
        }
        return Pass(graph: graph, loss: loss, maskedLMLoss: mlmLoss, nextSentenceLoss: nspLoss,
                    maskedLMPredictions: try mlm.argmax(), nextSentencePredictions: try nsp.argmax(), gradients: gradients)
    }

    /// What `runner check` and the log say of the model.
    public var summary: String {
        "bert (\(config.layers) layers, \(config.heads) heads, width \(config.width), ffn \(config.feedForwardSize), "
            + "\(config.maxPositions) positions; masked LM + next sentence over pairs of \(length) positions)"
    }
}
