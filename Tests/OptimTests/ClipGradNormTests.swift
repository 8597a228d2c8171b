import Optim
import XCTest

/// `clipGradNorm` against `torch.nn.utils.clip_grad_norm_` worked by hand.
final class ClipGradNormTests: XCTestCase {
    /// ‖(3, 4)‖ = 5, below the threshold: returned, gradients untouched.
    func testBelowThresholdLeavesGradientsAlone() {
        var gradients: [Float] = [3, -4]
        XCTAssertEqual(clipGradNorm(&gradients, maxNorm: 10), 5)
        XCTAssertEqual(gradients, [3, -4])
    }

    /// ‖(3, 4, 12)‖ = 13; above 6.5 every entry scales by 6.5 / (13 + 1e-6).
    func testAboveThresholdScalesToMaxNorm() {
        var gradients: [Float] = [3, 4, -12]
        XCTAssertEqual(clipGradNorm(&gradients, maxNorm: 6.5), 13)
        let coefficient = Float(6.5) / (13 + 1e-6)
        assertNear(gradients, [3 * coefficient, 4 * coefficient, -12 * coefficient])
        assertNear(gradients, [1.5, 2, -6], rtol: 1e-6)
        let clippedNorm = gradients.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        XCTAssertEqual(clippedNorm, 6.5, accuracy: 1e-5)
    }

    /// The norm sums in Double: a million entries of 1e-3 next to one of 1 give √2 exactly enough,
    /// where a Float running sum would stall once the total dwarfs each 1e-6 square.
    func testNormAccumulatesInDouble() {
        var gradients = [Float](repeating: 1e-3, count: 1_000_000)
        gradients[0] = 1
        let expected = (1 + 999_999 * Double(Float(1e-3)) * Double(Float(1e-3))).squareRoot()
        assertNear(clipGradNorm(&gradients, maxNorm: 100), Float(expected), rtol: 1e-7)
    }

    /// The eight-way sum equals the naive running sum of squares (in Double) for every length around
    /// its block of 8, to Double rounding.
    func testNormEqualsTheNaiveSum() {
        var state: UInt64 = 7
        for count in Array(0..<20) + [1001, 4099] {
            var gradients = (0..<count).map { _ -> Float in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(Int64(bitPattern: state >> 1) % 2001 - 1000) / 137
            }
            let naive = gradients.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            XCTAssertEqual(Double(clipGradNorm(&gradients, maxNorm: .greatestFiniteMagnitude)), naive,
                           accuracy: max(naive, 1) * 1e-7, "\(count) values")
        }
    }

    /// Past one block of 65,536 floats the norm adds block sums; over two and three threads the blocks
    /// are summed side by side and the norm and the clipped gradient keep the bits of one thread, within
    /// Double rounding of the naive running sum.
    func testBlocksOverThreadsKeepTheBitsOfOneThread() {
        let values = (0..<200_001).map { Float(($0 * 7919) % 2001 - 1000) / 137 }
        let naive = values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        func clip(threads: Int) -> (norm: Float, gradients: [Float]) {
            var gradients = values
            let norm = gradients.withUnsafeMutableBufferPointer { clipGradNorm($0, maxNorm: 1, threads: threads) }
            return (norm, gradients)
        }
        let one = clip(threads: 1)
        XCTAssertEqual(Double(one.norm), naive, accuracy: naive * 1e-7)
        XCTAssertNotEqual(one.gradients, values, "clipped")
        for threads in [2, 3] {
            let split = clip(threads: threads)
            XCTAssertEqual(split.norm, one.norm, "\(threads) threads")
            XCTAssertEqual(split.gradients, one.gradients, "\(threads) threads")
        }
    }

    /// A zero gradient has norm 0; the 1e-6 keeps the coefficient finite.
    func testZeroGradientStaysZero() {
        var gradients: [Float] = [0, 0, 0]
        XCTAssertEqual(clipGradNorm(&gradients, maxNorm: 1), 0)
        XCTAssertEqual(gradients, [0, 0, 0])
    }

    /// A non-finite norm is reported and the gradients are left for the caller to inspect.
    func testNonFiniteNormIsReturnedUnclipped() {
        var gradients: [Float] = [.infinity, 1]
        XCTAssertEqual(clipGradNorm(&gradients, maxNorm: 1), .infinity)
        XCTAssertEqual(gradients, [.infinity, 1])
    }
}
