import Data
import Engine
import Foundation
import Graph
import Models
import Planner
import Runs
import Spec
import Text

/// A masked_lm run's BERT at its checkpoint (the latest unless chosen), for `runner fill-mask` and
/// `runner embed`. Texts are framed `[CLS] … [SEP]` in segment 0, as Hugging Face's pipelines do.
public final class PretrainedBERT {
    let spec: ExperimentSpec
    let tokenizer: any Tokenizer
    let config: BERT.Config
    /// The width of each vector `embed` gives: the model's.
    public var vectorWidth: Int { config.width }
    let checkpoint: CheckpointStore.Latest
    public var warnings: [String] { checkpoint.warnings }

    /// Opens `run`, which must be a masked_lm run with a checkpoint.
    /// - Parameter command: names the command in the message for a run of another task.
    public init(_ run: RunDirectory, checkpoint choice: CheckpointChoice = .latest, command: String = "fill-mask") throws {
        let trained = try TrainedRun(run, checkpoint: choice, for: command, task: .maskedLM)
        (spec, tokenizer, checkpoint) = (trained.spec, trained.tokenizer, trained.checkpoint)
        // Evaluation weights as the run's checkpoint holds them: no dropout, no initialization to draw.
        var config = BERT.Config(spec.model, vocabularySize: tokenizer.vocabularySize, initialization: .pytorch)
        (config.dropout, config.attentionDropout) = (0, 0)
        self.config = config
    }

    /// For each `[MASK]` of `text`, in order, the `count` most probable tokens and their probabilities
    /// (the masked-LM head's softmax there), as the fill-mask pipeline.
    public func fill(_ text: String, count: Int) throws -> [[(token: String, probability: Double)]] {
        guard let mask = tokenizer.id(for: "[MASK]"), let cls = tokenizer.bosID, let sep = tokenizer.eosID else {
            throw TrainingError.unsupported("fill-mask with a tokenizer without [MASK], [CLS] and [SEP]")
        }
        let ids = [cls] + tokenizer.encode(text) + [sep]
        let positions = ids.indices.filter { ids[$0] == mask }
        guard !positions.isEmpty else { throw TrainingError.noMask(text) }
        guard ids.count <= config.maxPositions else {
            throw TrainingError.textTooLong(line: 1, tokens: ids.count, positions: config.maxPositions)
        }
        let graph = Graph(training: false)
        let model = try BERT(graph, config: config)
        let hidden = try model.encode(graph.input(MaskedLMPlan.tokens, shape: [1, ids.count], dtype: .int32),
                                      mask: graph.input(MaskedLMPlan.mask, shape: [1, ids.count]))
        let logits = try model.maskedLMLogits(hidden).reshaped(to: [ids.count, config.vocabularySize])      // (T, V)
        let program = try Engine.compile(graph, outputs: [logits], threads: spec.train.threadCount())
        try program.arena.load(checkpoint.checkpoint, path: checkpoint.url.path)
        try program.setInput(MaskedLMPlan.tokens, ids.map(Float.init))
        try program.setInput(MaskedLMPlan.mask, [Float](repeating: 1, count: ids.count))
        program.run()
        let rows = try program.readRows(logits, count: ids.count)
        return positions.map { position in
            let row = rows[position].map(Double.init)
            let top = row.max() ?? 0
            let total = row.reduce(0) { $0 + Foundation.exp($1 - top) }
            return row.indices.sorted { row[$0] > row[$1] }.prefix(count).map { id in
                (tokenizer.token(for: id) ?? "?", Foundation.exp(row[id] - top) / total)
            }
        }
    }

    /// One vector per line: layer `layer`'s hidden states (0 the embeddings, `layers` the last; nil the
    /// last) pooled at `[CLS]` or averaged over the line's positions (its `[CLS]` and `[SEP]` too, as
    /// the attention mask counts them), in the order of `lines`.
    public func embed(_ lines: [String], layer: Int?, pool: EmbeddingPool) throws -> [[Float]] {
        guard let cls = tokenizer.bosID, let sep = tokenizer.eosID else {
            throw TrainingError.unsupported("embed with a tokenizer without [CLS] and [SEP]")
        }
        let layer = layer ?? config.layers
        guard (0...config.layers).contains(layer) else { throw TrainingError.noLayer(layer, layers: config.layers) }
        let texts = try lines.enumerated().map { index, line in
            let ids = [cls] + tokenizer.encode(line) + [sep]
            guard ids.count <= config.maxPositions else {
                throw TrainingError.textTooLong(line: index + 1, tokens: ids.count, positions: config.maxPositions)
            }
            return ids
        }
        return try PooledEncoding.vectors(texts, padding: tokenizer.paddingID ?? 0, checkpoint: checkpoint,
                                          threads: spec.train.threadCount()) { graph, tokens, mask in
            let hidden = try BERT(graph, config: config).encodeLayers(tokens, mask: mask)[layer]         // (B, T, C)
            return pool == .cls ? try hidden.sliced(axis: 1, 0..<1).reshaped(to: [tokens.shape[0], config.width])
                : try TextClassifier.pooled(hidden, mask: mask, axis: 1, .mean)                          // (B, C)
        }
    }
}
