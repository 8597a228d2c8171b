import Foundation
import Runs
import Spec

/// Hand-written run directories for the tests of what reads runs (`runner table`, `runner plot`).
enum RunFixtures {
    /// Makes `url` a run of the experiment `name` with `settings` (YAML lines) in its resolved spec
    /// and `events` (JSON objects) as the lines of its metrics.jsonl, if any.
    static func run(at url: URL, name: String, settings: String = "", events: [String] = []) throws -> RunDirectory {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let spec = try ExperimentSpec.parse("name: \(name)\ndata: {corpus: timemachine}\n" + settings, path: "x.yaml")
        try Data(spec.resolvedYAML().utf8).write(to: url.appendingPathComponent(RunDirectory.specFileName))
        let run = try RunDirectory.open(url)
        if !events.isEmpty { try Data(events.map { $0 + "\n" }.joined().utf8).write(to: run.metricsURL) }
        return run
    }
}
