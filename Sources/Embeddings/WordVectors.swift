import Foundation
import Kernels

/// Trained word vectors as users query them (gensim's `KeyedVectors`): a vector per vocabulary word,
/// most frequent first, with cosine neighbours and 3CosAdd analogies over the unit-length vectors.
public struct WordVectors: Sendable {
    public let words: [String]
    public let dimensions: Int
    /// (V, D), row per word.
    public let vectors: [Float]
    /// The rows scaled to unit length (a zero row stays zero).
    public let unit: [Float]
    private let index: [String: Int]
    /// The vector of a word outside the vocabulary (fastText's from its n-grams); nil when there is none.
    private let unknown: (@Sendable (String) -> [Float]?)?

    public init(words: [String], dimensions: Int, vectors: [Float], unknown: (@Sendable (String) -> [Float]?)? = nil) {
        precondition(vectors.count == words.count * dimensions, "a vector per word")
        (self.words, self.dimensions, self.vectors, self.unknown) = (words, dimensions, vectors, unknown)
        index = Dictionary(words.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        unit = Self.normalized(vectors, dimensions: dimensions)
    }

    static func normalized(_ vectors: [Float], dimensions d: Int) -> [Float] {
        var unit = vectors
        unit.withUnsafeMutableBufferPointer { rows in
            for start in stride(from: 0, to: rows.count, by: d) {
                let row = rows.baseAddress! + start
                let norm = rowDot(row, row, d).squareRoot()
                if norm > 0 { for k in 0..<d { row[k] /= norm } }
            }
        }
        return unit
    }

    public func id(of word: String) -> Int? { index[word] }

    /// The unit vector of a word: its row, or fastText's n-gram vector for a word outside the vocabulary.
    public func unitVector(_ word: String) throws(EmbeddingsError) -> [Float] {
        if let id = index[word] { return Array(unit[id * dimensions..<(id + 1) * dimensions]) }
        guard let vector = unknown?(word) else { throw .unknownWord(word, vocabularySize: words.count) }
        return Self.normalized(vector, dimensions: dimensions)
    }

    /// cos(a, b).
    public func similarity(_ a: String, _ b: String) throws(EmbeddingsError) -> Float {
        let (x, y) = (try unitVector(a), try unitVector(b))
        return x.withUnsafeBufferPointer { x in y.withUnsafeBufferPointer { y in rowDot(x.baseAddress!, y.baseAddress!, dimensions) } }
    }

    /// The `count` words nearest `query` by cosine among the first `restrict` words (all by default),
    /// leaving out `excluded` ids; best first.
    public func nearest(_ query: [Float], count: Int, excluding excluded: Set<Int> = [], restrict: Int? = nil)
        -> [(word: String, similarity: Float)] {
        let limit = min(restrict ?? words.count, words.count)
        var best: [(id: Int, similarity: Float)] = []
        unit.withUnsafeBufferPointer { rows in
            query.withUnsafeBufferPointer { query in
                for id in 0..<limit where !excluded.contains(id) {
                    let similarity = rowDot(rows.baseAddress! + id * dimensions, query.baseAddress!, dimensions)
                    guard best.count < count || similarity > best[best.count - 1].similarity else { continue }
                    // Insertion into a short sorted list; ties keep the more frequent word first.
                    let at = best.firstIndex { similarity > $0.similarity } ?? best.count
                    best.insert((id, similarity), at: at)
                    if best.count > count { best.removeLast() }
                }
            }
        }
        return best.map { (words[$0.id], $0.similarity) }
    }

    /// gensim's `most_similar(word)`: the nearest words to `word`, itself left out.
    public func similar(to word: String, count: Int = 10) throws(EmbeddingsError) -> [(word: String, similarity: Float)] {
        nearest(try unitVector(word), count: count, excluding: Set(index[word].map { [$0] } ?? []))
    }

    /// The best 3CosAdd answer to each question (a, b, c of vocabulary ids) among the first `restrict`
    /// words, the question's words left out: what `analogy(…, count: 1)` gives, for many questions at
    /// once as one matrix product per block of them (the scores of a whole analogy set in one GEMM
    /// pass instead of a dot product per question and word). A word counts as a question word when its
    /// entry of `sameWord` (by default itself) is a, b or c: the analogy test's case-insensitive
    /// spellings. nil where no word is left to answer.
    public func answers(_ questions: [(a: Int, b: Int, c: Int)], restrict: Int, sameWord: [Int]? = nil) -> [Int?] {
        let (d, limit, block) = (dimensions, min(restrict, words.count), 128)
        var answers: [Int?] = []
        var queries = [Float](repeating: 0, count: block * d), scores = [Float](repeating: 0, count: block * limit)
        for start in stride(from: 0, to: questions.count, by: block) {
            let chunk = questions[start..<min(start + block, questions.count)]
            for (row, question) in chunk.enumerated() {
                // b − a + c over unit vectors; its length does not change which word scores best.
                for k in 0..<d {
                    queries[row * d + k] = unit[question.b * d + k] + unit[question.c * d + k] - unit[question.a * d + k]
                }
            }
            unit.withUnsafeBufferPointer { unit in
                queries.withUnsafeBufferPointer { queries in
                    scores.withUnsafeMutableBufferPointer { scores in
                        sgemm(transA: false, transB: true, m: chunk.count, n: limit, k: d, alpha: 1, a: queries.baseAddress!,
                              lda: d, b: unit.baseAddress!, ldb: d, beta: 0, c: scores.baseAddress!, ldc: limit)
                    }
                }
            }
            for (row, question) in chunk.enumerated() {
                var best: (id: Int, score: Float)?
                for id in 0..<limit {
                    let word = sameWord?[id] ?? id
                    if word == question.a || word == question.b || word == question.c { continue }
                    let score = scores[row * limit + id]
                    if score > best?.score ?? -.infinity { best = (id, score) }
                }
                answers.append(best?.id)
            }
        }
        return answers
    }

    /// 3CosAdd (Mikolov et al. 2013): the words nearest b − a + c over unit vectors ("a is to b as c
    /// is to ?"), the three question words left out, as gensim's `most_similar(positive=[b, c], negative=[a])`.
    public func analogy(_ a: String, _ b: String, _ c: String, count: Int = 10, restrict: Int? = nil) throws(EmbeddingsError)
        -> [(word: String, similarity: Float)] {
        let (x, y, z) = (try unitVector(a), try unitVector(b), try unitVector(c))
        let query = Self.normalized((0..<dimensions).map { (y[$0] + z[$0] - x[$0]) / 3 }, dimensions: dimensions)
        return nearest(query, count: count, excluding: Set([a, b, c].compactMap { index[$0] }), restrict: restrict)
    }
}
