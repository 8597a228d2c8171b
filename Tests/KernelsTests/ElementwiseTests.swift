import Core
import Foundation
import Kernels
import XCTest

final class ElementwiseTests: KernelTestCase {
    func testUnaryMatchesFoundation() {
        var random = TestRandom(seed: 2)
        let x = random.array(37, -3, 3)
        let positive = x.map { Swift.abs($0) + 0.01 }
        let cases: [(UnaryOp, [Float], (Double) -> Double)] = [
            (.neg, x, { -$0 }), (.exp, x, exp), (.log, positive, log), (.sqrt, positive, { $0.squareRoot() }),
            (.tanh, x, tanh), (.erf, x, erf), (.abs, x, { Swift.abs($0) }),
            (.gelu, x + [-9, -6, 6, 9], { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }),
        ]
        for (op, input, reference) in cases {
            let expected = input.map { reference(Double($0)) }
            let out = buffer(count: input.count)
            unary(op, buffer(input).p, out.pointer, count: input.count)
            // GELU's erf is a rational approximation good to 4.2e-7 absolute (see `erf8`).
            let atol = op == .gelu ? 2e-6 : 1e-7
            assertClose(out.array, expected, rtol: 3e-7, atol: atol, "\(op)")
            // In place, as the engine may run it.
            let inPlace = buffer(input)
            unary(op, inPlace.p, inPlace.pointer, count: input.count)
            assertClose(inPlace.array, expected, rtol: 3e-7, atol: atol, "\(op) in place")
        }
    }

    func testBinaryBroadcastingMatchesNaive() {
        let cases: [([Int], [Int])] = [
            ([3, 4], [3, 4]), ([3, 4], []), ([], [3, 4]), ([2, 3, 4], [4]), ([4], [2, 3, 4]), ([2, 3, 4], [1, 3, 4]),
            ([2, 3, 1], [2, 1, 4]), ([3, 1], [1, 4]), ([2, 1, 3, 1], [4, 1, 5]), ([5, 1, 4], [5, 3, 1]),
            ([1], [2, 3]), ([2, 3, 4], [2, 3, 1]), ([2, 1, 4], [3, 1]), ([6, 1], [6, 19]), ([1, 1], [1]),
        ]
        var random = TestRandom(seed: 3)
        for (aShape, bShape) in cases {
            let outShape = Shape.broadcast(Shape(aShape), Shape(bShape))!.dims
            let a = random.array(aShape.reduce(1, *)), b = random.array(bShape.reduce(1, *))
            for op in BinaryOp.allCases {
                let out = buffer(count: outShape.reduce(1, *))
                binary(op, buffer(a).p, aShape: aShape, buffer(b).p, bShape: bShape, out.pointer, outShape: outShape)
                let expected = naiveBinary(op, a, aShape, b, bShape, outShape)
                // GELU's gradient goes through the approximate erf (see `erf8`), the others are one rounding.
                assertClose(out.array, expected, rtol: 1e-6, atol: op == .geluGrad ? 1e-6 : 0, "\(op) \(aShape) \(bShape)")
            }
        }
    }

    /// The engine adds in place into an operand of the output's shape (residuals, gradient sums).
    func testBinaryInPlace() {
        var random = TestRandom(seed: 4)
        let a = random.array(24), b = random.array(24), bias = random.array(6), scalar = random.array(1)
        let cases: [([Float], [Int], Bool)] = [(b, [4, 6], false), (b, [4, 6], true), (bias, [6], false), (scalar, [], false)]
        for (other, otherShape, outIsB) in cases {
            for op in BinaryOp.allCases {
                let target = buffer(a)
                if outIsB {
                    binary(op, buffer(other).p, aShape: otherShape, target.p, bShape: [4, 6], target.pointer, outShape: [4, 6])
                } else {
                    binary(op, target.p, aShape: [4, 6], buffer(other).p, bShape: otherShape, target.pointer, outShape: [4, 6])
                }
                let expected = outIsB ? naiveBinary(op, other, otherShape, a, [4, 6], [4, 6])
                                      : naiveBinary(op, a, [4, 6], other, otherShape, [4, 6])
                assertClose(target.array, expected, rtol: 1e-6, atol: op == .geluGrad ? 1e-6 : 0, "\(op) \(otherShape) out=b:\(outIsB)")
            }
        }
    }

    func testMaximumPropagatesNaNAndGreaterYieldsOneOrZero() {
        let a = buffer([1, .nan, 3, -2]), b = buffer([2, 0, .nan, -2])
        let out = buffer(count: 4)
        binary(.maximum, a.p, aShape: [4], b.p, bShape: [4], out.pointer, outShape: [4])
        XCTAssertEqual(out.array[0], 2)
        XCTAssertTrue(out.array[1].isNaN && out.array[2].isNaN)
        XCTAssertEqual(out.array[3], -2)
        binary(.greater, a.p, aShape: [4], b.p, bShape: [4], out.pointer, outShape: [4])
        XCTAssertEqual(out.array, [0, 0, 0, 0])
        binary(.greater, b.p, aShape: [4], a.p, bShape: [4], out.pointer, outShape: [4])
        XCTAssertEqual(out.array, [1, 0, 0, 0])
    }

    func testFillCopySelect() {
        let out = buffer(count: 5)
        fill(out.pointer, count: 5, value: 2.5)
        XCTAssertEqual(out.array, [2.5, 2.5, 2.5, 2.5, 2.5])
        copy(buffer([1, 2, 3, 4, 5]).p, out.pointer, count: 4)
        XCTAssertEqual(out.array, [1, 2, 3, 4, 2.5])
        let cond = buffer([1, 0, -1, 0, 0.5])
        select(cond.p, buffer([1, 2, 3, 4, 5]).p, buffer([10, 20, 30, 40, 50]).p, out.pointer, count: 5)
        XCTAssertEqual(out.array, [1, 20, 3, 40, 5])
    }

    /// Per output element: its multi-index, right-aligned into each operand, size-1 axes pinned to 0.
    private func naiveBinary(_ op: BinaryOp, _ a: [Float], _ aShape: [Int], _ b: [Float], _ bShape: [Int],
                             _ outShape: [Int]) -> [Double] {
        func element(_ values: [Float], _ shape: [Int], _ index: [Int]) -> Double {
            let aligned = Array(index.suffix(shape.count))
            var flat = 0
            for (axis, stride) in rowMajorStrides(shape).enumerated() where shape[axis] != 1 {
                flat += aligned[axis] * stride
            }
            return Double(values[flat])
        }
        return (0..<outShape.reduce(1, *)).map { flat in
            let index = multiIndex(flat, outShape)
            let (x, y) = (element(a, aShape, index), element(b, bShape, index))
            switch op {
            case .add: return x + y
            case .sub: return x - y
            case .mul: return x * y
            case .div: return x / y
            case .maximum: return Swift.max(x, y)
            case .greater: return x > y ? 1 : 0
            case .geluGrad:
                let cdf: Double = 0.5 * (1 + erf(x / 2.0.squareRoot()))
                let pdf: Double = exp(-x * x / 2) / (2 * Double.pi).squareRoot()
                return y * (cdf + x * pdf)
            }
        }
    }
}
