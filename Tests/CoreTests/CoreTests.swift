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

    /// The bulk fill is the same stream as one draw at a time, and leaves the same state.
    func testFillUniformIsNextFloatInOrder() {
        var (one, bulk) = (SeededGenerator(seed: 11), SeededGenerator(seed: 11))
        let expected = (0..<1000).map { _ in one.nextFloat() }
        var filled = [Float](repeating: -1, count: 1000)
        filled.withUnsafeMutableBufferPointer { bulk.fillUniform($0.baseAddress!, count: 1000) }
        XCTAssertEqual(filled, expected)
        XCTAssertEqual(bulk.state, one.state)
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
