/// Which way a logged metric improves: losses, perplexities, bits per character and an evaluation
/// set's share of unknown words fall; BLEU, accuracies and correlations rise. The plateau schedule,
/// `runner table`'s best column and its sort ask here, by the metric's name as metrics.jsonl writes
/// it, with or without its split (`valid.loss`, `wordsim353.oov`, `bleu`).
public enum MetricDirection {
    static let falling: Set<String> = ["loss", "ppl", "bpc", "free_loss", "free_ppl", "oov"]

    public static func lowerIsBetter(_ metric: String) -> Bool {
        let name = String(metric.split(separator: ".").last ?? "")
        // A head's own loss or perplexity (`mlm_loss`, `nsp_loss`, `mlm_ppl`) falls too.
        return falling.contains(name) || name.hasSuffix("_loss") || name.hasSuffix("_ppl")
    }

    /// Whether `a` is better than `b` for `metric`.
    public static func isBetter(_ a: Double, than b: Double, for metric: String) -> Bool {
        lowerIsBetter(metric) ? a < b : a > b
    }
}
