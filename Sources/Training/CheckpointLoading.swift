import Core
import Engine
import Foundation
import Runs
import Spec
import Text

/// Which of a run's checkpoints a command reads (`--checkpoint latest|best|FILE`).
public enum CheckpointChoice: Sendable, Equatable {
    /// The newest readable step checkpoint: where training stopped, and where `resume` goes on.
    case latest
    /// `checkpoints/best.ckpt`, the weights of the best validation loss: those the test split was scored with.
    case best
    /// A checkpoint file of the run, by path.
    case file(String)

    /// `latest`, `best`, or else a path.
    public init(_ text: String) {
        switch text {
        case "latest": self = .latest
        case "best": self = .best
        default: self = .file(text)
        }
    }
}

/// Opening a run's checkpoints (and a translation run's tokenizers), as every task's session does it.
extension RunDirectory {
    /// The chosen checkpoint, checked to belong to the run's spec.yaml as it was written when the run
    /// started (the hash of its text). The text, not the spec it loads to: a key that a later SeqLab
    /// adds is written by it at its default and would change the spec's hash, but an earlier run's file
    /// and checkpoints stay as they were, and must open.
    func checkpoint(_ choice: CheckpointChoice = .latest) throws -> CheckpointStore.Latest {
        let chosen: CheckpointStore.Latest
        switch choice {
        case .latest:
            chosen = try checkpoints.latest()
        case .best:
            let url = checkpoints.bestURL
            guard FileManager.default.fileExists(atPath: url.path) else { throw TrainingError.noBestCheckpoint(run: self.url.path) }
            chosen = CheckpointStore.Latest(checkpoint: try Checkpoint.read(from: url), url: url, skipped: [])
        case .file(let path):
            let url = URL(fileURLWithPath: path)
            guard FileManager.default.fileExists(atPath: url.path) else { throw TrainingError.noCheckpointFile(path: path) }
            chosen = CheckpointStore.Latest(checkpoint: try Checkpoint.read(from: url), url: url, skipped: [])
        }
        try chosen.checkpoint.verify(specHash: try specTextHash(), path: chosen.url.path)
        return chosen
    }

    /// Writes the chosen checkpoint's weights as `directory/model.safetensors` under the run's own keys,
    /// with the run's spec.yaml beside them (made if missing); returns the file and what was skipped.
    public func exportWeights(to directory: URL, checkpoint choice: CheckpointChoice) throws -> (file: URL, warnings: [String]) {
        let chosen = try checkpoint(choice)
        var tensors: [Safetensors.Tensor] = [], offset = 0
        for entry in chosen.checkpoint.entries {
            let count = entry.shape.count
            tensors.append(Safetensors.Tensor(name: entry.key, shape: entry.shape.dims,
                                              values: Array(chosen.checkpoint.values[offset..<(offset + count)])))
            offset += count
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw RunError.io(path: directory.path, operation: "create directory", reason: error.localizedDescription)
        }
        let file = directory.appendingPathComponent("model.safetensors")
        let weights = Safetensors(tensors: tensors, metadata: ["format": "pt", "seqlab_step": String(chosen.checkpoint.step)])
        try atomicWrite(Data(weights.encoded()), to: file)
        try atomicWrite(try Data(contentsOf: specURL), to: directory.appendingPathComponent("spec.yaml"))
        return (file, chosen.warnings)
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
    /// Takes every weight and buffer from a safetensors file with exactly the arena's keys and shapes
    /// (`init_from`); `source` is the file or a directory holding `model.safetensors`.
    func importWeights(from source: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
            throw TrainingError.missingWeights(path: source.path)
        }
        let file = isDirectory.boolValue ? source.appendingPathComponent("model.safetensors") : source
        let bytes: Data
        do {
            bytes = try Data(contentsOf: file)
        } catch {
            throw TrainingError.missingWeights(path: file.path)
        }
        let weights = try Safetensors.decode([UInt8](bytes), path: file.path)
        let imported = Checkpoint(specHash: 0, step: 0, epoch: 0, generators: [:],
                                  entries: weights.tensors.map { Checkpoint.Entry(key: $0.name, shape: Shape($0.shape)) },
                                  values: weights.tensors.flatMap(\.values))
        try load(imported, path: file.path)
    }

    /// Takes the weights and buffers of `checkpoint` (read from `path`), checked against the arena's layout.
    func load(_ checkpoint: Checkpoint, path: String) throws {
        restore(try checkpoint.parameters(for: checkpointLayout, path: path))
    }
}
