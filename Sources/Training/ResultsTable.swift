import Foundation
import Runs
import Spec

/// `runner table`: runs side by side — our number, the published one its spec `reproduces`, the
/// difference and whether it is within the tolerance, the parameter count and the wall time — as an
/// aligned text table or as Markdown (what `make reproduce` writes to docs/reproduced.md).
public struct ResultsTable {
    /// One run: its spec's name and `reproduces` block, and its summary.json.
    struct Row {
        let run: String
        let name: String
        let reproduces: ReproducesSpec?
        let summary: [String: JSONValue]
    }

    let rows: [Row]
    /// Metrics shown for every run; empty for each run's own `reproduces` metric.
    let metrics: [String]

    /// Reads each run directory's spec.yaml and summary.json; a run that has not finished (no summary)
    /// is an error naming it.
    public init(runs: [String], metrics: [String]) throws {
        self.metrics = metrics
        rows = try runs.map { path in
            let run = try RunDirectory.open(URL(fileURLWithPath: path))
            let spec = try ExperimentSpec.load(path: run.specURL.path)
            guard let data = try? Data(contentsOf: run.summaryURL) else {
                throw RunError.malformed(path: run.summaryURL.path, reason: "no summary: the run has not finished")
            }
            let summary: JSONValue
            do {
                summary = try JSONValue(parsing: String(decoding: data, as: UTF8.self))
            } catch {
                throw RunError.malformed(path: run.summaryURL.path, reason: "not valid JSON (\(error))")
            }
            guard case .object(let members) = summary else {
                throw RunError.malformed(path: run.summaryURL.path, reason: "expected a JSON object")
            }
            return Row(run: path, name: spec.name, reproduces: spec.reproduces, summary: members)
        }
    }

    static let header = ["experiment", "metric", "ours", "published", "diff", "ok", "params", "wall"]

    /// The cells of every row, one line per run and metric.
    func cells() -> [[String]] {
        rows.flatMap { row in
            var final: [String: JSONValue] = [:]
            if case .object(let members)? = row.summary["final"] { final = members }
            let names = metrics.isEmpty ? [row.reproduces?.metric ?? "valid.loss"] : metrics
            return names.map { metric in
                let ours = final[metric].flatMap(Self.number)
                let published = row.reproduces.flatMap { $0.metric == metric ? $0 : nil }
                let difference = ours.flatMap { ours in published.map { ours - $0.value } }
                let verdict = difference.map { abs($0) <= published!.tolerance ? "✓" : "✗" } ?? ""
                return [row.name, metric, ours.map { Self.format($0) } ?? "–",
                        published.map { Self.format($0.value) + " ± " + Self.format($0.tolerance) } ?? "–",
                        difference.map { ($0 >= 0 ? "+" : "") + Self.format($0) } ?? "", verdict,
                        row.summary["parameters"].flatMap(Self.number).map { Self.grouped(Int($0)) } ?? "–",
                        row.summary["wall_s"].flatMap(Self.number).map(Self.duration) ?? "–"]
            }
        }
    }

    /// Columns padded to their widest cell.
    public var text: String {
        let table = [Self.header] + cells()
        let widths = Self.header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        return table.map { cells in
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    public var markdown: String {
        let lines = [Self.header, Self.header.map { _ in "---" }] + cells()
        return lines.map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n")
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .double(let number): number
        case .int(let number): Double(number)
        default: nil
        }
    }

    /// Four significant decimals, as losses and perplexities are published.
    static func format(_ value: Double) -> String { String(format: "%.4f", value) }

    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        return digits.enumerated().map { index, digit in
            index > 0 && (digits.count - index) % 3 == 0 ? ",\(digit)" : String(digit)
        }.joined()
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 120 ? String(format: "%.0f s", seconds) : String(format: "%.1f min", seconds / 60)
    }
}
