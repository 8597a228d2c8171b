import Engine
import Runs
import Spec

/// Opening a run's checkpoints, as every task's session does it.
extension RunDirectory {
    /// The newest readable checkpoint, checked to belong to `spec` (its hash).
    func latestCheckpoint(of spec: ExperimentSpec) throws -> CheckpointStore.Latest {
        let latest = try checkpoints.latest()
        try latest.checkpoint.verify(specHash: spec.hash, path: latest.url.path)
        return latest
    }
}

extension CheckpointStore.Latest {
    /// The newer checkpoints that could not be read and were passed over: never silent.
    var warnings: [String] { skipped.map { "warning: skipped \($0)" } }
}

extension ParameterArena {
    /// Takes the weights and buffers of `checkpoint` (read from `path`), checked against the arena's layout.
    func load(_ checkpoint: Checkpoint, path: String) throws {
        restore(try checkpoint.parameters(for: checkpointLayout, path: path))
    }
}
