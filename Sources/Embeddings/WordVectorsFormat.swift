import Foundation

/// word2vec's vector files, as `word2vec -binary 0|1` writes them and gensim's
/// `KeyedVectors.load_word2vec_format` reads them: a `V D` header line, then per word the word, a
/// space and its D values — as text (`%f`-like, space-separated) or as D little-endian float32s.
public enum WordVectorsFormat {
    public static func data(_ vectors: WordVectors, binary: Bool) -> Data {
        var data = Data("\(vectors.words.count) \(vectors.dimensions)\n".utf8)
        let d = vectors.dimensions
        for (id, word) in vectors.words.enumerated() {
            let row = vectors.vectors[id * d..<(id + 1) * d]
            if binary {
                data.append(contentsOf: Array((word + " ").utf8))
                row.withUnsafeBytes { data.append(contentsOf: $0) }
                data.append(UInt8(ascii: "\n"))
            } else {
                data.append(contentsOf: Array((word + " " + row.map { String(format: "%.6f", $0) }.joined(separator: " ") + "\n").utf8))
            }
        }
        return data
    }
}
