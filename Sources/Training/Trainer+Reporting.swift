import Core
import Data
import Foundation
import Planner
import Runs
import Spec

/// What a run reports: the log line and metrics of each report, the summary's last and best values,
/// the best-validation checkpoint, the test split at the end, and a counted model's only "step".
extension Trainer {
    /// A resumed run's summary covers the reports made before its checkpoint; a model fit by counting
    /// is counted before the (empty) loop.
    func begin() throws {
        if position.step > 0 {
            (last, best) = try Self.reported(in: run.metricsURL, upTo: position.step, bestBy: spec.checkpoint.bestBy)
        }
        try log?.line("training \(spec.name): \(recipe.totalSteps) steps, \(arena.layout.count) parameters"
            + (team.size > 1 ? " on \(team.size) MPI ranks" : ""))
        if let note = session.dataNote { try log?.line(note) }
        if session.fitsByCounting, position.step == 0 { try count() }
    }

    /// The `last` and `best` metrics that the reports in a metrics file made up to `step`, as `record`
    /// keeps them. (The later ones, of a run killed after its checkpoint, rank 0 is about to drop; the
    /// other ranks of an MPI run may read the file before it has.)
    private static func reported(in url: URL, upTo step: Int, bestBy: String) throws
        -> (last: [String: JSONValue], best: [String: Double]) {
        var last: [String: JSONValue] = [:], best: [String: Double] = [:]
        for event in try MetricsWriter.read(url) {
            guard case .string(let split)? = event["split"], case .int(let at)? = event["step"], at <= step else { continue }
            // A training event's other fields (lr, tokens/s, grad norm) are not metrics the summary keeps.
            let names = split == "train" ? ["loss", "ppl"] : event.keys.filter { !["step", "epoch", "split"].contains($0) }
            var metrics: [String: JSONValue] = [:]
            for name in names { if let value = event[name] { metrics[split + "." + name] = value } }
            last.merge(metrics) { $1 }
            keepBest(metrics, in: &best, bestBy: bestBy)
        }
        return (last, best)
    }

    /// Keeps the lowest of every loss and the best of the `bestBy` metric (a NaN is never best).
    private static func keepBest(_ metrics: [String: JSONValue], in best: inout [String: Double], bestBy: String) {
        for (key, value) in metrics where key.hasSuffix(".loss") || key == bestBy {
            guard case .double(let number) = value, isImprovement(number, over: best[key], for: key) else { continue }
            best[key] = number
        }
    }

    private static func isImprovement(_ value: Double, over previous: Double?, for metric: String) -> Bool {
        previous.map { MetricDirection.isBetter(value, than: $0, for: metric) } ?? !value.isNaN
    }

    /// The metrics a log line shows first, in this order; the others follow by name.
    static let leadingMetrics = ["bpc", "free_loss", "free_ppl", "bleu"]

    /// `  bpc 2.345  bleu 27.31`: the metrics beyond loss and perplexity. A name with a dot is a
    /// detail (`analogy.semantic`): metrics.jsonl keeps it, the line does not.
    static func extras(_ metrics: [String: Double]) -> String {
        let rest = metrics.keys.filter { !$0.contains(".") && !(["loss", "ppl"] + leadingMetrics).contains($0) }.sorted()
        return (leadingMetrics + rest).compactMap { name in
            metrics[name].map { String(format: name == "bleu" ? "  %@ %.2f" : "  %@ %.3f", name, $0) }
        }.joined()
    }

    /// Keeps a report's metrics for the summary; a new best of `checkpoint.best_by` (the validation
    /// loss unless said) checkpoints its weights (the ones the test split is scored with).
    func record(_ metrics: [String: JSONValue]) throws {
        let watched = spec.checkpoint.bestBy
        if case .double(let value)? = metrics[watched], Self.isImprovement(value, over: best[watched], for: watched) {
            try saveBest()
        }
        Self.keepBest(metrics, in: &best, bestBy: watched)
        last.merge(metrics) { $1 }
    }

    /// Gives a plateau schedule the report's value of its metric; a drop of the rate is logged.
    func observePlateau(_ metrics: [String: JSONValue]) throws {
        guard var plateau = recipe.plateau, case .double(let value)? = metrics[spec.train.schedule.metric] else { return }
        let before = plateau.lr
        let lowered = plateau.observe(value)
        recipe.plateau = plateau
        if lowered {
            try log?.line(String(format: "%@ did not improve on %.4g: lr %.4g -> %.4g", spec.train.schedule.metric,
                                plateau.state.best ?? value, before, plateau.lr))
        }
    }

