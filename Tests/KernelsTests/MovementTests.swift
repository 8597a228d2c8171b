import Kernels
import XCTest

final class MovementTests: KernelTestCase {
    func testPermuteHandComputed() {
        // x: (2, 3) = [[1, 2, 3], [4, 5, 6]] → (3, 2)
        let out = buffer(count: 6)
        permute(buffer([1, 2, 3, 4, 5, 6]).p, shape: [2, 3], perm: [1, 0], out.pointer)
        XCTAssertEqual(out.array, [1, 4, 2, 5, 3, 6])
        // x: (2, 2, 2) = 0…7, perm (2, 0, 1): out[i][j][k] = x[j][k][i]
        let cube = buffer(count: 8)
        permute(buffer([0, 1, 2, 3, 4, 5, 6, 7]).p, shape: [2, 2, 2], perm: [2, 0, 1], cube.pointer)
        XCTAssertEqual(cube.array, [0, 2, 4, 6, 1, 3, 5, 7])
    }

    func testPermuteMatchesNaiveForEveryPermutation() {
        var random = TestRandom(seed: 6)
        let shapes = [[2, 3, 4, 5], [3, 1, 4, 2]]
        for shape in shapes {
            let x = random.array(shape.reduce(1, *))
            for perm in permutations(of: Array(0..<4)) {
                let out = buffer(count: x.count)
                permute(buffer(x).p, shape: shape, perm: perm, out.pointer)
                assertClose(out.array, naivePermute(x, shape: shape, perm: perm), rtol: 0, atol: 0, "\(shape) \(perm)")
            }
        }
        // Matrices larger than a 32×32 tile, batched and not, with ragged edges.
        for (shape, perm) in [([70, 45], [1, 0]), ([3, 40, 33], [0, 2, 1]), ([5, 6, 7, 8], [0, 2, 1, 3])] {
            let x = random.array(shape.reduce(1, *))
            let out = buffer(count: x.count)
            permute(buffer(x).p, shape: shape, perm: perm, out.pointer)
            assertClose(out.array, naivePermute(x, shape: shape, perm: perm), rtol: 0, atol: 0, "\(shape) \(perm)")
        }
    }

    /// Threads share a permute by rows of the output: any cut into row ranges gives the whole.
    func testPermuteByOutputRowsMatchesNaive() {
        var random = TestRandom(seed: 8)
        for (shape, perm) in [([5, 6, 7, 8], [0, 2, 1, 3]), ([3, 40, 33], [2, 0, 1]), ([70, 45], [1, 0]), ([4, 1, 6], [1, 2, 0])] {
            let x = random.array(shape.reduce(1, *))
            let rows = shape[perm[0]]
            for cuts in [[rows / 2], [1, rows - 1], [rows / 3, 2 * rows / 3]] where cuts == cuts.sorted() {
                let out = buffer(count: x.count)
                for (start, end) in zip([0] + cuts, cuts + [rows]) {
                    permute(buffer(x).p, shape: shape, perm: perm, out.pointer, outputRows: start..<end)
                }
                assertClose(out.array, naivePermute(x, shape: shape, perm: perm), rtol: 0, atol: 0, "\(shape) \(perm) \(cuts)")
            }
        }
    }

    func testExpand() {
        let row = buffer(count: 6)
        expand(buffer([1, 2, 3]).p, shape: [1, 3], to: [2, 3], row.pointer)
        XCTAssertEqual(row.array, [1, 2, 3, 1, 2, 3])
        let column = buffer(count: 6)
        expand(buffer([1, 2]).p, shape: [2, 1], to: [2, 3], column.pointer)
        XCTAssertEqual(column.array, [1, 1, 1, 2, 2, 2])
        // x: (2, 1, 2) → (2, 3, 2)
        let middle = buffer(count: 12)
        expand(buffer([1, 2, 3, 4]).p, shape: [2, 1, 2], to: [2, 3, 2], middle.pointer)
        XCTAssertEqual(middle.array, [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4])
        let scalar = buffer(count: 4)
        expand(buffer([7]).p, shape: [1, 1], to: [2, 2], scalar.pointer)
        XCTAssertEqual(scalar.array, [7, 7, 7, 7])
    }

    func testSlice() {
        // x: (2, 4) = [[0, 1, 2, 3], [4, 5, 6, 7]]
        let x = buffer([0, 1, 2, 3, 4, 5, 6, 7])
        let columns = buffer(count: 4)
        slice(x.p, shape: [2, 4], axis: 1, start: 1, end: 3, columns.pointer)
        XCTAssertEqual(columns.array, [1, 2, 5, 6])
        let rows = buffer(count: 4)
        slice(x.p, shape: [2, 4], axis: 0, start: 1, end: 2, rows.pointer)
        XCTAssertEqual(rows.array, [4, 5, 6, 7])
        // x: (2, 2, 2), the middle axis
        let middle = buffer(count: 4)
        slice(x.p, shape: [2, 2, 2], axis: 1, start: 1, end: 2, middle.pointer)
        XCTAssertEqual(middle.array, [2, 3, 6, 7])
    }

    func testPad() {
        let out = buffer(count: 10)
        pad(buffer([1, 2, 3, 4]).p, shape: [2, 2], axis: 1, before: 1, after: 2, out.pointer)
        XCTAssertEqual(out.array, [0, 1, 2, 0, 0, 0, 3, 4, 0, 0])
        let rows = buffer(count: 6)
        pad(buffer([1, 2]).p, shape: [1, 2], axis: 0, before: 2, after: 0, rows.pointer)
        XCTAssertEqual(rows.array, [0, 0, 0, 0, 1, 2])
    }

    func testConcat() {
        // (2, 1) ++ (2, 2) along axis 1
        let out = buffer(count: 6)
        concat([buffer([1, 2]).p, buffer([3, 4, 5, 6]).p], shapes: [[2, 1], [2, 2]], axis: 1, out.pointer)
        XCTAssertEqual(out.array, [1, 3, 4, 2, 5, 6])
        let rows = buffer(count: 6)
        concat([buffer([1, 2]).p, buffer([3, 4, 5, 6]).p], shapes: [[1, 2], [2, 2]], axis: 0, rows.pointer)
        XCTAssertEqual(rows.array, [1, 2, 3, 4, 5, 6])
        // Three inputs along the last axis of (2, ·, 1)
        let three = buffer(count: 8)
        concat([buffer([1, 2]).p, buffer([3, 4]).p, buffer([5, 6, 7, 8]).p],
               shapes: [[2, 1, 1], [2, 1, 1], [2, 2, 1]], axis: 1, three.pointer)
        XCTAssertEqual(three.array, [1, 3, 5, 6, 2, 4, 7, 8])
    }

    private func naivePermute(_ x: [Float], shape: [Int], perm: [Int]) -> [Float] {
        let outShape = perm.map { shape[$0] }
        let strides = rowMajorStrides(shape)
        return (0..<x.count).map { flat in
            let index = multiIndex(flat, outShape)
            var source = 0
            for (outAxis, axis) in perm.enumerated() { source += index[outAxis] * strides[axis] }
            return x[source]
        }
    }

    private func permutations(of items: [Int]) -> [[Int]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { i in
            var rest = items
            let first = rest.remove(at: i)
            return permutations(of: rest).map { [first] + $0 }
        }
    }
}
