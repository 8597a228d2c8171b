import Foundation

/// Drawing a `CurvePlot` as SVG text: panels stacked top to bottom with grid lines at the ticks, a
/// legend to the right naming each run's colour and each split's line style.
extension CurvePlot {
    /// Sizes in SVG user units (pixels at 100% zoom).
    private enum Layout {
        static let left = 80.0, plotWidth = 620.0, right = 28.0
        static let top = 48.0, firstHeight = 320.0, otherHeight = 130.0, gap = 50.0, bottom = 52.0
        static let legendLine = 26.0, legendRow = 20.0
        /// Roughly one character of 12 px sans-serif, to make room for the legend's longest label.
        static let characterWidth = 7.0
    }

    /// Ten colours that stay apart for most kinds of colour vision; runs beyond ten reuse them.
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// The chart as a standalone SVG document: no scripts, fonts, images or links, so a browser, an
    /// editor or a Markdown page shows it as it is.
    public var svg: String {
        let labels = runs + styles.map(\.meaning)
        let legendWidth = max(100, Double(labels.map(\.count).max() ?? 0) * Layout.characterWidth + Layout.legendLine + 24)
        let width = Layout.left + Layout.plotWidth + Layout.right + legendWidth
        let heights = panels.indices.map { $0 == 0 ? Layout.firstHeight : Layout.otherHeight }
        let height = Layout.top + heights.reduce(0, +) + Layout.gap * Double(max(0, panels.count - 1)) + Layout.bottom
        var lines = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(number(width))\" height=\"\(number(height))\" "
                + "viewBox=\"0 0 \(number(width)) \(number(height))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"\(number(Layout.left + Layout.plotWidth / 2))\" y=\"28\" text-anchor=\"middle\" font-size=\"15\" "
                + "font-weight=\"bold\">\(Self.escaped(title))</text>",
        ]
        var top = Layout.top
        for (index, panel) in panels.enumerated() {
            lines += draw(panel, index: index, top: top, height: heights[index], isLast: index == panels.count - 1)
            top += heights[index] + Layout.gap
        }
        lines += legend(left: Layout.left + Layout.plotWidth + Layout.right)
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    private func draw(_ panel: Panel, index: Int, top: Double, height: Double, isLast: Bool) -> [String] {
        let (left, width) = (Layout.left, Layout.plotWidth)
        let bottom = top + height
        var lines = ["<g>"]
        let steps = stepAxis, values = valueAxis(panel)
        for tick in steps?.ticks ?? [] {
            let x = left + steps!.fraction(tick) * width
            lines.append(line(x, top, x, bottom, stroke: "#e6e6e6"))
            lines.append(line(x, bottom, x, bottom + 5, stroke: "#555"))
            lines.append(text(x, bottom + 18, steps!.label(tick), anchor: "middle"))
        }
        for tick in values?.ticks ?? [] {
            let y = bottom - values!.fraction(tick) * height
            lines.append(line(left, y, left + width, y, stroke: "#e6e6e6"))
            lines.append(line(left - 5, y, left, y, stroke: "#555"))
            lines.append(text(left - 8, y + 4, values!.label(tick), anchor: "end"))
        }
        lines.append("<rect x=\"\(number(left))\" y=\"\(number(top))\" width=\"\(number(width))\" "
                     + "height=\"\(number(height))\" fill=\"none\" stroke=\"#555\"/>")
        let middle = top + height / 2
        lines.append("<text x=\"22\" y=\"\(number(middle))\" transform=\"rotate(-90 22 \(number(middle)))\" "
                     + "text-anchor=\"middle\">\(Self.escaped(panel.label))</text>")
        if isLast { lines.append(text(left + width / 2, bottom + 40, "step", anchor: "middle")) }
        // Lines stay inside the frame, give or take the dots that the margin-less step axis puts on its edges.
        lines.append("<clipPath id=\"panel-\(index)\"><rect x=\"\(number(left - 4))\" y=\"\(number(top - 4))\" "
                     + "width=\"\(number(width + 8))\" height=\"\(number(height + 8))\"/></clipPath>")
        lines.append("<g clip-path=\"url(#panel-\(index))\" fill=\"none\">")
        if let steps, let values {
            for series in panel.series {
                let points = series.points.map { point in
                    (left + steps.fraction(point.step) * width, bottom - values.fraction(point.value) * height)
                }.filter { $0.0.isFinite && $0.1.isFinite }
                lines += draw(series, at: points)
            }
        }
        lines += ["</g>", "</g>"]
        return lines
    }

