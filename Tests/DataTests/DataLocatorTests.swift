@testable import Data
import Foundation
import XCTest

final class DataLocatorTests: XCTestCase {
    private var root: URL!
    private let content = "a fake corpus\n"
    private var registry: DatasetRegistry!

    /// root/work is the current directory, so root/work/data is `./data` and root/shared/data is
    /// `../shared/data`; root/explicit stands for --data-dir and root/env for $SEQLAB_DATA.
    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("seqlab-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("work"), withIntermediateDirectories: true)
        registry = DatasetRegistry(datasets: [
            Dataset(name: "fake", summary: "test corpus", files: [
                DatasetFile(role: "text", relativePath: "fake/corpus.txt", address: "https://example.org/corpus.txt",
                            sha256: SHA256.hexDigest(of: Array(content.utf8))),
            ]),
        ])
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: root)
    }

    private var locator: DataLocator {
        DataLocator(dataDirectory: root.appendingPathComponent("explicit").path,
                    environment: ["SEQLAB_DATA": root.appendingPathComponent("env").path],
                    currentDirectory: root.appendingPathComponent("work").path, registry: registry)
    }

    private var places: [String] {
        ["explicit", "env", "work/data", "shared/data"].map { root.appendingPathComponent($0).path }
    }

    private func place(_ directory: String, content: String? = nil) throws -> String {
        let url = URL(fileURLWithPath: directory).appendingPathComponent("fake/corpus.txt")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try (content ?? self.content).write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func testSearchOrderIsDataDirThenEnvironmentThenDataThenSharedData() throws {
        XCTAssertEqual(locator.searchDirectories, places)
        let files = try places.map { try place($0) }
        for (index, expected) in files.enumerated() {
            XCTAssertEqual(try locator.url(for: "fake").path, expected, "with places \(index)... present")
            try FileManager.default.removeItem(atPath: expected)
        }
    }

    func testUnsetPlacesAreSkipped() {
        let bare = DataLocator(dataDirectory: nil, environment: ["SEQLAB_DATA": ""],
                               currentDirectory: root.appendingPathComponent("work").path, registry: registry)
        XCTAssertEqual(bare.searchDirectories, Array(places.suffix(2)))
    }

    func testMissingFileNamesEveryPlaceLookedAndTheAddress() {
        let searched = places.map { $0 + "/fake/corpus.txt" }
        XCTAssertThrowsError(try locator.url(for: "fake")) { error in
            XCTAssertEqual(error as? DataError, .missing(name: "fake", file: "fake/corpus.txt", searched: searched,
                                                         address: "https://example.org/corpus.txt"))
            XCTAssertEqual((error as? DataError)?.exitCode, 66)
            let message = "\(error)"
            for path in searched { XCTAssertTrue(message.contains(path), message) }
            XCTAssertTrue(message.contains("curl -fL -o data/fake/corpus.txt https://example.org/corpus.txt"), message)
            XCTAssertTrue(message.contains("--data-dir"), message)
        }
    }

    func testChecksumMismatchNamesTheFileAndBothHashes() throws {
        let path = try place(places[0], content: "tampered\n")
        let expected = registry["fake"]!.files[0].sha256
        let actual = SHA256.hexDigest(of: Array("tampered\n".utf8))
        XCTAssertThrowsError(try locator.url(for: "fake")) { error in
            XCTAssertEqual(error as? DataError, .checksumMismatch(file: path, expected: expected, actual: actual))
            XCTAssertEqual((error as? DataError)?.exitCode, 66)
            let message = "\(error)"
            for part in [path, expected, actual] { XCTAssertTrue(message.contains(part), message) }
        }
    }

    func testVerificationIsComputedOncePerFile() throws {
        let path = try place(places[2])
        XCTAssertEqual(try locator.text(of: "fake"), content)
        XCTAssertEqual(try locator.text(of: "fake"), content)
        XCTAssertEqual(ChecksumCache.shared.hashCount(of: path), 1)
    }

    func testAPathIsUsedAsItIsWithoutChecksum() throws {
        let path = try place(places[2], content: "anything at all\n")
        XCTAssertEqual(try locator.text(of: path), "anything at all\n")
        XCTAssertEqual(try locator.text(of: "data/fake/corpus.txt"), "anything at all\n", "relative to the current directory")
        XCTAssertThrowsError(try locator.url(for: "fak")) { error in
            let path = self.root.appendingPathComponent("work/fak").path
            XCTAssertEqual(error as? DataError, .notFound(reference: "fak", path: path, known: ["fake"]))
            XCTAssertEqual((error as? DataError)?.exitCode, 66)
            // A relative path is looked for from the current directory, which a resume elsewhere changes: said.
            XCTAssertTrue("\(error)".hasSuffix("(looked for \(path)); a relative path is found from the current "
                + "directory: run the command from the directory the spec's paths are relative to, or make the path absolute"), "\(error)")
        }
        XCTAssertThrowsError(try locator.url(for: "/nonexistent/fak")) {
            XCTAssertTrue("\($0)".hasSuffix("(looked for /nonexistent/fak)"), "\($0)")
        }
    }

    /// What a run's spec.yaml records: relative paths made absolute against the current directory,
    /// registry references and absolute paths as written.
    func testAnchoringMakesOnlyRelativePathsAbsolute() {
        let work = root.appendingPathComponent("work").path
        let cases = [
            ("fake", "fake"), ("fake:text", "fake:text"), ("/srv/corpus.txt", "/srv/corpus.txt"), ("", ""),
            ("corpus.txt", work + "/corpus.txt"), ("./a/../b/train.{lang}", work + "/b/train.{lang}"),
            ("../shared/x.txt", root.appendingPathComponent("shared/x.txt").path),
            // A colon does not make a registry reference unless what comes before it is a dataset's name.
            ("notes:v2.txt", work + "/notes:v2.txt"),
        ]
        for (reference, expected) in cases {
            XCTAssertEqual(locator.anchored(reference), expected, reference)
        }
    }

    func testMultiFileDatasetNeedsARole() {
        XCTAssertThrowsError(try sharedLocator.url(for: "multi30k")) {
            guard case DataError.unknownFile("multi30k", _, let known) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(known, ["train.de", "train.en", "valid.de", "valid.en", "test.de", "test.en"])
        }
        XCTAssertThrowsError(try sharedLocator.url(for: "multi30k", role: "train.fr"))
    }

    /// `name:role` names one file where a single one is expected (`data.files.train: wikitext2:valid`);
    /// a dataset named alone says how.
    func testOneFileOfAMultiFileDatasetByNameAndRole() throws {
        XCTAssertEqual(try sharedLocator.url(for: "wikitext2:valid").path, try sharedFile("wikitext2/valid.txt").path)
        XCTAssertEqual(try sharedLocator.url(for: "multi30k:test.en").lastPathComponent, "test_2016_flickr.lc.norm.tok.en")
        XCTAssertThrowsError(try sharedLocator.url(for: "wikitext2:train")) {
            XCTAssertEqual(($0 as? DataError)?.description, "error: dataset 'wikitext2' has no file 'train' (it has: valid, test)")
        }
        XCTAssertThrowsError(try sharedLocator.url(for: "wikitext2")) {
            XCTAssertEqual(($0 as? DataError)?.description, "error: dataset 'wikitext2' has several files (valid, test); "
                + "name one as 'wikitext2:valid', e.g. in data.files")
        }
    }

    /// Where every file of a corpus is read (word vectors), a dataset named alone stands for all its files.
    func testEveryFileOfADatasetNamedAlone() throws {
        XCTAssertEqual(try sharedLocator.urls(for: "wikitext2").map(\.path),
                       [try sharedFile("wikitext2/valid.txt").path, try sharedFile("wikitext2/test.txt").path])
        XCTAssertEqual(try sharedLocator.urls(for: "wikitext2:test").map(\.path), [try sharedFile("wikitext2/test.txt").path])
        XCTAssertThrowsError(try sharedLocator.urls(for: "no/such/corpus.txt"))
    }

    /// Every registered file is where ../shared/data/README.md says, with the registered checksum.
    func testStandardRegistryMatchesTheSharedCorpora() throws {
        XCTAssertEqual(DatasetRegistry.standard.names, ["timemachine", "names", "tinyshakespeare", "wikitext2", "wordsim", "sst2",
                                                     "multi30k", "multi30k_raw"])
        for dataset in DatasetRegistry.standard.datasets {
            for file in dataset.files {
                let url = try sharedLocator.url(of: file, in: dataset)
                XCTAssertTrue(url.path.hasSuffix("shared/data/" + file.relativePath), url.path)
                XCTAssertTrue(file.address.hasPrefix("https://"), file.address)
            }
        }
        XCTAssertEqual(try sharedLocator.url(for: "multi30k", role: "valid.en").lastPathComponent, "val.lc.norm.tok.en")
    }
}
