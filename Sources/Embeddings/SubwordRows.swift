/// fastText's sub-words (Bojanowski et al. 2017): a word is `<word>` and its character n-grams of
/// `minN` … `maxN` characters, each hashed with fastText's FNV-1a into one of `buckets` rows after the
/// vocabulary's own. A word's input vector is the mean of its own row and its n-grams' rows; a word
/// outside the vocabulary still has n-grams, so still a vector.
public struct SubwordRows: Sendable, Equatable {
    public let minN: Int
    public let maxN: Int
    public let buckets: Int
    /// Rows of the input table: the vocabulary's, then the buckets.
    public let rows: Int
    private let start: [Int32]
    private let flat: [Int32]

    /// The rows of every word of `words` (in vocabulary order): its own, then its n-grams'.
    public init(words: [String], minN: Int, maxN: Int, buckets: Int) {
        (self.minN, self.maxN, self.buckets, rows) = (minN, maxN, buckets, words.count + buckets)
        var start: [Int32] = [0], flat: [Int32] = []
        for (id, word) in words.enumerated() {
            flat.append(Int32(id))
            flat += Self.ngrams(of: word, minN: minN, maxN: maxN).map { Int32(words.count + Int(Self.hash($0) % UInt32(buckets))) }
            start.append(Int32(flat.count))
        }
        (self.start, self.flat) = (start, flat)
    }

    /// The rows of vocabulary word `word`.
    public func rows(of word: Int32) -> ArraySlice<Int32> { flat[Int(start[Int(word)])..<Int(start[Int(word) + 1])] }

    @inline(__always)
    func append(_ word: Int32, to rows: inout [Int32]) { rows += self.rows(of: word) }

    /// The n-gram rows of a word outside the vocabulary (empty when `minN` exceeds its length + 2).
    public func rows(ofUnknown word: String, vocabularySize: Int) -> [Int] {
        Self.ngrams(of: word, minN: minN, maxN: maxN).map { vocabularySize + Int(Self.hash($0) % UInt32(buckets)) }
    }

    /// fastText's `computeSubwords`: the n-grams of `<word>` by Unicode scalar (UTF-8 sequences kept
    /// whole), shortest first from each start; a 1-gram of `<` or `>` alone is not one.
    public static func ngrams(of word: String, minN: Int, maxN: Int) -> [[UInt8]] {
        let scalars = Array(("<" + word + ">").unicodeScalars)
        var result: [[UInt8]] = []
        for i in scalars.indices {
            var ngram: [UInt8] = []
            for n in stride(from: 1, through: min(maxN, scalars.count - i), by: 1) {
                ngram += Array(String(scalars[i + n - 1]).utf8)
                if n >= minN, !(n == 1 && (i == 0 || i + n == scalars.count)) { result.append(ngram) }
            }
        }
        return result
    }

    /// fastText's FNV-1a over bytes, each byte sign-extended first as fastText's `int8_t` cast does
    /// (so bytes ≥ 0x80 differ from the textbook hash; gensim keeps the same quirk).
    public static func hash(_ bytes: [UInt8]) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for byte in bytes {
            h ^= UInt32(bitPattern: Int32(Int8(bitPattern: byte)))
            h = h &* 16_777_619
        }
        return h
    }
}
