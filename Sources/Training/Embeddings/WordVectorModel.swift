import Embeddings
import Engine
import Graph
import Kernels
import Planner
import Spec

/// A word-vector model of a spec over a vocabulary: its tables (keys and shapes in one arena, as
/// every SeqLab model keeps its weights), how it learns, and the vectors users query. Training,
/// `runner similar`, `analogy`, `export` and `eval` all build it; only training needs the corpus.
struct WordVectorModel {
    let model: ModelSpec
    let vocabulary: EmbeddingVocabulary
    /// fastText's rows of each word; nil for word2vec and GloVe.
    let subwords: SubwordRows?
    /// word2vec's and fastText's output layer (GloVe has none of its own; its layout is unused).
    let outputLayer: OutputLayer

    static let inputKey = "embeddings.input"
    static let outputKey = "embeddings.output"
    static let wordsKey = "glove.words"
    static let contextsKey = "glove.contexts"
    /// GloVe's AdaGrad sums of squared gradients, buffers beside each table.
    static let wordSumsKey = "glove.words_adagrad"
    static let contextSumsKey = "glove.contexts_adagrad"

    init(_ model: ModelSpec, vocabulary: EmbeddingVocabulary) {
        (self.model, self.vocabulary) = (model, vocabulary)
        subwords = model.kind == .fasttext
            ? SubwordRows(words: vocabulary.words, minN: model.minN, maxN: model.maxN, buckets: model.buckets) : nil
        let kind: OutputLayer.Kind = model.kind == .word2vec && model.loss == .hierarchicalSoftmax
            ? .hierarchicalSoftmax(HuffmanTree(counts: vocabulary.counts))
            : .negativeSampling(NoiseDistribution(counts: vocabulary.counts, power: model.nsExponent), negatives: model.negatives)
        outputLayer = OutputLayer(kind, vocabularySize: vocabulary.count)
    }

    var dimensions: Int { model.dimensions }

    /// The tables, initialised as the reference implementations do: word2vec's and fastText's input
    /// rows U(±1/D) and output rows 0 (gensim's; word2vec.c draws U(±0.5/D)); GloVe's rows and biases
    /// U(±0.5/(D+1)) with AdaGrad sums of 1 (`glove.c`).
    func graph() throws -> Graph {
        let (graph, d, v) = (Graph(), dimensions, vocabulary.count)
        switch model.kind {
        case .glove:
            let bound = 0.5 / Float(d + 1)
            for key in [Self.wordsKey, Self.contextsKey] {
                _ = try graph.parameter(key, shape: [v, d + 1], initializer: .uniform(low: -bound, high: bound), decay: false)
            }
            for key in [Self.wordSumsKey, Self.contextSumsKey] {
                _ = try graph.buffer(key, shape: [v, d + 1], initializer: .ones)
            }
        default:
            let bound = 1 / Float(d)
            _ = try graph.parameter(Self.inputKey, shape: [subwords?.rows ?? v, d],
                                    initializer: .uniform(low: -bound, high: bound), decay: false)
            _ = try graph.parameter(Self.outputKey, shape: [outputLayer.rows, d], initializer: .zeros, decay: false)
        }
        return graph
    }

    /// A fresh arena of the tables from `seed`, without gradients: the tables learn in place. Tables
    /// too large for the machine are refused before anything is allocated.
    func arena(seed: Int) throws -> ParameterArena {
        let rows = model.kind == .fasttext ? vocabulary.count + model.buckets : vocabulary.count
        let table = model.kind == .fasttext ? TensorSize([rows, dimensions + 1], "model.buckets", "model.dimensions")
            : TensorSize([rows, dimensions + 1], "model.dimensions")
        try TensorSize.refuseOversized([table])
        // Two tables, and GloVe's AdaGrad sums beside them.
        try Engine.checkFits("word-vector tables", floats: (model.kind == .glove ? 4 : 2) * table.floats)
        return ParameterArena(graph: try graph(), seed: UInt64(truncatingIfNeeded: seed), gradients: false)
    }

    /// The vectors users query: word2vec's input rows; fastText's mean of a word's own row and its
    /// n-grams' (with `unknownWords`, also an unknown word's from its n-grams alone, which keeps a copy
    /// of the n-gram table); GloVe's word plus context vectors. Reads the tables in place.
    func vectors(_ arena: ParameterArena, unknownWords: Bool = false) throws -> WordVectors {
        let (d, v) = (dimensions, vocabulary.count)
        var vectors = [Float](repeating: 0, count: v * d)
        switch model.kind {
        case .glove:
            let (words, contexts) = (try arena.storage(Self.wordsKey), try arena.storage(Self.contextsKey))
            for word in 0..<v {
                for k in 0..<d { vectors[word * d + k] = words[word * (d + 1) + k] + contexts[word * (d + 1) + k] }
            }
            return WordVectors(words: vocabulary.words, dimensions: d, vectors: vectors)
        default:
            let input = try arena.storage(Self.inputKey)
            guard let subwords else {
                return WordVectors(words: vocabulary.words, dimensions: d, vectors: Array(UnsafeBufferPointer(start: input, count: v * d)))
            }
            vectors.withUnsafeMutableBufferPointer { out in
                for word in 0..<v { _ = Self.mean(subwords.rows(of: Int32(word)).lazy.map(Int.init), of: input, dimensions: d, into: out.baseAddress! + word * d) }
            }
            guard unknownWords else { return WordVectors(words: vocabulary.words, dimensions: d, vectors: vectors) }
            let table = Array(UnsafeBufferPointer(start: input, count: subwords.rows * d))
            return WordVectors(words: vocabulary.words, dimensions: d, vectors: vectors) { word in
                let rows = subwords.rows(ofUnknown: word, vocabularySize: v)
                var vector = [Float](repeating: 0, count: d)
                let found = table.withUnsafeBufferPointer { table in
                    vector.withUnsafeMutableBufferPointer { Self.mean(rows, of: table.baseAddress!, dimensions: d, into: $0.baseAddress!) }
                }
                return found ? vector : nil
            }
        }
    }

    /// The mean of `rows` of a (·, D) table into `out`; false when there are none.
    private static func mean(_ rows: some Collection<Int>, of table: UnsafePointer<Float>, dimensions d: Int,
                             into out: UnsafeMutablePointer<Float>) -> Bool {
        guard !rows.isEmpty else { return false }
        out.update(repeating: 0, count: d)
        for row in rows { rowAxpy(1, table + row * d, out, d) }
        for k in 0..<d { out[k] /= Float(rows.count) }
        return true
    }

    /// `word2vec skip-gram, negative sampling (5 noise words), 100 dimensions, window 5`.
    var summary: String {
        let window = "\(dimensions) dimensions, window \(model.window)"
        let sampling = "negative sampling (\(model.negatives) noise words)"
        switch model.kind {
        case .glove:
            return "glove, \(window), x_max \(model.xMax), weighting power \(model.weightingPower)"
        case .fasttext:
            return "fasttext \(model.architecture.rawValue), \(sampling), character \(model.minN)–\(model.maxN)-grams in "
                + "\(model.buckets) buckets, \(window)"
        default:
            let loss = model.loss == .hierarchicalSoftmax ? "hierarchical softmax" : sampling
            return "word2vec \(model.architecture.rawValue), \(loss), \(window)"
        }
    }
}
