import Data
import Foundation
import XCTest

final class SHA256Tests: XCTestCase {
    /// FIPS 180-4 examples, and lengths either side of the padding boundary (55, 56, 64 bytes), whose
    /// digests were taken from Python's hashlib.
    func testKnownVectors() {
        let vectors: [(String, String)] = [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
            (String(repeating: "a", count: 55), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
            (String(repeating: "a", count: 56), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
            (String(repeating: "a", count: 64), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
        ]
        for (message, digest) in vectors {
            XCTAssertEqual(SHA256.hexDigest(of: Array(message.utf8)), digest, "\(message.count) bytes")
        }
    }

    func testIncrementalUpdatesMatchOneShot() {
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        var hasher = SHA256()
        var start = 0
        for chunk in [1, 63, 64, 65, 127, 999_680] {
            hasher.update(Array(bytes[start..<(start + chunk)]))
            start += chunk
        }
        XCTAssertEqual(start, bytes.count)
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        XCTAssertEqual(digest, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// The coreutils tool and ours agree on a real file.
    func testAgreesWithSha256sumOnASharedFile() throws {
        let tool = "/usr/bin/sha256sum"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: tool), "no \(tool) here")
        let url = try sharedFile("names/names.txt")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = [url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let expected = String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init)
        XCTAssertEqual(SHA256.hexDigest(of: try Foundation.Data(contentsOf: url)), expected)
    }
}
