import Core

/// A corpus as BERT's pretraining reads it: documents of sentences, each sentence as ids.
///
/// A line `= Title =` (one `=` each side: WikiText's article headings) starts a document; neither it
/// nor a section's `= = Heading = =` is a sentence. A corpus without titles has a document per run of
/// non-blank lines. Within a line, sentences end at ` . ` (WikiText's
/// tokenised full stop, kept with its sentence); a line's end ends a sentence too.
public struct Documents: Sendable {
    /// documents[d][s]: the ids of sentence s of document d; every document has a sentence.
    public let documents: [[[Int]]]

    public init(text: String, encode: (String) -> [Int]) {
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
            .map { String(String.UnicodeScalarView($0)).trimmingWhitespace }
        let headed = lines.contains(where: Self.isTitle)
        var documents: [[[Int]]] = []
        var current: [[Int]] = []
        func close() {
            if !current.isEmpty { documents.append(current) }
            current = []
        }
        for line in lines {
            if headed ? Self.isTitle(line) : line.isEmpty { close() }
            if line.isEmpty || Self.isHeading(line) { continue }
            for sentence in Self.sentences(of: line) {
                let ids = encode(sentence)
                if !ids.isEmpty { current.append(ids) }
            }
        }
        close()
        self.documents = documents
    }

    public var sentenceCount: Int { documents.reduce(0) { $0 + $1.count } }

    /// `= Title =`, not `= = Section = =`.
    static func isTitle(_ line: String) -> Bool {
        isHeading(line) && !line.hasPrefix("= =")
    }

    /// A title or a section's heading: no sentence.
    static func isHeading(_ line: String) -> Bool {
        line.hasPrefix("= ") && line.hasSuffix(" =") && line.count > 4
    }

    /// The sentences of a line, cut after each ` . `.
    static func sentences(of line: String) -> [String] {
        var sentences: [String] = []
        var rest = Substring(line)
        while let stop = rest.range(of: " . ") {
            sentences.append(String(rest[..<stop.lowerBound]) + " .")
            rest = rest[stop.upperBound...]
        }
        if !rest.isEmpty { sentences.append(String(rest)) }
        return sentences
    }
}

/// One pretraining example: `[CLS] A [SEP] B [SEP]`, each word position selected for the masked LM with
/// probability 0.15 (Hugging Face's `DataCollatorForLanguageModeling`), and whether B is A's next sentence.
public struct MaskedPair: Hashable, Sendable {
    /// The input ids: the selected positions replaced (80 % `[MASK]`, 10 % a random token, 10 % kept).
    public let tokens: [Int]
    /// 0 for `[CLS]`, A and its `[SEP]`; 1 for B and its `[SEP]`.
    public let segments: [Int]
    /// The original id at each selected position, `ignored` elsewhere.
    public let labels: [Int]
    /// 0 when B follows A in its document, 1 when B is a random sentence (Hugging Face's labels).
    public let nextSentenceLabel: Int

    public static let ignored = -100
}

/// How pairs are drawn and masked: BERT's recipe over a tokenizer's special ids.
public struct PairRecipe: Sendable {
    public let length: Int
    public let cls: Int
    public let sep: Int
    public let mask: Int
    /// Ids never selected and never drawn as the random replacement.
    public let specials: Set<Int>
    public let vocabularySize: Int
    /// The probability that a word position is selected for prediction.
    public var selected: Float = 0.15

    public init(length: Int, cls: Int, sep: Int, mask: Int, specials: Set<Int>, vocabularySize: Int) {
        (self.length, self.cls, self.sep, self.mask, self.specials, self.vocabularySize) = (length, cls, sep, mask, specials, vocabularySize)
    }

    /// The selected positions a batch of `batchSize` pairs has room for: the expected number when
    /// every pair fills `length`, plus four standard deviations of it (a binomial); a batch that
    /// selects more (a chance below 1 in 30,000) leaves the rest unpredicted.
    public func capacity(batchSize: Int) -> Int {
        let (words, p) = (Double(batchSize * max(0, length - 3)), Double(selected))
        return max(1, Int((words * p + 4 * (words * p * (1 - p)).squareRoot()).rounded(.up)))
    }

