import Engine
import Runs
import Spec
import Text

/// Opening a run's checkpoints (and a translation run's tokenizers), as every task's session does it.
extension RunDirectory {
    /// The newest readable checkpoint, checked to belong to the run's spec.yaml as it was written when
    /// the run started (the hash of its text). The text, not the spec it loads to: a key that a later
    /// SeqLab adds is written by it at its default and would change the spec's hash, but an earlier
    /// run's file and checkpoints stay as they were, and must open.
    func latestCheckpoint() throws -> CheckpointStore.Latest {
        let latest = try checkpoints.latest()
        try latest.checkpoint.verify(specHash: try specTextHash(), path: latest.url.path)
        return latest
    }

    /// A translation run's tokenizers, source and target.
    func translationTokenizers() throws -> (source: any Tokenizer, target: any Tokenizer) {
        (try TokenizerFile.load(from: tokenizerURL(side: "source")), try TokenizerFile.load(from: tokenizerURL(side: "target")))
    }

    /// The hash checkpoints carry for this run: of spec.yaml's text.
    func specTextHash() throws -> UInt64 {
        Checkpoint.specHash(of: try String(contentsOf: specURL, encoding: .utf8))
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
