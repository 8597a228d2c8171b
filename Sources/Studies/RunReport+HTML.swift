import Core
import Foundation
import Runs
import Spec

/// The page itself: HTML5 with its CSS inline and the curves as inline SVG, so that the one file
/// opens anywhere, offline, and can be mailed or attached as it is. No script runs on it.
extension RunReport {
    public var html: String {
        let anchors = sections.indices.map { "section-\($0)" }
        let navigation = zip(sections, anchors).map { section, anchor in
            "<a href=\"#\(anchor)\">\(escaped(Self.heading(of: section)))</a>"
        }
        var lines = [
            "<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<title>\(escaped(title))</title>", "<style>", Self.style, "</style>", "</head>", "<body>",
            "<h1>\(escaped(title))</h1>",
        ]
        if sections.count > 1 { lines.append("<nav>" + navigation.joined(separator: " ") + "</nav>") }
        for (section, anchor) in zip(sections, anchors) {
            lines.append("<section id=\"\(anchor)\">")
            switch section {
            case .comparison(let table, let curves): lines += comparison(table: table, curves: curves)
            case .run(let page): lines += run(page)
            case .sweep(let page): lines += sweep(page)
            }
            lines.append("</section>")
        }
        return (lines + ["</body>", "</html>"]).joined(separator: "\n") + "\n"
    }

    private static func heading(of section: Section) -> String {
        switch section {
        case .comparison: "comparison"
        case .run(let page): page.spec.name + " (" + page.run.url.lastPathComponent + ")"
        case .sweep(let page): page.directory.url.lastPathComponent
        }
    }

    private func comparison(table: ResultsTable?, curves: [CurvePlot]) -> [String] {
        ["<h2>The runs side by side</h2>"] + (table.map { [$0.html] } ?? ["<p>No run has finished yet.</p>"]) + figures(curves)
    }

    private func run(_ page: RunPage) -> [String] {
        var lines = ["<h2>\(escaped(page.spec.name)) <small>\(escaped(page.run.url.path))</small></h2>",
                     "<p class=\"facts\">\(escaped(facts(page)))</p>"]
        if let summary = page.summary { lines += results(summary, spec: page.spec) }
        lines += ["<h3>Curves</h3>"] + figures(page.curves)
        if let last = page.samples.last {
            lines.append("<h3>\(page.spec.task == .translation ? "Translations" : "Samples") at each evaluation</h3>")
            lines.append("<p>step \(last.step)</p><pre>\(escaped(last.text, keepingLines: true))</pre>")
            for sample in page.samples.dropLast().reversed() {
                lines.append("<details><summary>step \(sample.step)</summary><pre>\(escaped(sample.text, keepingLines: true))</pre></details>")
            }
        }
        if let plan = page.plan {
            // The parameter listing is long; the totals, FLOPs and memory lines are what a reader wants first.
            let totals = plan.split(separator: "\n").filter { !$0.hasPrefix(" ") && $0 != "parameters" }
                .map(String.init).joined(separator: "\n")
            lines += ["<h3>Plan</h3>", "<pre>\(escaped(totals, keepingLines: true))</pre>",
                      "<details><summary>the whole plan</summary><pre>\(escaped(plan, keepingLines: true))</pre></details>"]
        }
        lines += specification(page)
        return lines
    }

    private func facts(_ page: RunPage) -> String {
        var facts = [page.spec.task.rawValue, page.spec.model.kind.rawValue]
        if let parameters = page.summary?["parameters"]?.number.flatMap({ Int(exactly: $0) }) {
            facts.append(ResultsTable.grouped(parameters) + " parameters")
        }
        facts.append("step \(page.lastStep)")
        if let wall = page.summary?["wall_s"]?.number {
            facts.append("finished in " + ResultsTable.duration(wall))
        } else {
            facts.append("not finished (no summary.json yet)")
        }
        if case .object(let machine)? = page.summary?["machine"], case .string(let cpu)? = machine["cpu"] {
            facts.append(cpu + (machine["cores"]?.number.flatMap { Int(exactly: $0) }.map { ", \($0) cores" } ?? ""))
        }
        if case .string(let revision)? = page.summary?["git_revision"] { facts.append("revision " + String(revision.prefix(10))) }
        return facts.joined(separator: " · ")
    }

    /// Final metrics by split, and the published number the spec reproduces beside ours.
    private func results(_ summary: JSONObject, spec: ExperimentSpec) -> [String] {
        guard case .object(let final)? = summary["final"] else { return [] }
        let values = final.dictionary.compactMapValues(\.number)
        let splits = ["train", "valid", "test"].filter { split in values.keys.contains { $0.hasPrefix(split + ".") } }
        var names: [String] = []
        for key in values.keys.sorted() {
            let name = String(key.drop { $0 != "." }.dropFirst())
            if !names.contains(name) { names.append(name) }
        }
        var lines = ["<h3>Results</h3>", "<table>", "<tr><th></th>" + names.map { "<th>\(escaped($0))</th>" }.joined() + "</tr>"]
        for split in splits {
            lines.append("<tr><th>\(split)</th>" + names.map { name in
                "<td>" + (values[split + "." + name].map(ResultsTable.format) ?? "–") + "</td>"
            }.joined() + "</tr>")
        }
        lines.append("</table>")
        if let published = spec.reproduces {
            let ours = values[published.metric]
            let verdict = ours.map { ours in
                abs(ours - published.value) <= published.tolerance ? "<span class=\"ok\">✓ within the tolerance</span>"
                    : "<span class=\"bad\">✗ \(ours > published.value ? "+" : "")\(ResultsTable.format(ours - published.value)), "
                        + "outside the tolerance</span>"
            } ?? ""
            lines.append("<p>Published \(escaped(published.metric)): \(ResultsTable.format(published.value)) ± "
                + "\(ResultsTable.format(published.tolerance)) (\(escaped(published.source))); ours: "
                + "\(ours.map(ResultsTable.format) ?? "–") \(verdict)</p>")
        }
        return lines
    }

