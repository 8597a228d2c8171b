import Core
import Foundation
import Graph
import Kernels

/// A graph compiled for the CPU: kernel calls in topological order over fixed addresses in its own
/// block (inputs, constants), its activation scratch and the shared parameter arena. Running it
/// allocates nothing.
public final class Program {
    /// One kernel call.
    struct Step {
        let name: String
        /// The threads the kernel splits its work over: 1 when it runs on the calling thread alone,
        /// and any other thread the program may use idles meanwhile.
        var parts = 1
        let run: () -> Void
    }

    /// When a parameter's gradient is final in `arena.gradients[range]`: after step `afterStep` of
    /// `run(afterStep:)`. A data-parallel trainer can start summing it there, while the backward pass goes on.
    public struct GradientReady: Sendable {
        public let afterStep: Int
        public let range: Range<Int>
    }

    public let arena: ParameterArena
    /// The nodes the program executes, in order (for printing).
    public let schedule: [Int]
    let graph: Graph
    let steps: [Step]
    let plan: MemoryPlan
    /// Inputs and constants.
    let own: UnsafeMutablePointer<Float>
    /// Every other value; perhaps shared with programs that take turns with this one.
    let scratch: ActivationScratch
    let inputs: [String: ProgramInput]
    let outputs: Set<Int>
    let random: RandomSource
    /// Every gradient the program computes, in the order it was asked for.
    public let gradientsReady: [GradientReady]
    private var timings: [String: OpTiming] = [:]
    private let debug = SeqLabEnvironment.debug

    init(graph: Graph, arena: ParameterArena, schedule: [Int], plan: MemoryPlan, own: UnsafeMutablePointer<Float>,
         scratch: ActivationScratch, steps: [Step], inputs: [String: ProgramInput], outputs: Set<Int>, random: RandomSource,
         gradientsReady: [GradientReady]) {
        self.graph = graph
        self.arena = arena
        self.schedule = schedule
        self.plan = plan
        (self.own, self.scratch) = (own, scratch)
        self.steps = steps
        self.inputs = inputs
        self.outputs = outputs
        self.random = random
        self.gradientsReady = gradientsReady
    }

    deinit {
        if debug && !timings.isEmpty { FileHandle.standardError.write(Data((timingReport() + "\n").utf8)) }
        own.deallocate()
    }

    /// The address of node `id`'s first element.
    private func address(_ id: Int) -> UnsafeMutablePointer<Float> { plan.address(of: id, own: own, scratch: scratch.base) }

    /// Copies `values` into the input called `name`; ids outside the table they index are refused
    /// before anything is written.
    public func setInput(_ name: String, _ values: [Float]) throws {
        guard let input = inputs[name] else { throw EngineError.unknownInput(name, known: inputs.keys.sorted()) }
        guard values.count == input.count else { throw EngineError.inputSize(name: name, expected: input.count, got: values.count) }
        guard let node = input.node, !values.isEmpty else { return }
        try values.withUnsafeBufferPointer { values in
            try Self.checkIndices(values, of: input, name: name)
            if let start = values.baseAddress { address(node).update(from: start, count: values.count) }
        }
    }

    /// Lets `body` write the input called `name` in place (all of its elements: the pointer is to the
    /// first), then checks its ids as `setInput` does: for inputs filled row by row from many places,
    /// where building an array first would copy everything twice.
    public func withInput(_ name: String, _ body: (UnsafeMutablePointer<Float>) throws -> Void) throws {
        guard let input = inputs[name] else { throw EngineError.unknownInput(name, known: inputs.keys.sorted()) }
        guard let node = input.node, input.count > 0 else { return }
        let start = address(node)
        try body(start)
        try Self.checkIndices(UnsafeBufferPointer(start: start, count: input.count), of: input, name: name)
    }

    /// Throws for the first value of an index input that is not an id of its table (nor the ignored id).
    private static func checkIndices(_ values: UnsafeBufferPointer<Float>, of input: ProgramInput, name: String) throws {
        guard let (bound, ignored) = input.indexLimit,
              let bad = values.firstIndex(where: { !(($0 >= 0 && $0 < Float(bound) && $0.rounded() == $0) || $0 == ignored.map(Float.init)) })
        else { return }
        throw EngineError.indexOutOfRange(input: name, position: bad, value: values[bad], bound: bound)
    }

    /// Runs every step once: forward, then backward when the program has gradients, then the
    /// buffer updates.
    public func run() {
        run(afterStep: nil)
    }

    /// `run()`, calling `afterStep` with each step's index once it is done (see `gradientsReady`).
    public func run(afterStep: ((Int) -> Void)?) {
        guard debug else {
            for (index, step) in steps.enumerated() {
                step.run()
                afterStep?(index)
            }
            return
        }
        for (index, step) in steps.enumerated() {
            let start = DispatchTime.now().uptimeNanoseconds
            step.run()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            timings[step.name, default: OpTiming()].add(seconds, parts: step.parts)
            afterStep?(index)
        }
    }

