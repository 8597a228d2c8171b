import Foundation

/// The live status line of a run on a terminal — step/total, epoch, loss, ppl, lr, grad-norm,
/// tokens/s and ETA — redrawn in place at most ten times a second. When standard output is not a
/// terminal (CI, a pipe, a file) it stays silent: the periodic log lines say the same thing.
struct ProgressLine {
    let enabled: Bool
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(echo: Bool) {
        enabled = echo && isatty(STDOUT_FILENO) != 0
    }

    mutating func update(step: Int, total: Int, epoch: Int, loss: Float, lr: Float, gradientNorm: Float?,
                         tokensPerSecond: Double, secondsPerStep: Double) {
        guard enabled, Date().timeIntervalSince(lastDraw) > 0.1 || step == total else { return }
        lastDraw = Date()
        let remaining = Double(total - step) * secondsPerStep
        var text = String(format: "step %d/%d  epoch %d  loss %.4f  ppl %.3f  lr %.4g", step, total, epoch, loss,
                          Foundation.exp(Double(loss)), lr)
        if let gradientNorm { text += String(format: "  |g| %.3f", gradientNorm) }
        text += String(format: "  %.0f tok/s  ETA %d:%02d", tokensPerSecond, Int(remaining) / 60, Int(remaining) % 60)
        FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + text).utf8))
        drawn = true
    }

    /// Erases the status line so that a log line prints on a clean line.
    mutating func clear() {
        guard drawn else { return }
        FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8))
        drawn = false
    }
}
