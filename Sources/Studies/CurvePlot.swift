import Foundation

/// Curves against the training step, as `runner plot` draws them: panels stacked on one shared step
/// axis, each with its own y axis, one colour per run and one line style per split. This file is
/// the data and the geometry (axes, ticks); `CurvePlot+SVG.swift` draws it.
public struct CurvePlot: Sendable {
    /// How a split's line is drawn, so train and valid curves of one run (one colour) differ.
    public enum LineStyle: Sendable, Equatable {
        case solid, dashed, dotted
    }

    public struct Point: Sendable, Equatable {
        public var step: Double
        public var value: Double

        public init(step: Double, value: Double) {
            self.step = step
            self.value = value
        }
    }

    /// One line: a run's values of one metric on one split.
    public struct Series: Sendable, Equatable {
        /// The run's index in `runs`, which picks its colour.
        public var run: Int
        public var style: LineStyle
        public var points: [Point]

        public init(run: Int, style: LineStyle, points: [Point]) {
            self.run = run
            self.style = style
            self.points = points
        }
    }

    /// One chart area: its y-axis label, its scale and its lines.
    public struct Panel: Sendable {
        public var label: String
        public var logarithmic: Bool
        public var series: [Series]

        public init(label: String, logarithmic: Bool = false, series: [Series]) {
            self.label = label
            self.logarithmic = logarithmic
            self.series = series
        }
    }

    public var title: String
    /// The legend's name for each run, in colour order.
    public var runs: [String]
    /// What each line style stands for (`train`, `valid`), for the legend.
    public var styles: [(style: LineStyle, meaning: String)]
    public var panels: [Panel]

    public init(title: String, runs: [String], styles: [(style: LineStyle, meaning: String)], panels: [Panel]) {
        self.title = title
        self.runs = runs
        self.styles = styles
        self.panels = panels
    }

    /// The step axis all panels share, from step 0 so that curves read from the start of training
    /// even where the first report comes later (to step 1 when every point is at step 0, a counted
    /// model's); nil when no panel has a point.
    var stepAxis: Axis? {
        let steps = panels.flatMap { $0.series.flatMap { $0.points.map(\.step) } }
        guard let low = steps.min(), let high = steps.max() else { return nil }
        var axis = Axis.linear(min(low, 0), max(high, 1), margin: 0)
        axis.exponentFrom = 1e12
        return axis
    }

    /// A panel's y axis, around its values with a little room above and below (on a log scale, its
    /// values above zero); nil without values.
    func valueAxis(_ panel: Panel) -> Axis? {
        let values = panel.series.flatMap { $0.points.map(\.value) }
        let positive = values.filter { $0 > 0 }
        if panel.logarithmic, let low = positive.min(), let high = positive.max() { return Axis.logarithmic(low, high) }
        guard let low = values.min(), let high = values.max() else { return nil }
        return Axis.linear(low, high, margin: 0.05)
    }
}

/// A range of values on a line, and the round values along it that get a tick and a label.
struct Axis: Equatable {
    let lower: Double
    let upper: Double
    let logarithmic: Bool
    let ticks: [Double]
    /// The spacing of linear ticks, which fixes how many decimals every label shows; nil for ticks
    /// spaced 1-2-5 per decade, each labelled with as many decimals as it needs.
    let step: Double?
    /// Labels at or past this are written with an exponent; steps stay written out much further.
    var exponentFrom = 1e6

    /// Where `value` lies along the axis: 0 at `lower`, 1 at `upper`.
    func fraction(_ value: Double) -> Double {
        logarithmic ? (log10(value) - log10(lower)) / (log10(upper) - log10(lower)) : (value - lower) / (upper - lower)
    }

    func label(_ tick: Double) -> String {
        let spacing = step ?? tick
        // A tick computed as 0.1 + 0.2 would otherwise print as -0.0 or 0.30000000000000004.
        let value = abs(tick) < spacing * 1e-9 ? 0 : tick
        // Written out, a diverging loss's 3e+25 (or values of 1e-7) would run off the panel's edge:
        // an axis of such values writes every label with an exponent, with the digits the spacing needs.
        let largest = ticks.map(abs).max() ?? abs(tick)
        if largest >= exponentFrom || largest < 1e-4 {
            guard value != 0 else { return "0" }
            // Ticks 1-2-5 per decade need one digit; linear ones as many as the step is below the largest.
            let digits = step.map { Int(log10(largest).rounded(.down)) - Int(log10($0).rounded(.down)) } ?? 0
            return String(format: "%.\(min(9, max(0, digits)))e", value)
        }
        let decimals = min(12, max(0, -Int((log10(spacing)).rounded(.down))))
        return String(format: "%.\(decimals)f", value)
    }

