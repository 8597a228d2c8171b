import Core
import XCTest

final class ShapeTests: XCTestCase {
    func testBroadcastingFollowsNumPy() {
        let cases: [(Shape, Shape, Shape?)] = [
            ([2, 3], [3], [2, 3]), ([2, 1, 4], [3, 1], [2, 3, 4]), ([], [5], [5]), ([2, 3], [2], nil), ([4, 1], [1, 4], [4, 4]),
        ]
        for (a, b, expected) in cases {
            XCTAssertEqual(Shape.broadcast(a, b), expected, "\(a) with \(b)")
            XCTAssertEqual(Shape.broadcast(b, a), expected, "\(b) with \(a)")
        }
    }

    func testCountStridesAndPrinting() {
        let shape: Shape = [2, 3, 4]
        XCTAssertEqual(shape.count, 24)
        XCTAssertEqual(shape.strides, [12, 4, 1])
        XCTAssertEqual(shape.description, "(2, 3, 4)")
        XCTAssertEqual(Shape([7]).description, "(7,)")
        XCTAssertEqual(Shape.scalar.count, 1)
        XCTAssertEqual(shape.normalized(axis: -1), 2)
        XCTAssertNil(shape.normalized(axis: 3))
    }
}

final class SeededGeneratorTests: XCTestCase {
    func testSameSeedSameStreamAndStateRoundTrips() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let first = (0..<5).map { _ in a.next() }
        XCTAssertEqual(first, (0..<5).map { _ in b.next() })
        XCTAssertNotEqual(first, (0..<5).map { _ in c.next() })
        var resumed = SeededGenerator(state: a.state)
        XCTAssertEqual((0..<5).map { _ in a.next() }, (0..<5).map { _ in resumed.next() })
    }

    /// A draw's values depend on its key and their positions alone: any cut into ranges fills what
    /// one pass fills (threads split a draw so), another key gives other values, and word w of the
    /// draw is SplitMix64's w + 1st output seeded with the key (its published first output for seed 0,
    /// 0xE220A8397B1DCDAF), split into two 24-bit floats. Dropout's mask is that draw thresholded.
    func testCounterUniformIsAFunctionOfKeyAndPosition() {
        let count = 1001
        func filled(key: UInt64, cuts: [Int]) -> [Float] {
            var out = [Float](repeating: -1, count: count)
            out.withUnsafeMutableBufferPointer { out in
                for (start, end) in zip([0] + cuts, cuts + [count]) {
                    SeededGenerator.fillUniform(out.baseAddress!, range: start..<end, key: key)
                }
            }
            return out
        }
        let whole = filled(key: 42, cuts: [])
        XCTAssertFalse(whole.contains(-1))
        for cuts in [[500], [1], [999, 1000], [3, 3, 7, 64, 501]] { XCTAssertEqual(filled(key: 42, cuts: cuts), whole, "\(cuts)") }
        XCTAssertNotEqual(filled(key: 43, cuts: []), whole)
        var mask = [Float](repeating: -1, count: count)
        mask.withUnsafeMutableBufferPointer { out in
            for (start, end) in [(0, 333), (333, count)] {
                SeededGenerator.fillDropoutMask(out.baseAddress!, range: start..<end, key: 42, p: 0.3)
            }
        }
        XCTAssertEqual(mask, whole.map { $0 > 0.3 ? 1 / Float(0.7) : 0 }, "dropout's mask is the same draw, thresholded")
        let first = filled(key: 0, cuts: [])
        XCTAssertEqual(first[0], Float(0xE220A8397B1DCDAF as UInt64 >> 40) * 0x1p-24)
        XCTAssertEqual(first[1], Float((0xE220A8397B1DCDAF as UInt64 >> 16) & 0xFF_FFFF) * 0x1p-24)
    }

    /// Uniform on [0, 1): mean, variance, 16 equal bins within a chi-square bound, and neighbours
    /// (the two halves of one word, and consecutive words) uncorrelated.
    func testCounterUniformMoments() {
        let n = 200_000
        var u = [Float](repeating: 0, count: n)
        u.withUnsafeMutableBufferPointer { SeededGenerator.fillUniform($0.baseAddress!, range: 0..<n, key: 0x5EED) }
        let values = u.map(Double.init)
        XCTAssertTrue(values.allSatisfy { $0 >= 0 && $0 < 1 })
        let mean = values.reduce(0, +) / Double(n)
        XCTAssertEqual(mean, 0.5, accuracy: 0.003)
        XCTAssertEqual(values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n), 1.0 / 12, accuracy: 0.001)
        var bins = [Double](repeating: 0, count: 16)
        for v in values { bins[Int(v * 16)] += 1 }
        let expected = Double(n) / 16
        // χ² with 15 degrees of freedom exceeds 37.7 with probability 0.001.
        XCTAssertLessThan(bins.reduce(0) { $0 + ($1 - expected) * ($1 - expected) / expected }, 37.7)
        for lag in [1, 2] {
            let covariance = (0..<(n - lag)).reduce(0.0) { $0 + (values[$1] - mean) * (values[$1 + lag] - mean) } / Double(n - lag)
            XCTAssertEqual(covariance * 12, 0, accuracy: 0.01, "lag \(lag)")
        }
    }

    func testUniformAndNormalMoments() {
        var rng = SeededGenerator(seed: 7)
        let n = 200_000
        let uniform = (0..<n).map { _ in Double(rng.nextFloat()) }
        XCTAssertTrue(uniform.allSatisfy { $0 >= 0 && $0 < 1 })
        XCTAssertEqual(uniform.reduce(0, +) / Double(n), 0.5, accuracy: 0.005)
        let normal = (0..<n).map { _ in Double(rng.nextNormal()) }
        let mean = normal.reduce(0, +) / Double(n)
        let variance = normal.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        XCTAssertEqual(mean, 0, accuracy: 0.01)
        XCTAssertEqual(variance, 1, accuracy: 0.02)
    }
}

final class ParameterLayoutTests: XCTestCase {
    func testSlotsAreContiguousInRegistrationOrder() {
        var layout = ParameterLayout()
        layout.append(key: "embedding.weight", shape: [28, 32], decay: false)
        let w = layout.append(key: "gru.layers.0.w_ih", shape: [768, 32], decay: true)
        XCTAssertEqual(w.offset, 28 * 32)
        XCTAssertEqual(layout.count, 28 * 32 + 768 * 32)
        XCTAssertEqual(layout["gru.layers.0.w_ih"]?.range, 896..<(896 + 24576))
        layout.setDecay { $0.shape.rank >= 2 }
        XCTAssertEqual(layout.slots.map(\.decay), [true, true])
    }
}
