import Core
import Foundation
import Runs
import Spec

/// `runner table`: finished runs side by side, one line each — the experiment; where an experiment
/// has several runs, the run directory and the spec keys that differ between its runs; the final and
/// best value of each chosen metric; for a spec that `reproduces` a published number, that metric,
/// ours, the published number ± tolerance, the difference and ✓ when within the tolerance; the
/// parameter count and the wall time. As aligned text, as Markdown (what `make reproduce` writes to
/// docs/reproduced.md) or as CSV.
public struct ResultsTable {
    /// One finished run.
    struct Row {
        let run: RunDirectory
        let spec: ExperimentSpec
        let summary: [String: JSONValue]
        /// summary.json's final metrics, keyed `<split>.<metric>` (`valid.loss`).
        let final: [String: Double]
        /// The best value each metric reached (the lowest loss, the highest BLEU: `MetricDirection`):
        /// summary.json's `best` where it has the metric, else the best in metrics.jsonl.
        let best: [String: Double]
    }

    /// A cell as a person reads it, and as a program reading CSV wants it: full precision, without
    /// digit grouping or units.
    struct Cell: Equatable {
        let text: String
        let value: String

        static let missing = Cell(text: "–", value: "")
        static func text(_ text: String) -> Cell { Cell(text: text, value: text) }
        static func number(_ number: Double?) -> Cell {
            number.map { Cell(text: ResultsTable.format($0), value: String($0)) } ?? .missing
        }
    }

    struct Column {
        let header: String
        /// CSV's header, which names the unit that its cells no longer carry.
        var csvHeader: String
        let cells: [Cell]

        init(_ header: String, csvHeader: String? = nil, cells: [Cell]) {
            self.header = header
            self.csvHeader = csvHeader ?? header
            self.cells = cells
        }
    }

    let rows: [Row]
    let columns: [Column]

    /// Reads each run's spec.yaml and summary.json (a run without a summary has not finished, and is
    /// an error naming it). `metrics` are shown for every run, and each must be one some run recorded;
    /// without them, valid.loss is, unless every run `reproduces` a metric of its own. `sortMetric`
    /// orders the runs by that final metric, best first and runs without it last; it must be a metric
    /// some run has.
    public init(runs: [RunDirectory], metrics: [String] = [], sortedBy sortMetric: String? = nil) throws {
        var rows = try runs.map(Self.row)
        var shown = metrics.isEmpty && !rows.allSatisfy({ $0.spec.reproduces != nil }) ? ["valid.loss"] : metrics
        let recorded = Set(rows.flatMap(\.final.keys))
        // A metric shown must be one some run recorded (finally or at its best): a typo would be a column of dashes.
        let recordedAtAll = { (metric: String) in rows.contains { $0.final[metric] != nil || $0.best[metric] != nil } }
        if let unknown = metrics.first(where: { !recordedAtAll($0) }) {
            throw ComparisonError.unknownMetric(unknown, option: "--metrics", available: recorded.sorted())
        }
        if let sortMetric {
            guard recorded.contains(sortMetric) else {
                throw ComparisonError.unknownMetric(sortMetric, option: "--sort", available: recorded.sorted())
            }
            if !shown.contains(sortMetric) { shown.append(sortMetric) }
            // Best first (the lowest loss, the highest BLEU), runs without the metric last, ties in name order.
            rows = rows.enumerated().sorted { first, second in
                switch (first.element.final[sortMetric], second.element.final[sortMetric]) {
                case let (a?, b?) where a != b: MetricDirection.isBetter(a, than: b, for: sortMetric)
                case (_?, nil): true
                case (nil, _?): false
                default: first.offset < second.offset
                }
            }.map(\.element)
        }
        self.rows = rows
        columns = Self.columns(rows, metrics: shown)
    }

    private static func row(_ run: RunDirectory) throws -> Row {
        let spec = try ExperimentSpec.load(path: run.specURL.path)
        guard let data = try? Data(contentsOf: run.summaryURL) else {
            throw RunError.badFile(path: run.summaryURL.path, reason: "no summary: the run has not finished")
        }
        let summary: JSONValue
        do {
            summary = try JSONValue(parsing: String(decoding: data, as: UTF8.self))
        } catch {
            throw RunError.badFile(path: run.summaryURL.path, reason: "not valid JSON (\(error))")
        }
        guard case .object(let members) = summary else {
            throw RunError.badFile(path: run.summaryURL.path, reason: "expected a JSON object")
        }
        let best = try bestValues(in: run.metricsURL)
        return Row(run: run, spec: spec, summary: members.dictionary, final: numbers(members["final"]),
                   best: best.merging(numbers(members["best"])) { _, summary in summary })
    }

