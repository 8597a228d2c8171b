import Core

/// An optimizer over the flat parameter arena: parameters, gradients and the optimizer's own state
/// share the offsets of one `ParameterLayout`, so a step is one pass per slot with no allocation.
///
/// Update rules follow PyTorch's `torch.optim` pseudo-code exactly (including where a first step
/// differs from the later ones), so a run can be compared step for step with a PyTorch reference.
/// The learning rate is an argument of `step` rather than a property: it comes from a `Schedule`
/// evaluated by the training loop, which keeps the optimizer free of step-dependent configuration.
///
/// Hyperparameters are Double, as PyTorch's are Python floats, because the updates use them as
/// 1 − β: `Float(0.999)` leaves 1 − β₂ off by 1.3e-5 relative, `Float(0.99)` leaves RMSProp's
/// 1 − α off by 1e-6. Each constant is formed in Double and rounded to Float once per step.
public protocol Optimizer: Sendable {
    /// Floats of state: a whole multiple of the layout's element count (0 for plain SGD).
    var stateSize: Int { get }

    /// Every state buffer back to back, each laid out like the arena. Read it to checkpoint; assign
    /// an array of exactly `stateSize` floats to resume.
    var state: [Float] { get set }

    /// Steps taken so far; Adam's bias correction and SGD's first momentum step depend on it, so a
    /// checkpoint saves it next to `state`.
    var stepCount: Int { get set }

    /// Updates `parameters` in place from `gradients` (both `layout.count` floats). Weight decay
    /// applies only to slots whose `decay` flag is set. The elements split over `threads` in contiguous
    /// shares; each element's update reads and writes that element alone, so the count changes no bits.
    mutating func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
                       layout: ParameterLayout, lr: Float, threads: Int)
}

extension Optimizer {
    /// `step` on the calling thread alone.
    public mutating func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>,
                              layout: ParameterLayout, lr: Float) {
        step(parameters: parameters, gradients: gradients, layout: layout, lr: lr, threads: 1)
    }

    /// `step` on arrays, for callers that do not already hold the arena's pointers.
    public mutating func step(parameters: inout [Float], gradients: [Float], layout: ParameterLayout, lr: Float) {
        gradients.withUnsafeBufferPointer { gradients in
            parameters.withUnsafeMutableBufferPointer { parameters in
                step(parameters: parameters, gradients: gradients, layout: layout, lr: lr)
            }
        }
    }
}

/// The state shared by every optimizer here: the element count the state was sized for, the flat
/// buffers and the step counter. Keeping the size check in one place makes a checkpoint restored
/// into the wrong optimizer fail loudly instead of reading past a buffer.
struct OptimizerState: Sendable {
    /// Elements in the layout the buffers were sized for.
    let count: Int
    /// `buffers * count` floats.
    private(set) var values: [Float]
    var stepCount = 0

    init(count: Int, buffers: Int) {
        self.count = count
        self.values = [Float](repeating: 0, count: count * buffers)
    }

    /// Replaces the buffers, e.g. from a checkpoint.
    mutating func restore(_ newValues: [Float]) {
        precondition(newValues.count == values.count,
                     "optimizer state has \(values.count) floats, got \(newValues.count)")
        values = newValues
    }

    /// Checks the arena against the layout the state was sized for, counts the step (PyTorch counts
    /// before updating, so the first step sees `stepCount == 1`), and hands out the buffers: buffer
    /// `k` holds element `i` at `k * count + i`.
    mutating func beginStep(parameters: Int, gradients: Int, layout: ParameterLayout,
                            _ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        precondition(layout.count == count, "layout has \(layout.count) elements, optimizer was built for \(count)")
        precondition(parameters == count && gradients == count,
                     "parameters (\(parameters)) and gradients (\(gradients)) must hold \(count) floats")
        stepCount += 1
        values.withUnsafeMutableBufferPointer { body($0) }
    }
}

/// Optimizers whose state is one `OptimizerState`: the checkpoint accessors are the same for all.
protocol StoredStateOptimizer: Optimizer {
    var storage: OptimizerState { get set }
}

extension StoredStateOptimizer {
    public var stateSize: Int { storage.values.count }
    public var state: [Float] {
        get { storage.values }
        set { storage.restore(newValue) }
    }
    public var stepCount: Int {
        get { storage.stepCount }
        set { storage.stepCount = newValue }
    }
}

extension ParameterLayout {
    /// Calls `body(slot, elements)` for every slot and the part of its elements in each of `threads`
    /// contiguous shares of the arena, the shares side by side. An arena under two shares of
    /// `minimumOptimizerShare` floats stays on the calling thread: the hand-off would cost more.
    func forEachShare(threads: Int, _ body: (ParameterSlot, Range<Int>) -> Void) {
        parallelFor(count, threads: count >= 2 * minimumOptimizerShare ? threads : 1) { share in
            for slot in slots where slot.range.overlaps(share) { body(slot, slot.range.clamped(to: share)) }
        }
    }
}

/// About 50 µs of Adam: enough to pay for waking the second thread.
private let minimumOptimizerShare = 1 << 15
