import Core
import Data
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
            guard FileManager.default.fileExists(atPath: url.path) else {
                let bestBy = (try? ExperimentSpec.load(path: specURL.path))?.checkpoint.bestBy ?? CheckpointSpec().bestBy
                throw TrainingError.noBestCheckpoint(run: self.url.path, bestBy: bestBy)
            }
            chosen = CheckpointStore.Latest(checkpoint: try Checkpoint.read(from: url), url: url, skipped: [])
        case .file(let path):
            let url = URL(fileURLWithPath: path)
            guard FileManager.default.fileExists(atPath: url.path) else { throw TrainingError.noCheckpointFile(path: path) }
            chosen = CheckpointStore.Latest(checkpoint: try Checkpoint.read(from: url), url: url, skipped: [])
        }
        try chosen.checkpoint.verify(specHash: try specTextHash(), path: chosen.url.path)
        return chosen
    }

    /// Writes the chosen checkpoint's weights as `directory/model.safetensors`, with the run's spec.yaml
    /// beside them (the directory made if missing). A model Hugging Face has an architecture for (a
    /// pre-LN `gpt`: `GPT2LMHeadModel`) is written under that architecture's names with its config.json,
    /// so that transformers loads the directory; any other under the run's own keys. Returns the files
    /// written and what was skipped.
    public func exportWeights(to directory: URL, checkpoint choice: CheckpointChoice) throws -> (files: [URL], warnings: [String]) {
        let chosen = try checkpoint(choice)
        var tensors: [Safetensors.Tensor] = [], offset = 0
        for entry in chosen.checkpoint.entries {
            let count = entry.shape.count
            tensors.append(Safetensors.Tensor(name: entry.key, shape: entry.shape.dims,
                                              values: Array(chosen.checkpoint.values[offset..<(offset + count)])))
            offset += count
        }
        // A spec.yaml today's loader refuses (an older run's) still exports, under SeqLab's keys.
        let model = try? ExperimentSpec.load(path: specURL.path).model
        var config: JSONValue?
        if let model, HuggingFaceGPT2.unmappable(model) == nil, let tokens = tensors.first(where: { $0.name == "wte.weight" }),
           let positions = tensors.first(where: { $0.name == "wpe.weight" }) {
            config = HuggingFaceGPT2.config(model, vocabularySize: tokens.shape[0], blockSize: positions.shape[0])
            tensors = try HuggingFaceGPT2.exported(tensors, layers: model.layers)
        }
        // Into a run's own directory, the spec.yaml beside the weights would replace the run's.
        if FileManager.default.fileExists(atPath: directory.path) {
            for name in ["model.safetensors", "config.json", Self.specFileName] {
                _ = try Self.checkOutput(directory.appendingPathComponent(name).path, flag: "--out")
            }
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw RunError.io(path: directory.path, operation: "create directory", reason: error.localizedDescription)
        }
        let file = directory.appendingPathComponent("model.safetensors")
        let weights = Safetensors(tensors: tensors, metadata: ["format": "pt", "seqlab_step": String(chosen.checkpoint.step)])
        try atomicWrite(Data(weights.encoded()), to: file)
        var files = [file]
        let configURL = directory.appendingPathComponent("config.json")
        if let config {
            files.append(configURL)
            try atomicWrite(Data((config.pretty + "\n").utf8), to: configURL)
        } else {
            // An earlier export's config.json would make init_from read these SeqLab keys as GPT-2's.
            try? FileManager.default.removeItem(at: configURL)
        }
        let spec = directory.appendingPathComponent(Self.specFileName)
        try atomicWrite(try Data(contentsOf: specURL), to: spec)
        return (files + [spec], chosen.warnings)
    }

    /// A translation run's tokenizers, source and target.
    func translationTokenizers() throws -> (source: any Tokenizer, target: any Tokenizer) {
        (try TokenizerFile.load(from: tokenizerURL(side: "source")), try TokenizerFile.load(from: tokenizerURL(side: "target")))
    }

    /// A classification run's class names, in the order of their ids.
    func labels() throws -> [String] {
        let labels = try DataLocator.readLines(at: labelsURL)
        guard labels.count >= 2 else { throw RunError.badFile(path: labelsURL.path, reason: "needs two class names or more") }
        return labels
    }
}

extension CheckpointStore.Latest {
    /// The newer checkpoints that could not be read and were passed over: never silent.
    var warnings: [String] { skipped.map { "warning: skipped \($0)" } }
}

extension ParameterArena {
    /// Takes every weight and buffer from a safetensors file (`init_from`); `source` is the file or a
    /// directory holding `model.safetensors`. With a Hugging Face config.json beside it, the file is read
    /// as that architecture's and checked against `model`; without one it must have exactly the arena's
    /// keys and shapes, as `runner export` writes them.
    func importWeights(from source: URL, model: ModelSpec) throws {
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
        let configURL = file.deletingLastPathComponent().appendingPathComponent("config.json")
        let config = FileManager.default.fileExists(atPath: configURL.path) ? try huggingFaceConfig(at: configURL.path) : nil
        var tensors = try Safetensors.decode([UInt8](bytes), path: file.path).tensors
        if let config {
            tensors = try HuggingFaceGPT2.imported(tensors, config: config, configPath: configURL.path, model: model,
                                                   weightsPath: file.path)
        }
        let imported = Checkpoint(specHash: 0, step: 0, epoch: 0, generators: [:],
                                  entries: tensors.map { Checkpoint.Entry(key: $0.name, shape: Shape($0.shape)) },
                                  values: tensors.flatMap(\.values))
        try load(imported, path: file.path)
    }

    /// A Hugging Face config.json of an architecture SeqLab maps (GPT-2), as a JSON object.
    private func huggingFaceConfig(at path: String) throws -> JSONObject {
        let refuse = { (reason: String) in RunError.badFile(path: path, reason: reason) }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: [UInt8](try readFileBytes(atPath: path)))
        } catch let failure as FileReadFailure {
            throw refuse(failure.reason)
        } catch {
            throw refuse("\(error)")
        }
        guard case .object(let config) = value else { throw refuse("a Hugging Face config is a JSON object, not \(value.typeName)") }
        guard config["model_type"] == "gpt2" else {
            let named = config["model_type"].map { "model_type \($0.compact)" } ?? "no model_type"
            let listed = config["architectures"].map { " (architectures \($0.compact))" } ?? ""
            throw refuse("describes \(named)\(listed); init_from reads Hugging Face's \(HuggingFaceGPT2.architecture) "
                + "(model_type gpt2), or SeqLab's own export without a config.json")
        }
        return config
    }

    /// Takes the weights and buffers of `checkpoint` (read from `path`), checked against the arena's layout.
    func load(_ checkpoint: Checkpoint, path: String) throws {
        restore(try checkpoint.parameters(for: checkpointLayout, path: path))
    }
}
