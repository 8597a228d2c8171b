import Foundation

/// Process-wide switches read from the environment.
public enum SeqLabEnvironment {
    /// `SEQLAB_DEBUG=1` turns on per-op timings and other diagnostics.
    public static var debug: Bool {
        guard let value = ProcessInfo.processInfo.environment["SEQLAB_DEBUG"] else { return false }
        return !["", "0", "false", "no"].contains(value.lowercased())
    }
}