    /// Spans `low`…`high` widened by `margin` of the span on both sides (a span of zero is widened
    /// to one around the value), ticks at every multiple of a round step.
    static func linear(_ low: Double, _ high: Double, margin: Double) -> Axis {
        var (lower, upper) = (low, high)
        if upper - lower <= 0 {
            let room = lower == 0 ? 1 : abs(lower) * 0.1
            (lower, upper) = (lower - room, upper + room)
        } else {
            let room = (upper - lower) * margin
            (lower, upper) = (lower - room, upper + room)
        }
        let step = roundStep(upper - lower, intervals: 5)
        return Axis(lower: lower, upper: upper, logarithmic: false, ticks: multiples(of: step, in: lower, upper), step: step)
    }

    /// Spans `low`…`high` (both above zero) widened by a twentieth of the span in decades. Ticks at
    /// 1, 2 and 5 times each power of ten when that gives three to ten of them, at powers of ten when
    /// the span is too wide for that, and at a linear round step when it is too narrow.
    static func logarithmic(_ low: Double, _ high: Double) -> Axis {
        let decades = max(log10(high / low), 0.2)
        let room = pow(10, decades * 0.05)
        let center = (log10(low) + log10(high)) / 2
        let (lower, upper) = (pow(10, center - decades / 2) / room, pow(10, center + decades / 2) * room)
        let powers = Int(log10(lower).rounded(.down))...Int(log10(upper).rounded(.up))
        let inside: (Double) -> Bool = { $0 >= lower * (1 - 1e-12) && $0 <= upper * (1 + 1e-12) }
        let roundValues = powers.flatMap { power in [1.0, 2, 5].map { $0 * pow(10, Double(power)) } }.filter(inside)
        if roundValues.count >= 3 && roundValues.count <= 10 {
            return Axis(lower: lower, upper: upper, logarithmic: true, ticks: roundValues, step: nil)
        }
        if roundValues.count > 10 {
            let every = max(1, Int((Double(powers.count) / 8).rounded(.up)))
            let tenths = powers.filter { $0 % every == 0 }.map { pow(10, Double($0)) }.filter(inside)
            return Axis(lower: lower, upper: upper, logarithmic: true, ticks: tenths, step: nil)
        }
        let step = roundStep(upper - lower, intervals: 5)
        return Axis(lower: lower, upper: upper, logarithmic: true, ticks: multiples(of: step, in: lower, upper), step: step)
    }

    /// Each multiple of `step` from `lower` to `upper`, computed as a whole number times `step` so
    /// that errors do not add up along the axis.
    private static func multiples(of step: Double, in lower: Double, _ upper: Double) -> [Double] {
        // A bound that is itself a multiple (the data's first step, 0) keeps its tick despite rounding.
        let (first, last) = ((lower / step - 1e-9).rounded(.up), (upper / step + 1e-9).rounded(.down))
        // Spans beyond Double's range leave no finite step; an axis without ticks still draws.
        guard step.isFinite, step > 0, first.isFinite, last.isFinite, first <= last else { return [] }
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// 1, 2 or 5 times a power of ten, whichever is nearest to cutting `span` into `intervals`
    /// pieces, so tick labels are round numbers (0.05, 20, 500) and about that many.
    static func roundStep(_ span: Double, intervals: Int) -> Double {
        let rough = span / Double(intervals)
        let power = pow(10, log10(rough).rounded(.down))
        let multiple = rough / power
        // Thresholds near the geometric means of neighbours: 1.5 between 1 and 2, 3 between 2 and 5, 7 between 5 and 10.
        return power * (multiple < 1.5 ? 1 : multiple < 3 ? 2 : multiple < 7 ? 5 : 10)
    }
}