    /// Logs the window's training metrics, evaluates and samples; returns the metrics for the summary.
    func report(lr: Float, gradientNorm: Float?, tokensPerSecond: Double) throws -> [String: JSONValue] {
        let (step, epoch) = (position.step, position.epoch)
        let trainLoss = position.window.loss / Double(position.window.count)
        var event: [String: JSONValue] = [
            "step": .int(step), "epoch": .int(epoch), "split": "train", "loss": .double(trainLoss),
            "ppl": .double(Foundation.exp(trainLoss)), "lr": .double(Double(lr)), "tokens_per_s": .double(tokensPerSecond),
        ]
        if let gradientNorm { event["grad_norm"] = .double(Double(gradientNorm)) }
        try metrics?.append(event, sync: true)
        var summary: [String: JSONValue] = ["train.loss": .double(trainLoss), "train.ppl": .double(Foundation.exp(trainLoss))]
        var line = String(format: "step %d/%d  epoch %d  loss %.4f  ppl %.3f  lr %.4g  %.0f tok/s", step, recipe.totalSteps,
                          epoch, trainLoss, Foundation.exp(trainLoss), lr, tokensPerSecond)
        if let valid = try session.evaluate("valid") {
            line += (valid["loss"].map { String(format: "  valid ppl %.3f", Foundation.exp($0)) } ?? "  valid") + Self.extras(valid)
            try metrics?.append(valid.mapValues { .double($0) }.merging(["step": .int(step), "split": "valid"]) { $1 }, sync: true)
            for (name, value) in valid { summary["valid." + name] = .double(value) }
        }
        try log?.line(line)
        // The sample is rank 0's alone: every rank holds the same weights.
        if team.isLeader, let text = try session.sample(step: step) {
            try run.appendSample(step: step, text: text)
            try metrics?.text("samples", text, step: step)
            try log?.line("  sample: \(text)")
        }
        return summary
    }

    /// A counted model's whole training: its parameters from the training split; then the train and
    /// valid splits are scored exactly and the counts checkpointed, as a trained model's would be.
    func count() throws {
        try session.count()
        for split in ["train", "valid"] {
            guard let scores = try session.evaluate(split), let loss = scores["loss"] else { continue }
            try metrics?.append(["step": .int(0), "split": .string(split), "loss": .double(loss),
                                 "ppl": .double(Foundation.exp(loss))], sync: true)
            try log?.line(String(format: "%@ loss %.4f  ppl %.3f", split, loss, Foundation.exp(loss)))
            (last[split + ".loss"], last[split + ".ppl"]) = (.double(loss), .double(Foundation.exp(loss)))
            best[split + ".loss"] = loss
        }
        if last["valid.loss"] != nil { try saveBest() }
        try saveCheckpoint()
    }

    /// Scores the test split and writes summary.json; returns the final metrics. `revision` is the
    /// git commit the run was started (or resumed) from.
    func finish(started: Date, revision: String?) throws -> [String: JSONValue] {
        try scoreTest()
        var summary: [String: JSONValue] = [
            "final": .object(JSONObject(last)), "best": .object(JSONObject(best.mapValues { .double($0) })),
            "steps": .int(position.step), "epochs": .int(position.epoch), "parameters": .int(arena.layout.count),
            "wall_s": .double(Date().timeIntervalSince(started)), "machine": .object(JSONObject(Machine.description)),
            "spec_hash": .string(String(spec.hash, radix: 16)),
        ]
        if let revision { summary["git_revision"] = .string(revision) }
        if let reproduces = spec.reproduces, case .double(let ours)? = last[reproduces.metric] {
            summary["reproduces"] = .object([
                "metric": .string(reproduces.metric), "published": .double(reproduces.value), "ours": .double(ours),
                "within_tolerance": .bool(abs(ours - reproduces.value) <= reproduces.tolerance),
            ])
        }
        if team.size > 1 { summary["ranks"] = .int(team.size) }
        summary.merge(session.summaryExtras) { ours, _ in ours }
        if team.isLeader { try run.writeSummary(summary) }
        return last
    }

    /// The test split is scored once, at the end, with the weights of the best validation loss when
    /// there is one (the checkpoint a paper would test); the last weights stay in the step checkpoints.
    /// Rank 0, which wrote it, says whether there is one: every rank scores the same weights. The
    /// test line of metrics.jsonl carries the step of the weights it scored.
    private func scoreTest() throws {
        let bestURL = run.checkpoints.bestURL
        let hasBest = try team.broadcast(FileManager.default.fileExists(atPath: bestURL.path) ? "best" : "", "best checkpoint")
        var scoredStep = position.step
        if hasBest == "best" {
            let best = try Checkpoint.read(from: bestURL)
            try arena.load(best, path: bestURL.path)
            scoredStep = best.step
        }
        guard let test = try session.evaluate("test"), let testLoss = test["loss"] else { return }
        try metrics?.append(test.mapValues { .double($0) }.merging(["step": .int(scoredStep), "split": "test"]) { $1 },
                           sync: true)
        try log?.line(String(format: "test loss %.4f  ppl %.3f", testLoss, Foundation.exp(testLoss)) + Self.extras(test))
        for (name, value) in test { last["test." + name] = .double(value) }
    }
}
