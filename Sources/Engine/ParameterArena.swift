import Core
import Foundation
import Graph

/// Parameters, their gradients and the non-trainable buffers, each one contiguous allocation with
/// stable keys. Programs compiled from different graphs of one model (training, evaluation,
/// decoding) share one arena, so they always see the same weights.
public final class ParameterArena {
    /// Trainable parameters; gradients use the same offsets.
    public let layout: ParameterLayout
    /// Non-trainable state such as BatchNorm running statistics.
    public let bufferLayout: ParameterLayout
    public let values: UnsafeMutableBufferPointer<Float>
    public let gradients: UnsafeMutableBufferPointer<Float>
    public let buffers: UnsafeMutableBufferPointer<Float>

    /// Allocates and initialises every parameter and buffer of `graph` from `seed`, in registration
    /// order. Without `gradients` (weights that learn in place, word vectors) the gradient storage is empty.
    public init(graph: Graph, seed: UInt64, gradients withGradients: Bool = true) {
        var layout = ParameterLayout(), bufferLayout = ParameterLayout()
        for info in graph.parameters {
            if info.trainable {
                layout.append(key: info.key, shape: info.shape, decay: info.decay)
            } else {
                bufferLayout.append(key: info.key, shape: info.shape, decay: false)
            }
        }
        self.layout = layout
        self.bufferLayout = bufferLayout
        values = .allocate(capacity: layout.count)
        gradients = .allocate(capacity: withGradients ? layout.count : 0)
        buffers = .allocate(capacity: bufferLayout.count)
        gradients.initialize(repeating: 0)
        var rng = SeededGenerator(seed: seed)
        for info in graph.parameters {
            let (storage, slot) = info.trainable ? (values, layout[info.key]!) : (buffers, bufferLayout[info.key]!)
            let region = UnsafeMutableBufferPointer(rebasing: storage[slot.range])
            info.initializer.fill(region, shape: info.shape, rng: &rng)
        }
    }

    deinit {
        values.deallocate()
        gradients.deallocate()
        buffers.deallocate()
    }

    /// `parameters       226844 floats, 0.87 MiB`: one line of a memory summary, the label in a column of 17.
    public static func memoryLine(_ label: String, floats: Int) -> String {
        label.padding(toLength: 17, withPad: " ", startingAt: 0) + "\(floats) floats, " + mebibytes(floats: floats)
    }

    /// `0.87 MiB`: the size of `floats` floats, as memory summaries print it.
    public static func mebibytes(floats: Int) -> String {
        String(format: "%.2f MiB", Double(floats * MemoryLayout<Float>.stride) / 1_048_576)
    }

    /// Bytes of parameter values, of gradients and of buffers.
    public var parameterBytes: Int { layout.count * MemoryLayout<Float>.stride }
    public var bufferBytes: Int { bufferLayout.count * MemoryLayout<Float>.stride }

    /// The storage of a parameter or buffer, checked against the shape a graph expects.
    func storage(for info: ParameterInfo) throws -> UnsafeMutablePointer<Float> {
        let (base, slot) = info.trainable ? (values, layout[info.key]) : (buffers, bufferLayout[info.key])
        guard let slot else { throw EngineError.unknownParameter(info.key) }
        guard slot.shape == info.shape else { throw EngineError.parameterShape(key: info.key, expected: slot.shape, got: info.shape) }
        return base.baseAddress! + slot.offset
    }

    /// The gradient slot of a trainable parameter, checked against the shape a graph expects.
    func gradientStorage(for key: String, shape: Shape) throws -> UnsafeMutablePointer<Float> {
        guard let slot = layout[key] else { throw EngineError.unknownParameter(key) }
        guard slot.shape == shape else { throw EngineError.parameterShape(key: key, expected: slot.shape, got: shape) }
        return gradients.baseAddress! + slot.offset
    }

    private func slot(_ key: String) throws -> (UnsafeMutableBufferPointer<Float>, ParameterSlot) {
        if let slot = layout[key] { return (values, slot) }
        if let slot = bufferLayout[key] { return (buffers, slot) }
        throw EngineError.unknownParameter(key)
    }

    /// The values of a parameter or buffer.
    public func value(_ key: String) throws -> [Float] {
        let (storage, slot) = try slot(key)
        return Array(storage[slot.range])
    }

    /// The storage of a parameter or buffer, for code that updates weights in place (word vectors).
    public func storage(_ key: String) throws -> UnsafeMutablePointer<Float> {
        let (storage, slot) = try slot(key)
        return storage.baseAddress! + slot.offset
    }

    /// The gradient the last training run left for a parameter.
    public func gradient(_ key: String) throws -> [Float] {
        guard let slot = layout[key] else { throw EngineError.unknownParameter(key) }
        return Array(gradients[slot.range])
    }

    /// Parameters then buffers: what a checkpoint stores, so that running statistics and counted
    /// tables come back with the weights.
    public var checkpointLayout: ParameterLayout {
        var combined = layout
        for slot in bufferLayout.slots { combined.append(key: slot.key, shape: slot.shape, decay: false) }
        return combined
    }

    /// The values of `checkpointLayout`.
    public var checkpointValues: [Float] { Array(values) + Array(buffers) }

    /// Overwrites parameters and buffers with `state`, laid out as `checkpointLayout`.
    public func restore(_ state: [Float]) {
        precondition(state.count == layout.count + bufferLayout.count, "a state of the checkpoint layout")
        _ = values.update(fromContentsOf: state[..<layout.count])
        _ = buffers.update(fromContentsOf: state[layout.count...])
    }

    public func setValue(_ key: String, _ newValues: [Float]) throws {
        let (storage, slot) = try slot(key)
        guard newValues.count == slot.count else { throw EngineError.valueCount(key: key, expected: slot.count, got: newValues.count) }
        _ = UnsafeMutableBufferPointer(rebasing: storage[slot.range]).update(fromContentsOf: newValues)
    }
}
