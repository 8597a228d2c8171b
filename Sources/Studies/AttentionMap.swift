import Foundation

/// A heat map of attention weights as a standalone SVG: one column per source token, one row per
/// target token, each cell as dark as its weight (white 0, black 1), the source tokens written
/// above the columns (turned), the target tokens left of the rows, the largest weight of each row
/// outlined.
public struct AttentionMap {
    public let source: [String]
    public let target: [String]
    /// weights[t][s]: target row t, source column s.
    public let weights: [[Double]]

    public init(source: [String], target: [String], weights: [[Double]]) {
        precondition(weights.count == target.count && weights.allSatisfy { $0.count == source.count },
                     "one row of weights per target token, one column per source token")
        (self.source, self.target, self.weights) = (source, target, weights)
    }

    private static let cell = 22.0
    private static let characterWidth = 7.5

    public var svg: String {
        let cell = Self.cell
        let left = 12 + Self.characterWidth * Double(target.map(\.count).max() ?? 0)
        let top = 12 + Self.characterWidth * Double(source.map(\.count).max() ?? 0)
        let (width, height) = (left + cell * Double(source.count) + 12, top + cell * Double(target.count) + 12)
        var lines = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" "
                + "viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
        ]
        for (s, token) in source.enumerated() {
            let x = left + cell * (Double(s) + 0.5) + 4
            lines.append("<text x=\"\(Self.number(x))\" y=\"\(Self.number(top - 6))\" transform=\"rotate(-90 \(Self.number(x)) "
                + "\(Self.number(top - 6)))\">\(CurvePlot.escaped(token))</text>")
        }
        for (t, row) in weights.enumerated() {
            let y = top + cell * Double(t)
            lines.append("<text x=\"\(Self.number(left - 6))\" y=\"\(Self.number(y + cell / 2 + 4))\" text-anchor=\"end\">"
                + "\(CurvePlot.escaped(target[t]))</text>")
            let strongest = row.indices.max { row[$0] < row[$1] }
            for (s, weight) in row.enumerated() {
                let shade = Int((255 * (1 - min(max(weight, 0), 1))).rounded())
                let stroke = s == strongest ? " stroke=\"#d62728\" stroke-width=\"1.5\"" : ""
                lines.append("<rect x=\"\(Self.number(left + cell * Double(s)))\" y=\"\(Self.number(y))\" width=\"\(Self.number(cell))\" "
                    + "height=\"\(Self.number(cell))\" fill=\"rgb(\(shade),\(shade),\(shade))\"\(stroke)><title>"
                    + String(format: "%.3f", weight) + "</title></rect>")
            }
        }
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func number(_ value: Double) -> String { String(format: "%.1f", value) }
}
