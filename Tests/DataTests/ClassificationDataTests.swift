import Core
import Data
import XCTest

/// Labelled-line files as a classification corpus reads them, and their length buckets.
final class ClassificationDataTests: XCTestCase {
    private func read(_ text: String, _ column: LabelledLines.LabelColumn = .first, header: Bool? = nil) throws -> LabelledLines {
        try LabelledLines(text: text, path: "f.tsv", labelColumn: column, header: header)
    }

    func testEveryLineEndAndTheHeaderByItsLabel() throws {
        // A header, then LF, CRLF and lone CR line ends mixed, a blank line, no final line end.
        let lines = try read("label\tsentence\r\n1\tgood film\n0\tbad one\r\r\n1\t fine \r0\tdull")
        XCTAssertTrue(lines.skippedHeader)
        XCTAssertEqual(lines.examples.map(\.label), ["1", "0", "1", "0"])
        XCTAssertEqual(lines.examples.map(\.text), ["good film", "bad one", "fine", "dull"])
        XCTAssertEqual(lines.examples.map(\.line), [2, 3, 5, 6])
        XCTAssertEqual(lines.blank, 1)
        // Without a header every line is an example: the first line's label recurs.
        let plain = try read("1\tgood\n0\tbad\n1\tfine\n")
        XCTAssertFalse(plain.skippedHeader)
        XCTAssertEqual(plain.examples.count, 3)
        // A first line without a tab is a header; another split's header is a label training lacks.
        let tabless = try read("sentence label\n1\tgood\n0\tbad\n")
        XCTAssertTrue(tabless.skippedHeader)
        XCTAssertEqual(tabless.examples.map(\.text), ["good", "bad"])
        let valid = try LabelledLines(text: "pos\tgood\nneg\tbad\n", path: "v.tsv", labelColumn: .first, header: nil,
                                      knownLabels: ["pos", "neg"])
        XCTAssertEqual(valid.examples.count, 2, "two labels seen once each are not a header in a validation file")
        let headed = try LabelledLines(text: "label\ttext\npos\tgood\n", path: "v.tsv", labelColumn: .first, header: nil,
                                       knownLabels: ["pos", "neg"])
        XCTAssertEqual(headed.examples.map(\.label), ["pos"])
        // A first line of a label seen once is an example when its text is more than a column name.
        let rare = try read("2\tan odd one\n1\tgood\n0\tbad\n1\tfine\n")
        XCTAssertFalse(rare.skippedHeader)
        XCTAssertEqual(rare.examples.map(\.label), ["2", "1", "0", "1"])
        XCTAssertEqual(rare.possibleHeader?.line, 1, "kept, and named for the plan to say so")
        XCTAssertNil(plain.possibleHeader)
        XCTAssertNil(try read("2\tan odd one\n1\tgood\n", header: false).possibleHeader, "the spec said there is none")
        let unseen = try LabelledLines(text: "neutral\tso so\npos\tgood\n", path: "v.tsv", labelColumn: .first,
                                       header: nil, knownLabels: ["pos", "neg"])
        XCTAssertEqual(unseen.examples.map(\.label), ["neutral", "pos"], "left for the unknown-label check to name")
        // The spec overrides the guess either way.
        XCTAssertEqual(try read("pos\tgood\nneg\tbad\n", header: false).examples.count, 2)
        XCTAssertEqual(try read("1\tgood\n0\tbad\n1\tok\n", header: true).examples.map(\.text), ["bad", "ok"])
    }

    func testTextThenLabelKeepsTabsInTheText() throws {
        let lines = try read("a\tb c\tpos\nd\tneg\ne\tpos\n", .last)
        XCTAssertEqual(lines.examples.map(\.label), ["pos", "neg", "pos"])
        XCTAssertEqual(lines.examples[0].text, "a\tb c")
    }

    func testMalformedLinesNameTheFileAndLine() {
        let cases: [(String, Int, String)] = [
            ("1\tgood\n0 bad\n", 2, "no tab"),
            ("1\tgood\n\t bad\n", 2, "the label is empty"),
            ("1\tgood\n0\t \n", 2, "the text is empty"),
        ]
        for (text, line, reason) in cases {
            XCTAssertThrowsError(try read(text)) { error in
                guard case .malformed(let file, let at, let message)? = error as? DataError else {
                    return XCTFail("\(error)")
                }
                XCTAssertEqual(file, "f.tsv")
                XCTAssertEqual(at, line)
                XCTAssertTrue(message.contains(reason), message)
                XCTAssertEqual((error as? DataError)?.exitCode, 64)
            }
        }
    }

