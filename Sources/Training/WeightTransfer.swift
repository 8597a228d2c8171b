import Engine
import Foundation
import Runs
import Spec
import Text

/// `init_from: RUN_DIR`: a new model starts from the weights of another run wherever the two share a
/// key (a classifier from a pretrained encoder): a weight of the same key and shape is taken, a key
/// the other run lacks keeps its initialization (a new head), a key of the other run this model lacks
/// is left (a pretraining head). A key of both with two shapes is an error naming it. The other run's
/// best-validation checkpoint is read when it has one, else its latest.
struct WeightTransfer: Equatable {
    /// The checkpoint read.
    let path: String
    let loaded: [String]
    /// Keys of this model the other run does not have: they keep their initialization.
    let new: [String]
    /// Keys of the other run this model does not have.
    let unused: [String]

    /// Whether `directory` is a run directory (a spec.yaml and no model.safetensors) rather than
    /// exported weights (which `runner export` writes with the run's spec.yaml beside them).
    static func isRun(_ directory: URL) -> Bool {
        let has = { (name: String) in FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path) }
        return has(RunDirectory.specFileName) && !has("model.safetensors")
    }

    /// The tokenizer of `spec`'s `init_from` run: the vocabulary its weights were trained over, which a
    /// new run starting from them must read its text with (the same characters in another order would
    /// fit every shape and scramble the embeddings). Nil when `init_from` is not a run directory.
    static func sourceTokenizer(of spec: ExperimentSpec) throws -> (any Tokenizer)? {
        guard let source = spec.initFrom.map({ URL(fileURLWithPath: $0) }) else { return nil }
        guard FileManager.default.fileExists(atPath: source.path) else { throw TrainingError.missingWeights(path: source.path) }
        return isRun(source) ? try TokenizerFile.load(from: try RunDirectory.open(source).tokenizerURL) : nil
    }

    /// Copies the shared weights (and buffers) of `run`'s checkpoint into `arena`.
    init(from run: RunDirectory, into arena: ParameterArena) throws {
        let hasBest = FileManager.default.fileExists(atPath: run.checkpoints.bestURL.path)
        let chosen = try run.checkpoint(hasBest ? .best : .latest)
        let checkpoint = chosen.checkpoint
        var offsets: [String: (offset: Int, entry: Checkpoint.Entry)] = [:]
        var offset = 0
        for entry in checkpoint.entries {
            offsets[entry.key] = (offset, entry)
            offset += entry.shape.count
        }
        let layout = arena.checkpointLayout
        var state = arena.checkpointValues
        var (loaded, new): ([String], [String]) = ([], [])
        for slot in layout.slots {
            guard let (start, entry) = offsets[slot.key] else {
                new.append(slot.key)
                continue
            }
            guard entry.shape == slot.shape else {
                throw TrainingError.weightShapeMismatch(key: slot.key, ours: slot.shape.description,
                                                        theirs: entry.shape.description, path: chosen.url.path)
            }
            state[slot.range] = checkpoint.values[start..<(start + slot.count)]
            loaded.append(slot.key)
        }
        guard !loaded.isEmpty else {
            throw TrainingError.nothingShared(path: chosen.url.path, theirs: checkpoint.entries.first?.key ?? "none",
                                              ours: layout.slots.first?.key ?? "none")
        }
        arena.restore(state)
        let ours = Set(layout.slots.map(\.key))
        (path, self.loaded, self.new) = (chosen.url.path, loaded, new)
        unused = checkpoint.entries.map(\.key).filter { !ours.contains($0) }
    }

    /// What the log says: the checkpoint read and the keys of each kind.
    var table: String {
        let row = { (name: String, keys: [String]) in
            "  \(name.padding(toLength: 7, withPad: " ", startingAt: 0)) \(keys.count)" + (keys.isEmpty ? "" : ": " + keys.joined(separator: ", "))
        }
        return "init_from \(path):\n" + [row("loaded", loaded), row("new", new), row("unused", unused)].joined(separator: "\n")
    }
}
