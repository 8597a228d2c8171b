import Foundation
import Spec
import XCTest

/// A scratch directory of spec files for one test, deleted when the test ends. Diagnostics name files
/// by the path they were loaded with, so `relative(_:)` strips this directory for comparisons.
final class SpecFixtures {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("SpecTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes `text` to `name` (subdirectories allowed) and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func relative(_ text: String) -> String {
        text.replacingOccurrences(of: directory.path + "/", with: "")
    }
}

/// The smallest valid spec; error cases append what they test to it.
let minimalSpec = "data: {corpus: timemachine}\n"

/// Loads `path` and returns the error it must throw, failing at the caller's line if it loads.
func loadError(_ path: String, overrides: [String] = [], file: StaticString = #filePath,
               line: UInt = #line) -> SpecError? {
    do {
        let spec = try ExperimentSpec.load(path: path, overrides: overrides)
        XCTFail("expected an error, loaded \(spec.name)", file: file, line: line)
        return nil
    } catch {
        return error
    }
}

/// The column the caret of a rendered diagnostic points at (1-based), nil when there is no caret
/// line. Tabs in the padding count as one column each, as in the line above them.
func caretColumn(_ rendered: String) -> Int? {
    let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false)
    guard lines.count == 3, let bar = lines[2].range(of: " | ") else { return nil }
    let padding = lines[2][bar.upperBound...]
    guard padding.hasSuffix("^") else { return nil }
    return padding.unicodeScalars.count
}
