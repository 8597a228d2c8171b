import Foundation
import Kernels
import XCTest

/// The vector exp and tanh behind `unary`, softmax and the recurrent cells, against Foundation in Double
/// over their whole range, edge cases included.
final class FastMathTests: KernelTestCase {
    func testExpIsWithinTwoUlpOverTheFiniteRange() {
        // -87.3 is where results turn subnormal; below it only an absolute bound makes sense.
        let x = stride(from: Float(-87.3), through: 88.7, by: 0.0173).map { $0 }
        let out = buffer(count: x.count)
        unary(.exp, buffer(x).p, out.pointer, count: x.count)
        assertClose(out.array, x.map { exp(Double($0)) }, rtol: 2.4e-7, atol: 0)
    }

    func testExpEdgeCases() {
        let x: [Float] = [0, -0.0, 1, -1, 88.72, 88.8, 1000, .infinity, -90, -103, -104, -110, -.infinity, .nan]
        let out = buffer(count: x.count)
        unary(.exp, buffer(x).p, out.pointer, count: x.count)
        let result = out.array
        assertClose(Array(result[0..<5]), x[0..<5].map { exp(Double($0)) }, rtol: 2.4e-7, atol: 0)
        XCTAssertEqual(Array(result[5..<8]), [.infinity, .infinity, .infinity], "overflow")
        // Gradual underflow: subnormal results within a few units of the smallest subnormal, then exactly 0.
        assertClose(Array(result[8..<11]), x[8..<11].map { exp(Double($0)) }, rtol: 1e-3, atol: 3e-45)
        XCTAssertEqual(Array(result[11..<13]), [0, 0], "underflow")
        XCTAssertTrue(result[13].isNaN, "NaN in, NaN out")
    }

    func testTanhAgainstFoundation() {
        // Dense around the switch between the polynomial and the exp formula at |x| = 0.625.
        let x = stride(from: Float(-12), through: 12, by: 0.00731).map { $0 } + [1e-20, -1e-8, 1e-4, 0.6249, 0.6251]
        let out = buffer(count: x.count)
        unary(.tanh, buffer(x).p, out.pointer, count: x.count)
        assertClose(out.array, x.map { tanh(Double($0)) }, rtol: 3e-7, atol: 0)
    }

    func testTanhEdgeCases() {
        let x: [Float] = [0, -0.0, 50, -50, .infinity, -.infinity, .nan]
        let out = buffer(count: x.count)
        unary(.tanh, buffer(x).p, out.pointer, count: x.count)
        let result = out.array
        XCTAssertEqual(Array(result[0..<6]), [0, 0, 1, -1, 1, -1])
        XCTAssertEqual(result[1].sign, .minus, "tanh(-0) = -0")
        XCTAssertTrue(result[6].isNaN, "NaN in, NaN out")
    }

    /// Sigmoid is only reachable through the cells: σ(gi_z + gh_z) = z, read off h' = z·h when n = 0.
    func testSigmoidSaturatesWithoutNaN() {
        // gi: (1, 3·4) with r, z, n blocks; n's pre-activation 0 gives n = 0, so h' = z·h with h = 1.
        let z: [Float] = [-200, -20, 20, 200]
        let gi = [Float](repeating: 0, count: 4) + z + [Float](repeating: 0, count: 4)
        let out = buffer(count: 4)
        gruCell(gi: buffer(gi).p, gh: buffer(count: 12, value: 0).p, h: buffer(count: 4, value: 1).p, batch: 1,
                hidden: 4, out.pointer)
        assertClose(out.array, z.map { 1 / (1 + exp(-Double($0))) }, rtol: 1e-6, atol: 1e-30)
    }
}