    /// One epoch of pairs: every sentence with a next one in its document is an A, in shuffled order;
    /// its B is that next sentence or, half the time, a random sentence of another document. The
    /// longer of A and B loses its last token until the pair fits `length` with its three specials.
    public func pairs(_ corpus: Documents, using generator: inout SeededGenerator) -> [MaskedPair] {
        let documents = corpus.documents
        var starts: [(document: Int, sentence: Int)] = []
        for (d, document) in documents.enumerated() where document.count > 1 {
            for s in 0..<(document.count - 1) { starts.append((d, s)) }
        }
        return starts.shuffled(with: &generator).map { start in
            let a = documents[start.document][start.sentence]
            let random = generator.next() % 2 == 1
            var b = documents[start.document][start.sentence + 1]
            if random {
                // Another document when there is one; the corpus's only one otherwise.
                var other = Int(generator.next() % UInt64(documents.count))
                if documents.count > 1, other == start.document { other = (other + 1) % documents.count }
                let sentences = documents[other]
                b = sentences[Int(generator.next() % UInt64(sentences.count))]
            }
            return masked(a, b, random: random, using: &generator)
        }
    }

    /// `[CLS] a [SEP] b [SEP]`, cut to fit and masked.
    func masked(_ a: [Int], _ b: [Int], random: Bool, using generator: inout SeededGenerator) -> MaskedPair {
        var (a, b) = (a, b)
        while a.count + b.count > max(0, length - 3), !(a.isEmpty && b.isEmpty) {
            if a.count >= b.count { a.removeLast() } else { b.removeLast() }
        }
        var tokens = [cls] + a + [sep] + b + [sep]
        let segments = [Int](repeating: 0, count: a.count + 2) + [Int](repeating: 1, count: b.count + 1)
        var labels = [Int](repeating: MaskedPair.ignored, count: tokens.count)
        for position in tokens.indices where !specials.contains(tokens[position]) && generator.nextFloat() < selected {
            labels[position] = tokens[position]
            let draw = generator.nextFloat()
            if draw < 0.8 {
                tokens[position] = mask
            } else if draw < 0.9 {
                tokens[position] = randomWord(using: &generator)
            }
        }
        return MaskedPair(tokens: tokens, segments: segments, labels: labels, nextSentenceLabel: random ? 1 : 0)
    }

    /// A token drawn uniformly from the vocabulary's non-special ids.
    private func randomWord(using generator: inout SeededGenerator) -> Int {
        while true {
            let id = Int(generator.next() % UInt64(vocabularySize))
            if !specials.contains(id) { return id }
        }
    }
}

/// A batch of B pairs padded to the recipe's length, batch-major: tokens, segments and mask (1 real,
/// 0 padding) (B, T), next-sentence labels (B), and the selected positions as K indices into the B·T
/// positions with their labels (K = the recipe's capacity; unused slots point at position 0 and are
/// ignored). Filler rows (completing the last batch) are `[CLS] [SEP]` with every label ignored.
public struct MaskedPairBatch: Sendable {
    public let tokens: [Int]
    public let segments: [Int]
    public let mask: [Float]
    public let nextSentenceLabels: [Int]
    /// (K) indices into the B·T positions, and the original ids there.
    public let positions: [Int]
    public let labels: [Int]
    /// Rows that hold a pair.
    public let pairs: Int
    /// Positions the masked LM predicts (at most K).
    public let selected: Int

    public init(_ pairs: ArraySlice<MaskedPair>, batchSize: Int, padding: Int, recipe: PairRecipe) {
        let (length, capacity) = (recipe.length, recipe.capacity(batchSize: batchSize))
        var tokens = [Int](repeating: padding, count: batchSize * length)
        var segments = [Int](repeating: 0, count: batchSize * length)
        var mask = [Float](repeating: 0, count: batchSize * length)
        var next = [Int](repeating: MaskedPair.ignored, count: batchSize)
        var (positions, labels) = ([Int](), [Int]())
        let filler = MaskedPair(tokens: [recipe.cls, recipe.sep], segments: [0, 0], labels: [MaskedPair.ignored, MaskedPair.ignored],
                                nextSentenceLabel: MaskedPair.ignored)
        for row in 0..<batchSize {
            let pair = row < pairs.count ? pairs[pairs.startIndex + row] : filler
            for (t, id) in pair.tokens.enumerated() {
                let i = row * length + t
                (tokens[i], segments[i], mask[i]) = (id, pair.segments[t], 1)
                if pair.labels[t] != MaskedPair.ignored, positions.count < capacity {
                    positions.append(i)
                    labels.append(pair.labels[t])
                }
            }
            next[row] = pair.nextSentenceLabel
        }
        selected = positions.count
        positions += [Int](repeating: 0, count: capacity - positions.count)
        labels += [Int](repeating: MaskedPair.ignored, count: capacity - labels.count)
        (self.tokens, self.segments, self.mask, nextSentenceLabels) = (tokens, segments, mask, next)
        (self.positions, self.labels, self.pairs) = (positions, labels, pairs.count)
    }
}
