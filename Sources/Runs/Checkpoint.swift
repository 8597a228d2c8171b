import Core
import Foundation

/// Everything `runner resume` needs to continue a run bit for bit: where it was (step, epoch, the
/// carried data position in `metadata`), every random generator's state, the flat parameter arena
/// with its table of keys and shapes, and the optimizer's flat state. The binary form is described
/// in Checkpoint+Format.swift.
public struct Checkpoint: Hashable, Sendable {
    /// One row of the parameter table: the values of `key` are the next `shape.count` floats of
    /// `values`, in table order (row-major), exactly as in the model's `ParameterLayout`.
    public struct Entry: Hashable, Sendable {
        public var key: String
        public var shape: Shape

        public init(key: String, shape: Shape) {
            self.key = key
            self.shape = shape
        }
    }

    /// FNV-1a hash of the resolved spec that produced the run (see `specHash(of:)`).
    public var specHash: UInt64
    /// Optimizer steps completed.
    public var step: Int
    public var epoch: Int
    /// Generator states by role, e.g. "data" and "dropout".
    public var generators: [String: SeededGenerator]
    public var entries: [Entry]
    /// The parameter arena, `entries` laid end to end.
    public var values: [Float]
    /// The optimizer's flat state (e.g. AdamW's m then v, each arena-sized); empty for plain SGD.
    public var optimizerState: [Float]
    /// The optimizer's own step counter (bias correction), which may differ from `step`.
    public var optimizerStep: Int
    /// Free-form facts the loop needs to resume, e.g. the position within a data epoch.
    public var metadata: [String: JSONValue]

    public init(specHash: UInt64, step: Int, epoch: Int, generators: [String: SeededGenerator],
                entries: [Entry], values: [Float], optimizerState: [Float] = [], optimizerStep: Int = 0,
                metadata: [String: JSONValue] = [:]) {
        precondition(entries.reduce(0) { $0 + $1.shape.count } == values.count,
                     "the parameter table describes a different number of floats than given")
        self.specHash = specHash
        self.step = step
        self.epoch = epoch
        self.generators = generators
        self.entries = entries
        self.values = values
        self.optimizerState = optimizerState
        self.optimizerStep = optimizerStep
        self.metadata = metadata
    }

    /// A checkpoint of the arena described by `layout`.
    public init(specHash: UInt64, step: Int, epoch: Int, generators: [String: SeededGenerator],
                layout: ParameterLayout, values: [Float], optimizerState: [Float] = [], optimizerStep: Int = 0,
                metadata: [String: JSONValue] = [:]) {
        self.init(specHash: specHash, step: step, epoch: epoch, generators: generators,
                  entries: layout.slots.map { Entry(key: $0.key, shape: $0.shape) }, values: values,
                  optimizerState: optimizerState, optimizerStep: optimizerStep, metadata: metadata)
    }

    /// The hash a checkpoint carries for the resolved spec text: FNV-1a over its UTF-8 bytes. Any
    /// edit to spec.yaml changes it, which is the point: resuming under a different spec would not
    /// continue the same experiment.
    public static func specHash(of specText: String) -> UInt64 { fnv1a64(specText.utf8) }

    /// Refuses a checkpoint written for another spec. `path` names the file in the message.
    public func verify(specHash expected: UInt64, path: String) throws {
        guard specHash == expected else {
            throw RunError.specMismatch(path: path, checkpoint: specHash, expected: expected)
        }
    }

    /// Every difference between the parameter table and `layout`: keys the model has and the
    /// checkpoint lacks, keys the checkpoint has and the model lacks, and shapes that differ, in the
    /// model's key order then the checkpoint's.
    public func layoutProblems(against layout: ParameterLayout) -> [RunError.LayoutProblem] {
        let stored = Dictionary(entries.map { ($0.key, $0.shape) }, uniquingKeysWith: { first, _ in first })
        var problems: [RunError.LayoutProblem] = []
        for slot in layout.slots {
            guard let shape = stored[slot.key] else {
                problems.append(.missingKey(slot.key, shape: slot.shape.dims))
                continue
            }
            if shape != slot.shape {
                problems.append(.shapeMismatch(slot.key, model: slot.shape.dims, checkpoint: shape.dims))
            }
        }
        for entry in entries where layout[entry.key] == nil {
            problems.append(.unexpectedKey(entry.key, shape: entry.shape.dims))
        }
        return problems
    }

    /// The parameter arena arranged for `layout`, after checking that every key is present with its
    /// shape and nothing is left over (mlx's `.noUnusedKeys` + `.allModelKeysSet` + shape check).
    /// The checkpoint's table order may differ from the layout's; values are moved by key.
    public func parameters(for layout: ParameterLayout, path: String) throws -> [Float] {
        let problems = layoutProblems(against: layout)
        guard problems.isEmpty else { throw RunError.layoutMismatch(path: path, problems: problems) }
        if entries.map(\.key) == layout.slots.map(\.key) { return values }
        var offsets: [String: Int] = [:]
        var offset = 0
        for entry in entries {
            offsets[entry.key] = offset
            offset += entry.shape.count
        }
        var arena = [Float](repeating: 0, count: layout.count)
        for slot in layout.slots {
            let start = offsets[slot.key]!
            arena[slot.range] = values[start..<(start + slot.count)]
        }
        return arena
    }
}
