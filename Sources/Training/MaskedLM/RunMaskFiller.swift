import Data
import Engine
import Foundation
import Graph
import Models
import Planner
import Runs
import Spec
import Text

/// `runner fill-mask`: a masked_lm run's checkpoint (the latest unless chosen) guessing each `[MASK]`
/// of a text, as Hugging Face's fill-mask pipeline: the text framed `[CLS] … [SEP]` in segment 0,
/// the masked-LM head's softmax at each `[MASK]`, the most probable tokens first.
public final class RunMaskFiller {
    let spec: ExperimentSpec
    let tokenizer: any Tokenizer
    let config: BERT.Config
    let checkpoint: CheckpointStore.Latest
    public var warnings: [String] { checkpoint.warnings }

    /// Opens `run`, which must be a masked_lm run with a checkpoint.
    public init(_ run: RunDirectory, checkpoint choice: CheckpointChoice = .latest) throws {
        spec = try ExperimentSpec.load(path: run.specURL.path)
        guard spec.task == .maskedLM else {
            throw TrainingError.wrongTask(run: run.url.path, task: spec.task.rawValue, command: "fill-mask")
        }
        checkpoint = try run.checkpoint(choice)
        tokenizer = try TokenizerFile.load(from: run.tokenizerURL)
        // Evaluation weights as the run's checkpoint holds them: no dropout, no initialization to draw.
        var config = BERT.Config(spec.model, vocabularySize: tokenizer.vocabularySize, initialization: .pytorch)
        (config.dropout, config.attentionDropout) = (0, 0)
        self.config = config
    }

    /// For each `[MASK]` of `text`, in order, the `count` most probable tokens and their probabilities.
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
}