    /// A series' polyline; for sparse dashed or dotted series (evaluations) a dot at each point too,
    /// and a lone point as a dot, since a line needs two.
    private func draw(_ series: Series, at points: [(Double, Double)]) -> [String] {
        let colour = Self.palette[series.run % Self.palette.count]
        var lines: [String] = []
        if points.count > 1 {
            lines.append("<polyline points=\"" + points.map { number($0.0) + "," + number($0.1) }.joined(separator: " ")
                         + "\" stroke=\"\(colour)\" \(strokeStyle(series.style))/>")
        }
        if points.count == 1 || (series.style != .solid && points.count <= 60) {
            lines += points.map { "<circle cx=\"\(number($0.0))\" cy=\"\(number($0.1))\" r=\"2.5\" fill=\"\(colour)\"/>" }
        }
        return lines
    }

    private func strokeStyle(_ style: LineStyle) -> String {
        switch style {
        case .solid: "stroke-width=\"1.5\" stroke-opacity=\"0.85\""
        case .dashed: "stroke-width=\"2\" stroke-dasharray=\"7 4\""
        case .dotted: "stroke-width=\"2\" stroke-dasharray=\"2 3\""
        }
    }

    /// A line in each run's colour with its name, then a grey line of each style with its split.
    private func legend(left: Double) -> [String] {
        var lines = ["<g>"], y = Layout.top + 10
        for (run, label) in runs.enumerated() {
            let colour = Self.palette[run % Self.palette.count]
            lines.append("<line x1=\"\(number(left))\" y1=\"\(number(y))\" x2=\"\(number(left + Layout.legendLine))\" "
                         + "y2=\"\(number(y))\" stroke=\"\(colour)\" stroke-width=\"3\"/>")
            lines.append(text(left + Layout.legendLine + 6, y + 4, label, anchor: "start"))
            y += Layout.legendRow
        }
        y += Layout.legendRow / 2
        for (style, meaning) in styles {
            lines.append("<line x1=\"\(number(left))\" y1=\"\(number(y))\" x2=\"\(number(left + Layout.legendLine))\" "
                         + "y2=\"\(number(y))\" stroke=\"#555\" \(strokeStyle(style))/>")
            lines.append(text(left + Layout.legendLine + 6, y + 4, meaning, anchor: "start"))
            y += Layout.legendRow
        }
        lines.append("</g>")
        return lines
    }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String) -> String {
        "<line x1=\"\(number(x1))\" y1=\"\(number(y1))\" x2=\"\(number(x2))\" y2=\"\(number(y2))\" stroke=\"\(stroke)\"/>"
    }

    private func text(_ x: Double, _ y: Double, _ content: String, anchor: String) -> String {
        "<text x=\"\(number(x))\" y=\"\(number(y))\" text-anchor=\"\(anchor)\">\(Self.escaped(content))</text>"
    }

    /// One decimal: a tenth of a pixel is finer than any screen shows, and keeps the file small.
    private func number(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Text made safe inside an SVG or HTML element or a double-quoted attribute. Control characters,
    /// which XML does not allow at all, become U+FFFD; tabs and line breaks become spaces unless
    /// `keepingLines` (text for a `<pre>`).
    static func escaped(_ text: String, keepingLines: Bool = false) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case _ where keepingLines && (scalar == "\t" || scalar == "\n"): out.unicodeScalars.append(scalar)
            case "\t", "\n", "\r": out += " "
            default: out.unicodeScalars.append(scalar.value < 0x20 ? "\u{FFFD}" : scalar)
            }
        }
        return out
    }
}
