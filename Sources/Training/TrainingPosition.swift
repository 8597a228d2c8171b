import Core
import Foundation
import Optim
import Runs

/// Where a run is: everything beyond the weights and the optimizer that a checkpoint must hold for
/// `runner resume` to continue bit for bit — the step, the epoch, the batch within it, the data
/// generator as it stood when the epoch's batches were drawn, the carried recurrent state and the
/// running window of the next log line.
struct TrainingPosition {
    var step = 0
    var epoch = 0
    var batchInEpoch = 0
    var epochStart: SeededGenerator
    var state: [[Float]]
    var window = Window()

    struct Window {
        var loss = 0.0
        var count = 0
        var tokens = 0
    }

    init(seed: UInt64, state: [[Float]]) {
        epochStart = SeededGenerator(seed: seed)
        self.state = state
    }

    var metadata: [String: JSONValue] {
        [
            "batch_in_epoch": .int(batchInEpoch),
            "state": .array(state.map { .string(Self.encode($0)) }),
            "window_loss": .double(window.loss), "window_count": .int(window.count), "window_tokens": .int(window.tokens),
        ]
    }

    /// Restores a position saved by `metadata` from `checkpoint`; nil names what is missing.
    init(_ checkpoint: Checkpoint, path: String) throws {
        let m = checkpoint.metadata
        guard let data = checkpoint.generators["data"], case .int(let batch)? = m["batch_in_epoch"],
              case .array(let states)? = m["state"], case .double(let loss)? = m["window_loss"],
              case .int(let count)? = m["window_count"], case .int(let tokens)? = m["window_tokens"] else {
            throw TrainingError.unresumable(path: path, reason: "its position in the data is missing")
        }
        var decoded: [[Float]] = []
        for case .string(let text) in states {
            guard let values = Self.decode(text) else {
                throw TrainingError.unresumable(path: path, reason: "its carried state is not valid base64 floats")
            }
            decoded.append(values)
        }
        step = checkpoint.step
        epoch = checkpoint.epoch
        batchInEpoch = batch
        epochStart = data
        state = decoded
        window = Window(loss: loss, count: count, tokens: tokens)
    }

    /// Floats as base64 of their little-endian bytes: exact, unlike a decimal rendering.
    static func encode(_ values: [Float]) -> String {
        values.withUnsafeBufferPointer { Data(buffer: $0) }.base64EncodedString()
    }

    static func decode(_ text: String) -> [Float]? {
        guard let data = Data(base64Encoded: text), data.count % 4 == 0 else { return nil }
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}

/// A plateau schedule's state in a checkpoint's metadata: the scale and best value as exact doubles.
extension Plateau.State {
    var json: JSONValue {
        .object(JSONObject([
            "scale": .double(scale), "best": best.map { .double($0) } ?? .null,
            "bad_evaluations": .int(badEvaluations), "cooldown_left": .int(cooldownLeft),
        ]))
    }

    /// The state `json` wrote; nil when `value` is not one.
    init?(_ value: JSONValue?) {
        guard case .object(let object)? = value, let scale = object["scale"]?.number,
              case .int(let bad)? = object["bad_evaluations"], case .int(let cooldown)? = object["cooldown_left"],
              let best = object["best"] else { return nil }
        self.init(scale: scale, best: best.number, badEvaluations: bad, cooldownLeft: cooldown)
    }
}