    private func specification(_ page: RunPage) -> [String] {
        var lines = ["<h3>Spec</h3>"]
        if page.settings.isEmpty {
            lines.append("<p>Every key at SeqLab's default.</p>")
        } else {
            lines.append("<p>Keys set away from SeqLab's defaults for a \(escaped(page.spec.model.kind.rawValue)) model"
                + (page.settings.contains(where: \.bySweep) ? "; <mark class=\"sweep\">green</mark>: set by the sweep" : "")
                + ".</p>")
            lines += ["<table>", "<tr><th>key</th><th>value</th><th>default</th></tr>"]
            for setting in page.settings {
                let key = setting.bySweep ? "<mark class=\"sweep\">\(escaped(setting.key))</mark>" : escaped(setting.key)
                lines.append("<tr><td class=\"text\">\(key)</td><td class=\"text\">\(escaped(setting.value))</td>"
                    + "<td class=\"text\">\(escaped(setting.defaultValue))</td></tr>")
            }
            lines.append("</table>")
        }
        let text = page.specLines.map { line in
            let body = escaped(line.text, keepingLines: true)
            return line.bySweep ? "<mark class=\"sweep\">\(body)</mark>" : line.isSet ? "<mark>\(body)</mark>" : body
        }.joined(separator: "\n")
        lines.append("<details><summary>spec.yaml, the set keys marked</summary><pre>\(text)</pre></details>")
        return lines
    }

    private func sweep(_ page: SweepPage) -> [String] {
        let string = { (key: String) in page.header[key].flatMap { if case .string(let text) = $0 { text } else { nil } } ?? "–" }
        var counts: [String: Int] = [:]
        for trial in page.trials { counts[trial.status.rawValue, default: 0] += 1 }
        let statuses = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        var lines = ["<h2>Sweep \(escaped(string("name"))) <small>\(escaped(page.directory.url.path))</small></h2>",
                     "<p class=\"facts\">\(escaped(string("method"))) search over \(page.trials.count) trials (\(escaped(statuses))) · "
                        + "metric \(escaped(string("metric"))), \(escaped(string("goal")))</p>"]
        lines.append(page.table.map { "<h3>Finished trials, best first</h3>\n" + $0.html } ?? "<p>No trial has finished yet.</p>")
        let unfinished = page.trials.filter { $0.status != .done }
        if !unfinished.isEmpty {
            lines += ["<h3>Other trials</h3>", "<table>", "<tr><th>trial</th><th>status</th><th>overrides</th></tr>"]
            for trial in unfinished {
                lines.append("<tr><td class=\"text\">\(SweepTrial.directoryName(trial.index))</td><td class=\"text\">"
                    + "\(escaped(trial.status.rawValue))</td><td class=\"text\">\(escaped(trial.overrides.joined(separator: " ")))</td></tr>")
            }
            lines.append("</table>")
        }
        return lines + ["<h3>Curves, one per trial</h3>"] + figures(page.curves)
    }

    private func figures(_ curves: [CurvePlot]) -> [String] {
        ["<div class=\"curves\">"] + curves.map { "<figure>\($0.svg)</figure>" } + ["</div>"]
    }

    private func escaped(_ text: String, keepingLines: Bool = false) -> String {
        CurvePlot.escaped(text, keepingLines: keepingLines)
    }

    private static let style = """
        body { font: 14px/1.45 system-ui, sans-serif; color: #222; max-width: 1200px; margin: 1.5em auto; padding: 0 1em; }
        h1 { font-size: 1.5em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
        h2 small { font-weight: normal; font-size: .6em; color: #666; }
        nav a { margin-right: 1em; } .facts { color: #555; }
        table { border-collapse: collapse; margin: .5em 0; }
        th, td { border: 1px solid #ddd; padding: .2em .6em; text-align: right; font-variant-numeric: tabular-nums; }
        th { background: #f4f4f4; } td.text { text-align: left; }
        pre { background: #f8f8f8; border: 1px solid #eee; padding: .6em; white-space: pre-wrap; }
        mark { background: #fff0a0; } mark.sweep { background: #c8f0c0; }
        .ok { color: #070; font-weight: bold; } .bad { color: #a00; font-weight: bold; }
        .curves { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: .5em 1.5em; }
        figure { margin: .5em 0; } figure svg { max-width: 100%; height: auto; }
        details { margin: .4em 0; } summary { cursor: pointer; color: #036; }
        """
}
