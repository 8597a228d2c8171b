import Core
import Kernels
import XCTest

final class ReduceTests: KernelTestCase {
    func testSumAndMaxMatchNaiveForEveryAxisSet() {
        var random = TestRandom(seed: 5)
        let cases: [([Int], [[Int]])] = [
            // Contiguous runs (the fast path), then non-contiguous sets.
            ([2, 3, 4, 5], [[], [0], [3], [1, 2], [2, 3], [0, 1], [0, 1, 2, 3], [0, 2], [1, 3], [0, 3], [0, 2, 3]]),
            // Size-1 axes between reduced ones merge runs that look separate.
            ([2, 1, 3, 1, 4], [[1, 2], [0, 4], [2, 4], [1, 3], [0, 2, 4]]),
            // Rows long enough for the vector path and its tail.
            ([3, 37], [[1], [0]]),
            ([2, 100, 3], [[1], [0, 2]]),
            ([7], [[0]]),
            ([], [[]]),
        ]
        for (shape, axisSets) in cases {
            let x = random.array(shape.reduce(1, *), -5, 5)
            for axes in axisSets {
                for op in ReduceOp.allCases {
                    let outCount = shape.enumerated().reduce(1) { $0 * (axes.contains($1.offset) ? 1 : $1.element) }
                    let out = buffer(count: outCount)
                    reduce(op, buffer(x).p, shape: shape, axes: axes, out.pointer)
                    let expected = naiveReduce(op, x, shape: shape, axes: axes)
                    assertClose(out.array, expected, rtol: 1e-5, atol: 1e-5, "\(op) \(shape) axes \(axes)")
                }
            }
        }
    }

    func testHandComputedSums() {
        // x: (2, 3) = [[1, 2, 3], [4, 5, 6]]
        let x = buffer([1, 2, 3, 4, 5, 6])
        let out = buffer(count: 3)
        reduce(.sum, x.p, shape: [2, 3], axes: [0], out.pointer)
        XCTAssertEqual(out.array, [5, 7, 9])
        reduce(.max, x.p, shape: [2, 3], axes: [1], out.pointer)
        XCTAssertEqual(Array(out.array.prefix(2)), [3, 6])
        reduce(.sum, x.p, shape: [2, 3], axes: [0, 1], out.pointer)
        XCTAssertEqual(out.array[0], 21)
    }

    func testMaxOfAllNegativeRowIsNotZero() {
        let out = buffer(count: 1)
        reduce(.max, buffer([-3, -1, -2]).p, shape: [3], axes: [0], out.pointer)
        XCTAssertEqual(out.array, [-1])
    }

    /// Each output element reduces the input elements whose multi-index agrees on the kept axes.
    private func naiveReduce(_ op: ReduceOp, _ x: [Float], shape: [Int], axes: [Int]) -> [Double] {
        let outShape = shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        var out = [Double](repeating: op == .sum ? 0 : -.infinity, count: outShape.reduce(1, *))
        let outStrides = rowMajorStrides(outShape)
        for flat in x.indices {
            let index = multiIndex(flat, shape)
            var target = 0
            for axis in shape.indices where !axes.contains(axis) { target += index[axis] * outStrides[axis] }
            out[target] = op == .sum ? out[target] + Double(x[flat]) : Swift.max(out[target], Double(x[flat]))
        }
        return out
    }
}

final class ArgmaxTests: XCTestCase {
    /// By hand: each row's largest element, the first of equal ones, a single column, negative values.
    func testArgmaxRowsByHand() {
        let x: [Float] = [0.1, 0.9, 0.3, 2, 2, 1, -5, -1, -3]           // (3, 3)
        var out = [Float](repeating: -1, count: 3)
        argmaxRows(x, rows: 3, cols: 3, &out)
        XCTAssertEqual(out, [1, 0, 1])
        var single = [Float](repeating: -1, count: 2)
        argmaxRows([4, 8], rows: 2, cols: 1, &single)
        XCTAssertEqual(single, [0, 0])
    }
}
