import Foundation

/// A heat map of attention weights as a standalone SVG: one column per source token, one row per
/// target token, each cell as dark as its weight (white 0, black 1), the source tokens written
/// above the columns (turned), the target tokens left of the rows, the largest weight of each row
/// outlined. `grid` lays several maps out in one SVG (a Transformer's layers and heads), each under
/// its title.
public struct AttentionMap {
    public let source: [String]
    public let target: [String]
    /// weights[t][s]: target row t, source column s.
    public let weights: [[Double]]
    /// Written above the map in a grid ("layer 1, head 2").
    public let title: String?

    public init(source: [String], target: [String], weights: [[Double]], title: String? = nil) {
        precondition(weights.count == target.count && weights.allSatisfy { $0.count == source.count },
                     "one row of weights per target token, one column per source token")
        (self.source, self.target, self.weights, self.title) = (source, target, weights, title)
    }

    private static let cell = 22.0
    private static let characterWidth = 7.5
    private static let margin = 12.0

    public var svg: String { Self.document(width: size.width, height: size.height, body: elements(x: 0, y: 0)) }

    /// `maps` in rows of `columns`, each placed in a slot as large as the largest map.
    public static func grid(_ maps: [AttentionMap], columns: Int) -> String {
        let columns = max(1, min(columns, maps.count))
        let (slotWidth, slotHeight) = (maps.map(\.size.width).max() ?? 0, maps.map(\.size.height).max() ?? 0)
        let rows = (maps.count + columns - 1) / columns
        let body = maps.enumerated().flatMap { index, map in
            map.elements(x: slotWidth * Double(index % columns), y: slotHeight * Double(index / columns))
        }
        return document(width: slotWidth * Double(columns), height: slotHeight * Double(rows), body: body)
    }

    private static func document(width: Double, height: Double, body: [String]) -> String {
        ([
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(number(width))\" height=\"\(number(height))\" "
                + "viewBox=\"0 0 \(number(width)) \(number(height))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
        ] + body + ["</svg>"]).joined(separator: "\n") + "\n"
    }

    /// Where the cells start: right of the longest target token, below the longest source token and
    /// the title.
    private var origin: (left: Double, top: Double) {
        (Self.margin + Self.characterWidth * Double(target.map(\.count).max() ?? 0),
         Self.margin + Self.characterWidth * Double(source.map(\.count).max() ?? 0) + (title == nil ? 0 : 18))
    }

    private var size: (width: Double, height: Double) {
        let (left, top) = origin
        return (left + Self.cell * Double(source.count) + Self.margin, top + Self.cell * Double(target.count) + Self.margin)
    }

    /// The map's SVG elements with its top-left corner at (x, y).
    private func elements(x: Double, y: Double) -> [String] {
        let cell = Self.cell
        let (left, top) = (x + origin.left, y + origin.top)
        var lines: [String] = []
        if let title {
            lines.append("<text x=\"\(Self.number(x + Self.margin))\" y=\"\(Self.number(y + Self.margin + 4))\" "
                + "font-weight=\"bold\">\(CurvePlot.escaped(title))</text>")
        }
        for (s, token) in source.enumerated() {
            let column = left + cell * (Double(s) + 0.5) + 4
            lines.append("<text x=\"\(Self.number(column))\" y=\"\(Self.number(top - 6))\" transform=\"rotate(-90 "
                + "\(Self.number(column)) \(Self.number(top - 6)))\">\(CurvePlot.escaped(token))</text>")
        }
        for (t, row) in weights.enumerated() {
            let rowTop = top + cell * Double(t)
            lines.append("<text x=\"\(Self.number(left - 6))\" y=\"\(Self.number(rowTop + cell / 2 + 4))\" text-anchor=\"end\">"
                + "\(CurvePlot.escaped(target[t]))</text>")
            let strongest = row.indices.max { row[$0] < row[$1] }
            for (s, weight) in row.enumerated() {
                let shade = Int((255 * (1 - min(max(weight, 0), 1))).rounded())
                let stroke = s == strongest ? " stroke=\"#d62728\" stroke-width=\"1.5\"" : ""
                lines.append("<rect x=\"\(Self.number(left + cell * Double(s)))\" y=\"\(Self.number(rowTop))\" "
                    + "width=\"\(Self.number(cell))\" height=\"\(Self.number(cell))\" fill=\"rgb(\(shade),\(shade),\(shade))\""
                    + "\(stroke)><title>" + String(format: "%.3f", weight) + "</title></rect>")
            }
        }
        return lines
    }

    private static func number(_ value: Double) -> String { String(format: "%.1f", value) }
}