    /// The numbers of a JSON object (summary.json's `final` or `best`).
    private static func numbers(_ object: JSONValue?) -> [String: Double] {
        guard case .object(let members)? = object else { return [:] }
        return members.dictionary.compactMapValues(\.number)
    }

    /// The best value of every metric in a metrics file, keyed `<split>.<metric>`; none when the
    /// run has no metrics file.
    private static func bestValues(in url: URL) throws -> [String: Double] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [:] }
        var best: [String: Double] = [:]
        for event in try MetricsWriter.read(url) {
            guard case .string(let split)? = event["split"] else { continue }
            for (name, value) in event where name != "step" && name != "epoch" {
                guard let number = value.number else { continue }
                let key = split + "." + name
                if best[key].map({ MetricDirection.isBetter(number, than: $0, for: key) }) ?? true { best[key] = number }
            }
        }
        return best
    }

    private static func columns(_ rows: [Row], metrics: [String]) -> [Column] {
        var columns = [Column("experiment", cells: rows.map { .text($0.spec.name) })]
        // Runs of one experiment need their directory and their differing keys to be told apart.
        if Set(rows.map(\.spec.name)).count < rows.count {
            columns.append(Column("run", cells: rows.map { .text($0.run.url.lastPathComponent) }))
        }
        for difference in ConfigDifferences.withinExperiments(rows.map(\.spec)) {
            columns.append(Column(difference.key, cells: difference.values.map { $0 == "–" ? .missing : .text($0) }))
        }
        for metric in metrics {
            columns.append(Column(metric, cells: rows.map { .number($0.final[metric]) }))
            columns.append(Column("best " + metric, cells: rows.map { .number($0.best[metric]) }))
        }
        if rows.contains(where: { $0.spec.reproduces != nil }) { columns += reproductionColumns(rows) }
        columns.append(Column("params", cells: rows.map { row in
            row.summary["parameters"]?.number.flatMap { Int(exactly: $0) }.map { Cell(text: grouped($0), value: String($0)) } ?? .missing
        }))
        columns.append(Column("wall", csvHeader: "wall_s", cells: rows.map { row in
            row.summary["wall_s"]?.number.map { Cell(text: duration($0), value: String($0)) } ?? .missing
        }))
        return columns
    }

    /// metric, ours, published ± tolerance, difference, ✓ or ✗.
    private static func reproductionColumns(_ rows: [Row]) -> [Column] {
        let cells = rows.map { row -> [Cell] in
            guard let published = row.spec.reproduces else { return [.missing, .missing, .missing, .text(""), .text("")] }
            let ours = row.final[published.metric]
            let difference = ours.map { $0 - published.value }
            return [.text(published.metric), .number(ours),
                    Cell(text: format(published.value) + " ± " + format(published.tolerance),
                         value: "\(published.value) ± \(published.tolerance)"),
                    difference.map { Cell(text: ($0 >= 0 ? "+" : "") + format($0), value: String($0)) } ?? .text(""),
                    .text(difference.map { abs($0) <= published.tolerance ? "✓" : "✗" } ?? "")]
        }
        return ["metric", "ours", "published", "diff", "ok"].enumerated().map { index, header in
            Column(header, cells: cells.map { $0[index] })
        }
    }

    /// The cells of every row, in column order.
    func cells() -> [[Cell]] {
        rows.indices.map { row in columns.map { $0.cells[row] } }
    }

    /// Columns padded to their widest cell.
    public var text: String {
        let table = [columns.map(\.header)] + cells().map { $0.map(\.text) }
        let widths = columns.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        return table.map { cells in
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    public var markdown: String {
        let lines = [columns.map(\.header), columns.map { _ in "---" }] + cells().map { $0.map(\.text) }
        return lines.map { cells in
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }.joined(separator: "\n")
    }

    /// An HTML table for `runner report`: numbers right-aligned, text left.
    public var html: String {
        let head = "<tr>" + columns.map { "<th>\(CurvePlot.escaped($0.header))</th>" }.joined() + "</tr>"
        let body = cells().map { row in
            "<tr>" + row.map { cell in
                (Double(cell.value) == nil ? "<td class=\"text\">" : "<td>") + CurvePlot.escaped(cell.text) + "</td>"
            }.joined() + "</tr>"
        }
        return (["<table>", head] + body + ["</table>"]).joined(separator: "\n")
    }

    /// RFC 4180: CRLF line ends; a field holding a comma, a quote or a line break is quoted, its
    /// quotes doubled.
    public var csv: String {
        let lines = [columns.map(\.csvHeader)] + cells().map { $0.map(\.value) }
        return lines.map { fields in
            fields.map { field in
                field.contains(where: { ",\"\r\n".contains($0) })
                    ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
            }.joined(separator: ",")
        }.joined(separator: "\r\n") + "\r\n"
    }

    /// Four decimals, as losses and perplexities are published.
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