    /// The registered SST-2 files: both headers found (train's `sentence`, dev's `content`), train's
    /// mixed CRLF and CR line ends read as lines, the GLUE counts.
    func testSST2AsRegistered() throws {
        for (role, count) in [("train", 67_349), ("valid", 872)] {
            let url = try sharedLocator.url(for: "sst2", role: role)
            let lines = try LabelledLines(text: try DataLocator.readText(at: url), path: url.path, labelColumn: .first, header: nil)
            XCTAssertTrue(lines.skippedHeader, role)
            XCTAssertEqual(lines.examples.count, count, role)
            XCTAssertEqual(Set(lines.examples.map(\.label)), ["0", "1"], role)
            XCTAssertFalse(lines.examples.contains { $0.text.contains("\r") }, role)
        }
    }

    func testBucketsHoldEveryTextOnceAnEpochWithFillersIgnored() throws {
        var generator = SeededGenerator(seed: 3)
        let texts = (0..<53).map { i in
            LabelledText(tokens: Array(repeating: 4, count: 1 + Int(generator.next() % 20)), label: i % 3)
        }
        let buckets = try ClassificationBuckets(texts, count: 3, batchSize: 8, batchTokens: nil, padding: 1)
        XCTAssertEqual(buckets.buckets.count, 3)
        let epoch = buckets.epoch(using: &generator)
        XCTAssertEqual(epoch.count, buckets.batchesPerEpoch)
        XCTAssertEqual(epoch.reduce(0) { $0 + $1.examples }, 53)
        for batch in epoch {
            XCTAssertEqual(batch.length, buckets.buckets[batch.bucket].length)
            XCTAssertEqual(batch.tokens.count, batch.batchSize * batch.length)
            for row in 0..<batch.batchSize {
                let real = batch.mask[(row * batch.length)..<((row + 1) * batch.length)].reduce(0, +)
                if row < batch.examples {
                    XCTAssertNotEqual(batch.labels[row], ClassificationBatch.ignored)
                } else {
                    // A filler: one real position, label ignored.
                    XCTAssertEqual(real, 1)
                    XCTAssertEqual(batch.labels[row], ClassificationBatch.ignored)
                }
            }
        }
        // Batches of about 40 positions: the longer the bucket, the fewer texts.
        let byTokens = try ClassificationBuckets(texts, count: 3, batchSize: 8, batchTokens: 40, padding: 1)
        for bucket in byTokens.buckets { XCTAssertEqual(bucket.batchSize, min(bucket.members.count, max(1, 40 / bucket.length))) }
        // A bucket takes no more rows than it has texts, unless batches are drawn across buckets (then
        // the last must hold any batch).
        let outlier = texts + [LabelledText(tokens: Array(repeating: 4, count: 90), label: 0)]
        XCTAssertEqual(try ClassificationBuckets(outlier, count: 3, batchSize: 8, batchTokens: nil, padding: 1).buckets.last?.batchSize, 1)
        XCTAssertEqual(try ClassificationBuckets(outlier, count: 3, batchSize: 8, batchTokens: nil, padding: 1,
                                                 composition: .acrossBuckets).buckets.last?.batchSize, 8)
        XCTAssertEqual(try ClassificationBuckets(outlier, count: 3, batchSize: 8, batchTokens: nil, padding: 1,
                                                 fitsSmallBuckets: false).buckets.last?.batchSize, 8, "training keeps its shapes")
        XCTAssertThrowsError(try ClassificationBuckets([LabelledText(tokens: [], label: 0)], count: 1, batchSize: 2,
                                                       batchTokens: nil, padding: 1))
    }

    /// Random batches: every text once an epoch, each batch in the shortest bucket that holds its
    /// longest text; evaluation keeps the texts' order.
    func testRandomBatchesTakeTheShortestBucketThatHoldsThem() throws {
        var generator = SeededGenerator(seed: 8)
        let texts = (0..<53).map { i in
            LabelledText(tokens: Array(repeating: 4 + i, count: 1 + Int(generator.next() % 20)), label: i % 3)
        }
        let random = try ClassificationBuckets(texts, count: 3, batchSize: 8, batchTokens: nil, padding: 1, composition: .acrossBuckets)
        let epoch = random.epoch(using: &generator)
        XCTAssertEqual(epoch.count, 7)
        var seen: [Int] = []
        for batch in epoch {
            let longest = (0..<batch.examples).map { row in
                Int(batch.mask[(row * batch.length)..<((row + 1) * batch.length)].reduce(0, +))
            }.max() ?? 0
            XCTAssertEqual(batch.bucket, random.buckets.firstIndex { $0.length >= longest })
            seen += (0..<batch.examples).map { batch.tokens[$0 * batch.length] - 4 }
        }
        XCTAssertEqual(seen.sorted(), Array(0..<53))
        XCTAssertEqual(random.inExampleOrder { batch in (0..<batch.examples).map { batch.tokens[$0 * batch.length] - 4 } },
                       Array(0..<53))
    }
}