    /// The values of an output.
    public func read(_ tensor: Tensor) throws -> [Float] {
        guard outputs.contains(tensor.id) else { throw EngineError.notAnOutput(node: tensor.id) }
        return Array(UnsafeBufferPointer(start: address(tensor.id), count: tensor.shape.count))
    }

    /// The first `count` rows of an output (R, …), each its own array: one copy, where `read` and
    /// slicing it would make two.
    public func readRows(_ tensor: Tensor, count: Int) throws -> [[Float]] {
        guard outputs.contains(tensor.id) else { throw EngineError.notAnOutput(node: tensor.id) }
        let values = UnsafeBufferPointer(start: address(tensor.id), count: tensor.shape.count)
        let perRow = tensor.shape.rank > 0 && tensor.shape[0] > 0 ? values.count / tensor.shape[0] : 0
        return (0..<min(count, tensor.shape.rank > 0 ? tensor.shape[0] : 0)).map {
            Array(values[($0 * perRow)..<(($0 + 1) * perRow)])
        }
    }

    /// The first element of an output, for losses.
    public func scalar(_ tensor: Tensor) throws -> Float { try read(tensor)[0] }

    /// The state of the generator behind dropout masks, for checkpoints.
    public var randomState: SeededGenerator {
        get { random.generator }
        set { random.generator = newValue }
    }

    /// Bytes of the activations (inputs, constants and every intermediate, after reuse).
    public var activationBytes: Int { plan.activationCount * MemoryLayout<Float>.stride }

    /// Floats of the scratch this program uses: with a shared scratch, the run's memory for activations
    /// is the largest of these, not their sum.
    public var scratchFloats: Int { plan.scratchCount }

    /// Sizes of the program's memory, one line each; `optimizerState` is the optimizer's float count
    /// (`Optimizer.stateSize`), which lives beside the arena.
    public func memorySummary(optimizerState: Int = 0) -> String {
        let line = ParameterArena.memoryLine
        return [
            line("parameters", arena.layout.count), line("gradients", arena.layout.count),
            line("optimizer state", optimizerState), line("buffers", arena.bufferLayout.count),
            line("activations", plan.activationCount) + " (\(schedule.count) nodes, \(steps.count) kernel calls)",
        ].joined(separator: "\n")
    }

    /// The kernel each step runs, in order.
    public var kernelCalls: [String] { steps.map(\.name) }

    /// The executed nodes, one line each.
    public var listing: String { graph.description(of: schedule) }

    /// Time per op kind since the program was built, slowest first (collected when SEQLAB_DEBUG=1).
    /// A program that splits kernels over threads also says, per op and in all, the time spent in
    /// kernels that ran on one thread: where the other cores idled.
    public func timingReport() -> String {
        let total = timings.values.reduce(0) { $0 + $1.seconds }
        let split = steps.contains { $0.parts > 1 }
        var lines = ["op                          calls     total ms   share" + (split ? "   one-thread ms" : "")]
        for (name, entry) in timings.sorted(by: { $0.value.seconds > $1.value.seconds }) {
            let padded = name.padding(toLength: 24, withPad: " ", startingAt: 0)
            lines.append(padded + String(format: " %8d %12.3f %6.1f%%", entry.calls, entry.seconds * 1e3,
                                         100 * entry.seconds / Swift.max(total, 1e-12))
                         + (split ? String(format: " %15.3f", entry.oneThreadSeconds * 1e3) : ""))
        }
        if split {
            let alone = timings.values.reduce(0) { $0 + $1.oneThreadSeconds }
            lines.append(String(format: "on one thread: %.3f ms of %.3f ms (%.1f%%); the other threads idle then",
                                alone * 1e3, total * 1e3, 100 * alone / Swift.max(total, 1e-12)))
        }
        return lines.joined(separator: "\n")
    }
}

/// The calls and time of one op kind, and how much of that time its kernel ran on one thread.
private struct OpTiming {
    var calls = 0
    var seconds = 0.0
    var oneThreadSeconds = 0.0

    mutating func add(_ seconds: Double, parts: Int) {
        calls += 1
        self.seconds += seconds
        if parts == 1 { oneThreadSeconds += seconds }
    }
}

/// What a program knows about one of its inputs.
struct ProgramInput {
    /// nil when the program's outputs do not need the input.
    var node: Int?
    let count: Int
    /// Values must be integers in 0..<bound (or the ignore index) when the input indexes something.
    var indexLimit: (bound: Int, ignored: Int?)?

    init(node: Int?, count: Int) {
        self.node = node
        self.count = count
    }
}

/// The seeded generator a program's random ops draw from; a class so that kernel closures share it.
/// Each run of a random op takes one word from it, the key its values are computed from
/// (`SeededGenerator.fillUniform(_:range:key:)`), so the generator's state is all a checkpoint keeps.
final class RandomSource {
    var generator: SeededGenerator
    /// The key of the draw running now.
    private(set) var key: UInt64 = 0
    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }
    func nextKey() { key = generator.next() }
}
