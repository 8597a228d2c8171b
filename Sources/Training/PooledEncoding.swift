import Data
import Engine
import Graph
import Planner
import Runs

/// How `runner embed` turns a line's states into one vector: the state at BERT's `[CLS]`, or the mean
/// over the line's positions.
public enum EmbeddingPool: String, Sendable {
    case cls, mean
}

/// `runner embed`'s loop over lines, whichever model encodes them.
enum PooledEncoding {
    static let tokens = "tokens"
    static let mask = "mask"

    /// One vector per text, in the order of `texts` (token ids, each within the model's limits):
    /// the texts go in length buckets of up to 32, and `pooled` builds a bucket's graph from its
    /// inputs, tokens (B, T) ids and mask (B, T) of 1 (real) and 0 (padding), to the vectors (B, C).
    /// Every bucket's program runs over one arena that holds `checkpoint`'s weights, read once.
    static func vectors(_ texts: [[Int]], padding: Int, checkpoint: CheckpointStore.Latest, threads: Int,
                        pooled: (Graph, _ tokens: Tensor, _ mask: Tensor) throws -> Tensor) throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let buckets = try ClassificationBuckets(texts.map { LabelledText(tokens: $0, label: 0) }, count: 4, batchSize: 32,
                                                batchTokens: nil, padding: padding)
        var arena: ParameterArena?
        let programs = try buckets.buckets.map { bucket -> (Program, Tensor) in
            let graph = Graph(training: false)
            let (b, t) = (bucket.batchSize, bucket.length)
            let vectors = try pooled(graph, graph.input(tokens, shape: [b, t], dtype: .int32), graph.input(mask, shape: [b, t]))
            let program = try Engine.compile(graph, outputs: [vectors], arena: arena, threads: threads)
            if arena == nil {
                try program.arena.load(checkpoint.checkpoint, path: checkpoint.url.path)
                arena = program.arena
            }
            return (program, vectors)
        }
        return try buckets.inExampleOrder { batch in
            let (program, vectors) = programs[batch.bucket]
            try program.setInput(tokens, batch.tokens.map(Float.init))
            try program.setInput(mask, batch.mask)
            program.run()
            return try program.readRows(vectors, count: batch.examples)
        }
    }
}
