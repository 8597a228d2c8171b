/// The binary tree of hierarchical softmax (Morin & Bengio 2005; word2vec's `CreateBinaryTree`):
/// built over word counts so that frequent words get short codes. A word's probability is the product
/// of the sigmoids along its path; inner node n has output row n of a (V − 1)-row table.
public struct HuffmanTree: Sendable, Equatable {
    /// Per word, the branch taken at each inner node from the root down: 0 or 1.
    public let codes: [[UInt8]]
    /// Per word, the inner nodes (output rows) on its path, from the root down.
    public let points: [[Int32]]

    /// The tree over `counts` (V ≥ 2 words, by falling count), merged as word2vec.c's two-pointer scan
    /// merges: of a leaf and an inner node of equal weight, the inner node is taken first.
    public init(counts: [Int]) {
        let size = counts.count
        precondition(size >= 2, "a Huffman tree needs two words")
        // Nodes 0..<V are the leaves (the words, by falling count); V..<2V−1 the inner nodes in order of
        // creation. word2vec.c scans the leaves from the rarest up and the inner nodes from the first made.
        var weight = counts + Array(repeating: Int.max, count: size - 1)
        var parent = Array(repeating: 0, count: 2 * size - 1)
        var branch = Array(repeating: UInt8(0), count: 2 * size - 1)
        var (leaf, inner) = (size - 1, size)
        func smallest() -> Int {
            if leaf >= 0, weight[leaf] < weight[inner] {
                defer { leaf -= 1 }
                return leaf
            }
            defer { inner += 1 }
            return inner
        }
        for made in 0..<(size - 1) {
            let (first, second) = (smallest(), smallest())
            weight[size + made] = weight[first] + weight[second]
            parent[first] = size + made
            parent[second] = size + made
            branch[second] = 1
        }
        let root = 2 * size - 2
        var codes: [[UInt8]] = [], points: [[Int32]] = []
        for word in 0..<size {
            var code: [UInt8] = [], point: [Int32] = []
            var node = word
            while node != root {
                code.append(branch[node])
                node = parent[node]
                point.append(Int32(node - size))
            }
            codes.append(code.reversed())
            points.append(point.reversed())
        }
        self.codes = codes
        self.points = points
    }
}
