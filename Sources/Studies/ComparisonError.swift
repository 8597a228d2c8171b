/// What can be wrong with the runs `runner table` and `runner plot` are asked to compare.
public enum ComparisonError: Error, Equatable, CustomStringConvertible {
    /// `option` (`--sort`, `--metric`) named a metric that none of the runs recorded.
    case unknownMetric(String, option: String, available: [String])
    /// The run's metrics.jsonl is missing or holds no metric: it has not logged a step yet.
    case noMetrics(path: String)
    /// A log-scale axis cannot show a value that is not above zero.
    case notPositive(metric: String, value: Double, step: Int, run: String)

    public var description: String {
        switch self {
        case .unknownMetric(let metric, let option, let available):
            "\(option) \(metric): no run recorded that metric; "
                + (available.isEmpty ? "they recorded none" : "they have \(available.joined(separator: ", "))")
        case .noMetrics(let path):
            "\(path) holds no metrics: the run has not logged a step yet"
        case .notPositive(let metric, let value, let step, let run):
            "--log needs values above 0, but \(run) has \(metric) \(value) at step \(step); plot without --log"
        }
    }

    /// DESIGN.md: 66 for missing input, 64 for a request the runs cannot answer.
    public var exitCode: Int32 {
        switch self {
        case .noMetrics: 66
        case .unknownMetric, .notPositive: 64
        }
    }
}
