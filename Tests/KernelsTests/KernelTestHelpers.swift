import XCTest

/// Shared by the kernel tests: a tolerance check that reports at the caller's line, seeded random data,
/// Float buffers to hand kernels pointers, and central differences in Double.
///
/// Kernels are checked against references written here in Double, never against themselves: a forward
/// kernel against a naive loop, a backward kernel against finite differences of the naive forward.

/// Elementwise |actual - expected| ≤ atol + rtol·|expected|; NaN matches NaN and ±inf must match exactly.
/// Reports the worst element and the number of failures at the caller's line.
func assertClose(_ actual: [Float], _ expected: [Double], rtol: Double = 1e-5, atol: Double = 1e-6,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("\(message()) count \(actual.count) != \(expected.count)", file: file, line: line)
        return
    }
    var worst: (index: Int, excess: Double)?
    var failures = 0
    for i in actual.indices {
        let (a, e) = (Double(actual[i]), expected[i])
        let excess: Double
        if a.isNaN || e.isNaN || a.isInfinite || e.isInfinite {
            excess = (a.isNaN && e.isNaN) || a == e ? 0 : .infinity
        } else {
            excess = Swift.abs(a - e) - (atol + rtol * Swift.abs(e))
        }
        guard excess > 0 else { continue }
        failures += 1
        if excess > (worst?.excess ?? 0) { worst = (i, excess) }
    }
    if let worst {
        XCTFail("\(message()) \(failures) of \(actual.count) elements differ; worst at \(worst.index): "
                + "\(actual[worst.index]) vs expected \(expected[worst.index])", file: file, line: line)
    }
}

func assertClose(_ actual: [Float], _ expected: [Float], rtol: Double = 1e-5, atol: Double = 1e-6,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    assertClose(actual, expected.map(Double.init), rtol: rtol, atol: atol, message(), file: file, line: line)
}

func assertClose(_ actual: Float, _ expected: Double, rtol: Double = 1e-5, atol: Double = 1e-6,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    assertClose([actual], [expected], rtol: rtol, atol: atol, message(), file: file, line: line)
}

/// SplitMix64: the same numbers on every run and platform.
struct TestRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [low, high).
    mutating func uniform(_ low: Float = -1, _ high: Float = 1) -> Float {
        low + (high - low) * Float(next() >> 40) / Float(1 << 24)
    }

    mutating func array(_ count: Int, _ low: Float = -1, _ high: Float = 1) -> [Float] {
        (0..<count).map { _ in uniform(low, high) }
    }

    /// Integers in 0..<bound stored as Float, the way the engine stores ids.
    mutating func indices(_ count: Int, below bound: Int) -> [Float] {
        (0..<count).map { _ in Float(next() % UInt64(bound)) }
    }
}

/// Base class of the kernel tests. It hands out Float buffers that stay allocated until `tearDown`: a
/// buffer object freed in its own deinit could go as soon as its pointer is taken, since an optimised
/// build may end a local's lifetime at its last use, before the kernel reading the pointer has run.
class KernelTestCase: XCTestCase {
    private var allocations: [UnsafeMutablePointer<Float>] = []

    func buffer(_ values: [Float]) -> Buffer {
        let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(values.count, 1))
        pointer.initialize(from: values, count: values.count)
        allocations.append(pointer)
        return Buffer(pointer: pointer, count: values.count)
    }

    /// `count` copies of `value`; NaN by default, so that a kernel that skips an element is caught.
    func buffer(count: Int, value: Float = .nan) -> Buffer {
        buffer([Float](repeating: value, count: count))
    }

    override func tearDown() {
        for pointer in allocations { pointer.deallocate() }
        allocations = []
        super.tearDown()
    }
}

struct Buffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    var p: UnsafePointer<Float> { UnsafePointer(pointer) }
    var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// ∂f/∂x by central differences in Double; f is a Double re-implementation of a forward kernel.
func numericGradient(of f: ([Double]) -> Double, at x: [Double], step: Double = 1e-5) -> [Double] {
    var probe = x
    return x.indices.map { i in
        probe[i] = x[i] + step
        let up = f(probe)
        probe[i] = x[i] - step
        let down = f(probe)
        probe[i] = x[i]
        return (up - down) / (2 * step)
    }
}

/// Row-major strides of `shape`.
func rowMajorStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    for axis in shape.indices.reversed().dropFirst() { strides[axis] = strides[axis + 1] * shape[axis + 1] }
    return strides
}

/// The multi-index of flat position `flat` in `shape`.
func multiIndex(_ flat: Int, _ shape: [Int]) -> [Int] {
    zip(shape, rowMajorStrides(shape)).map { dim, stride in (flat / stride) % dim }
}

func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
