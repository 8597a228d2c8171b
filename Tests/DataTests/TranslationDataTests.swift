import Core
@testable import Data
import Foundation
import XCTest

/// Parallel corpora (the real Multi30k through the registry, and files that disagree) and length
/// buckets: shapes, framing, masks, every pair once an epoch, sizes in tokens, the seed.
final class TranslationDataTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("parallel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func file(_ name: String, _ lines: [String]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private var locator: DataLocator { .forCurrentProcess(dataDirectory: nil) }

    func testMulti30kFromTheRegistry() throws {
        let corpus = try ParallelCorpus(dataset: "multi30k", source: "de", target: "en", locator: locator)
        XCTAssertEqual([corpus.train.count, corpus.valid.count, corpus.test.count], [29_000, 1_014, 1_000])
        XCTAssertEqual(corpus.dropped, 0)
        XCTAssertEqual(corpus.test.target.first, "a man in an orange hat starring at something .")
        XCTAssertThrowsError(try ParallelCorpus(dataset: "multi30k", source: "fr", target: "en", locator: locator)) {
            XCTAssertEqual(($0 as? DataError)?.exitCode, 64)
            XCTAssertTrue("\($0)".contains("has no language 'fr' (it has: de, en)"), "\($0)")
        }
    }

    /// The raw files are gzip: read decompressed (each member's CRC-32 checked), the same pairs as the
    /// tokenised files, as written.
    func testRawMulti30kFromTheRegistry() throws {
        let corpus = try ParallelCorpus(dataset: "multi30k_raw", source: "de", target: "en", locator: locator)
        XCTAssertEqual([corpus.train.count, corpus.valid.count, corpus.test.count], [29_000, 1_014, 1_000])
        XCTAssertEqual(corpus.test.target.first, "A man in an orange hat starring at something.")
        XCTAssertEqual(corpus.test.source.first, "Ein Mann mit einem orangefarbenen Hut, der etwas anstarrt.")
    }

    func testFilesThatDisagreeAreRefusedAndEmptyPairsDropped() throws {
        let source = try file("a.de", ["ein hund", "", "eine katze", "  "])
        let target = try file("a.en", ["a dog", "a bird", "a cat", "x"])
        let corpus = try ParallelCorpus(train: .init(source: source, target: target), valid: nil, test: nil, locator: locator)
        XCTAssertEqual(corpus.train.source, ["ein hund", "eine katze"])
        XCTAssertEqual(corpus.train.target, ["a dog", "a cat"])
        XCTAssertEqual(corpus.train.dropped, 2)
        XCTAssertEqual(corpus.valid.count, 0)
        let short = try file("b.en", ["a dog"])
        XCTAssertThrowsError(try ParallelCorpus(train: .init(source: source, target: short), valid: nil, test: nil,
                                                locator: locator)) {
            XCTAssertEqual($0 as? DataError, .lineCountMismatch(first: source, firstLines: 4, second: short, secondLines: 1))
            XCTAssertEqual(($0 as? DataError)?.exitCode, 64)
        }
    }

    /// A file saved with CRLF, or with lone CRs, pairs line for line with one saved with LF, no `\r`
    /// left on a sentence (a byte-level BPE would learn it, and BLEU count it).
    func testEveryLineEndPairsTheSameSentences() throws {
        let target = try file("c.en", ["a dog", "a cat", "a bird"])
        for (name, text) in [("crlf.de", "ein hund\r\neine katze\r\nein vogel\r\n"), ("cr.de", "ein hund\reine katze\rein vogel"),
                             ("mixed.de", "ein hund\r\neine katze\rein vogel\n")] {
            let source = directory.appendingPathComponent(name)
            try text.write(to: source, atomically: true, encoding: .utf8)
            let corpus = try ParallelCorpus(train: .init(source: source.path, target: target), valid: nil, test: nil,
                                            locator: locator)
            XCTAssertEqual(corpus.train.source, ["ein hund", "eine katze", "ein vogel"], name)
        }
        XCTAssertEqual(DataLocator.lines(of: "a\r\n\r\nb\rc\n"), ["a", "", "b", "c"], "a blank line kept, no line after the last end")
        XCTAssertEqual(DataLocator.lines(of: "é\r\r\nü"), ["é", "", "ü"])
        XCTAssertEqual(DataLocator.lineFeedLines(of: "a\r\nb\rc\n\n"), ["a\r", "b\rc", ""], "as sacreBLEU reads a file")
    }

    private let tokens = TranslationTokens(padding: 1, bos: 2, eos: 3)

    /// A batch by hand: the source framed with <eos> and masked, the decoder's input behind <bos>,
    /// its targets ending in <eos>, padding ignored, a filler row of <eos> alone.
    func testABatchByHand() {
        let batch = TranslationBatch([TranslationPair(source: [10, 11], target: [20]), TranslationPair(source: [12], target: [21, 22])],
                                     bucket: 0, batchSize: 3, sourceLength: 3, targetLength: 3, tokens: tokens)
        XCTAssertEqual(batch.source, [10, 11, 3, 12, 3, 1, 3, 1, 1])
        XCTAssertEqual(batch.sourceMask, [1, 1, 1, 1, 1, 0, 1, 0, 0])
        XCTAssertEqual(batch.decoderInputs, [2, 20, 1, 2, 21, 22, 1, 1, 1])
        XCTAssertEqual(batch.targets, [20, 3, -100, 21, 22, 3, -100, -100, -100])
        XCTAssertEqual([batch.pairs, batch.predictions], [2, 5])
    }

    /// A batch that reads its padding marks every pair's row up to its longest source (the sentence,
    /// `<eos>` and the `<pad>`s a shorter one has there), not the shape's extra positions; a filler row
    /// stays `<eos>` alone.
    func testABatchThatReadsItsPaddingMarksRowsUpToItsLongestSource() {
        let pairs = [TranslationPair(source: [10, 11], target: [20]), TranslationPair(source: [12], target: [21, 22])]
        let batch = TranslationBatch(pairs, bucket: 0, batchSize: 3, sourceLength: 4, targetLength: 3, tokens: tokens,
                                     readsPadding: true)
        XCTAssertEqual(batch.source, [10, 11, 3, 1, 12, 3, 1, 1, 3, 1, 1, 1])
        XCTAssertEqual(batch.sourceMask, [1, 1, 1, 0, 1, 1, 1, 0, 1, 0, 0, 0])
        let packed = TranslationBatch(pairs, bucket: 0, batchSize: 3, sourceLength: 4, targetLength: 3, tokens: tokens)
        XCTAssertEqual(packed.sourceMask, [1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0])
        XCTAssertEqual([batch.decoderInputs, batch.targets], [packed.decoderInputs, packed.targets], "the target side is the same")
    }

    /// With a tokenizer per side the source is framed and padded with the source's own ids.
    func testTheSourceSideHasItsOwnSpecialTokens() {
        let sides = TranslationTokens(padding: 1, bos: 2, eos: 3, sourcePadding: 7, sourceEOS: 8)
        let batch = TranslationBatch([TranslationPair(source: [10], target: [20])], bucket: 0, batchSize: 2, sourceLength: 3,
                                     targetLength: 2, tokens: sides)
        XCTAssertEqual(batch.source, [10, 8, 7, 8, 7, 7])
        XCTAssertEqual(batch.decoderInputs, [2, 20, 1, 1])
        XCTAssertEqual(batch.targets, [20, 3, -100, -100])
    }

    /// The buckets pad to the fewest positions any cut of the lengths into that many ranges gives
    /// (every cut tried, 30 random corpora), and a long outlier gets a bucket of its own.
    func testBucketsPadTheFewestPositions() {
        func positions(_ buckets: [[Int]], _ pairs: [TranslationPair]) -> Int {
            buckets.map { members in
                members.count * ((members.map { pairs[$0].source.count }.max() ?? 0) + 1
                    + (members.map { pairs[$0].target.count }.max() ?? 0) + 1)
            }.reduce(0, +)
        }
        var generator = SeededGenerator(seed: 4)
        for _ in 0..<30 {
            let pairs: [TranslationPair] = (0..<(5 + Int(generator.next() % 40))).map { _ in
                TranslationPair(source: Array(repeating: 4, count: 1 + Int(generator.next() % 12)),
                                target: Array(repeating: 4, count: 1 + Int(generator.next() % 12)))
            }
            let longer = Set(pairs.map { max($0.source.count, $0.target.count) }).sorted()
            for count in 1...3 {
                let partition = LengthPartition.buckets(pairs.map { [$0.source.count + 1, $0.target.count + 1] }, count: count)
                XCTAssertEqual(partition.flatMap { $0 }.sorted(), Array(pairs.indices))
                // Every choice of count − 1 cuts between the distinct lengths, by brute force.
                var fewest = Int.max
                func cuts(_ chosen: [Int], from start: Int) {
                    guard chosen.count < min(count, longer.count) - 1 else {
                        let bounds = [0] + chosen + [longer.count]
                        let buckets = zip(bounds, bounds.dropFirst()).map { lower, upper in
                            pairs.indices.filter { longer[lower..<upper].contains(max(pairs[$0].source.count, pairs[$0].target.count)) }
                        }
                        fewest = min(fewest, positions(buckets, pairs))
                        return
                    }
                    for cut in start..<longer.count { cuts(chosen + [cut], from: cut + 1) }
                }
                cuts([], from: 1)
                XCTAssertEqual(positions(partition, pairs), fewest)
            }
        }
        let outlier = (0..<20).map { _ in TranslationPair(source: [4, 4], target: [4, 4, 4]) }
            + [TranslationPair(source: Array(repeating: 4, count: 40), target: [4])]
        XCTAssertEqual(LengthPartition.buckets(outlier.map { [$0.source.count + 1, $0.target.count + 1] }, count: 2).map(\.count), [20, 1])
    }

    func testBucketsHoldEveryPairOnceAnEpochInFewShapes() throws {
        var generator = SeededGenerator(seed: 9)
        let pairs: [TranslationPair] = (0..<103).map { _ in
            let (sourceLength, targetLength) = (1 + Int(generator.next() % 30), 1 + Int(generator.next() % 30))
            return TranslationPair(source: Array(4..<(4 + sourceLength)), target: Array(4..<(4 + targetLength)))
        }
        let buckets = try TranslationBuckets(pairs, count: 4, batchSize: 8, batchTokens: nil, tokens: tokens)
        XCTAssertEqual(buckets.buckets.count, 4)
        XCTAssertEqual(buckets.buckets.map(\.members.count).reduce(0, +), 103)
        var first = SeededGenerator(seed: 1), again = SeededGenerator(seed: 1), other = SeededGenerator(seed: 2)
        let epoch = buckets.epoch(using: &first)
        XCTAssertEqual(epoch, buckets.epoch(using: &again), "the same seed draws the same epoch")
        XCTAssertNotEqual(epoch, buckets.epoch(using: &other))
        XCTAssertEqual(epoch.count, buckets.batchesPerEpoch)
        XCTAssertEqual(epoch.map(\.pairs).reduce(0, +), 103)
        XCTAssertEqual(Set(epoch.map { [$0.sourceLength, $0.targetLength] }).count, 4, "one shape per bucket")
        // Every pair's ids appear exactly once as a row's real source.
        var lengths: [Int] = []
        for batch in epoch {
            for row in 0..<batch.pairs {
                let ids = batch.source[(row * batch.sourceLength)..<((row + 1) * batch.sourceLength)]
                lengths.append(ids.prefix { $0 != tokens.eos }.count)
            }
        }
        XCTAssertEqual(lengths.sorted(), pairs.map { $0.source.count }.sorted())
        XCTAssertEqual(buckets.ordered.map(\.pairs).reduce(0, +), 103)
        // In tokens: each bucket takes as many sentences as fit its longer side into 64 tokens.
        let byTokens = try TranslationBuckets(pairs, count: 4, batchSize: 8, batchTokens: 64, tokens: tokens)
        for bucket in byTokens.buckets {
            XCTAssertEqual(bucket.batchSize, min(bucket.members.count, max(1, 64 / max(bucket.sourceLength, bucket.targetLength))))
        }
        // A bucket takes no more rows than it has pairs: the outlier alone is a batch of one.
        let outlier = pairs.filter { $0.source.count < 20 } + [TranslationPair(source: Array(repeating: 4, count: 90), target: [4])]
        XCTAssertEqual(try TranslationBuckets(outlier, count: 4, batchSize: 8, batchTokens: nil, tokens: tokens).buckets.last?.batchSize, 1)
        XCTAssertEqual(try TranslationBuckets(outlier, count: 4, batchSize: 8, batchTokens: nil, tokens: tokens,
                                              fitsSmallBuckets: false).buckets.last?.batchSize, 8, "training keeps its shapes")
        let (kept, dropped) = pairs.limited(to: 20)
        XCTAssertEqual(kept.count + dropped, 103)
        XCTAssertTrue(kept.allSatisfy { (pair: TranslationPair) in pair.source.count <= 20 && pair.target.count <= 20 })
        XCTAssertThrowsError(try TranslationBuckets([], count: 4, batchSize: 8, batchTokens: nil, tokens: tokens))
    }

    /// Random batches: every pair once an epoch in batches drawn across the buckets, each in the first
    /// (smallest) shape that holds it; evaluation keeps the pairs' order; the shapes grow on both sides
    /// and the last holds the longest pair; a budget of tokens is refused.
    func testRandomBatchesDrawFromAllPairsIntoTheSmallestShapeThatHoldsThem() throws {
        var generator = SeededGenerator(seed: 5)
        let pairs: [TranslationPair] = (0..<203).map { _ in
            let (sourceLength, targetLength) = (1 + Int(generator.next() % 30), 1 + Int(generator.next() % 30))
            return TranslationPair(source: Array(4..<(4 + sourceLength)), target: Array(4..<(4 + targetLength)))
        }
        let random = try TranslationBuckets(pairs, count: 3, batchSize: 8, batchTokens: nil, tokens: tokens,
                                            composition: .acrossBuckets, readsPadding: true)
        let shapes = random.buckets.map { [$0.sourceLength, $0.targetLength] }
        XCTAssertEqual(shapes.count, 3)
        XCTAssertTrue(zip(shapes, shapes.dropFirst()).allSatisfy { $0[0] <= $1[0] && $0[1] <= $1[1] }, "\(shapes)")
        XCTAssertEqual(shapes.last, [pairs.map(\.source.count).max()! + 1, pairs.map(\.target.count).max()! + 1])
        var first = SeededGenerator(seed: 1), again = SeededGenerator(seed: 1)
        let epoch = random.epoch(using: &first)
        XCTAssertEqual(epoch, random.epoch(using: &again))
        XCTAssertEqual(epoch.count, 26)
        XCTAssertEqual(random.batchesPerEpoch, 26)
        var sources: [[Int]] = []
        for batch in epoch {
            let rows = (0..<batch.pairs).map { row in
                Array(batch.source[(row * batch.sourceLength)..<((row + 1) * batch.sourceLength)].prefix { $0 != tokens.eos })
            }
            sources += rows
            let longest = [rows.map(\.count).max()! + 1, (0..<batch.pairs).map { row in
                batch.targets[(row * batch.targetLength)..<((row + 1) * batch.targetLength)].filter { $0 != -100 }.count
            }.max()!]
            let fitting = shapes.firstIndex { $0[0] >= longest[0] && $0[1] >= longest[1] }
            XCTAssertEqual(batch.bucket, fitting)
            XCTAssertEqual([batch.sourceLength, batch.targetLength], shapes[batch.bucket])
            XCTAssertEqual(batch.sourceMask[..<batch.sourceLength].filter { $0 == 1 }.count, longest[0], "rows read to the longest")
        }
        XCTAssertEqual(sources.sorted { $0.lexicographicallyPrecedes($1) }, pairs.map(\.source).sorted { $0.lexicographicallyPrecedes($1) })
        let lengthsByBucket = Dictionary(grouping: epoch, by: \.bucket).mapValues(\.count)
        XCTAssertGreaterThan(lengthsByBucket.count, 1, "batches land in more than one shape")
        // Evaluation: the pairs in their own order, eight to a batch.
        let ordered = random.ordered
        XCTAssertEqual(ordered.map(\.pairs), Array(repeating: 8, count: 25) + [3])
        XCTAssertEqual(ordered[1].source.prefix(pairs[8].source.count), pairs[8].source[...])
        XCTAssertEqual(random.inExampleOrder { batch in (0..<batch.pairs).map { batch.source[$0 * batch.sourceLength] } },
                       pairs.map { $0.source[0] })
        XCTAssertThrowsError(try TranslationBuckets(pairs, count: 3, batchSize: 8, batchTokens: 64, tokens: tokens,
                                                    composition: .acrossBuckets))
    }

    /// Each sampled batch's lengths are the longest of its examples, and the longest example is in one.
    func testRandomBatchLengthsAreTheLongestOfEachBatch() {
        let lengths = (0..<50).map { [1 + $0 % 7, 1 + ($0 * 3) % 11] }
        let batches = LengthPartition.randomBatchLengths(lengths, batchSize: 8, epochs: 3)
        XCTAssertEqual(batches.count, 3 * 7)
        XCTAssertEqual(batches.map { $0[0] }.max(), 7)
        XCTAssertEqual(batches.map { $0[1] }.max(), 11)
        XCTAssertTrue(batches.allSatisfy { $0[0] >= 1 && $0[0] <= 7 && $0[1] <= 11 })
        XCTAssertGreaterThan(Set(batches).count, 1)
    }
}
