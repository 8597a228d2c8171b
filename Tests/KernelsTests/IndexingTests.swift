import Kernels
import XCTest

final class IndexingTests: KernelTestCase {
    // table: (4, 3), row r = [10r, 10r + 1, 10r + 2]
    private let table: [Float] = [0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]

    func testGatherRows() {
        let out = buffer(count: 12)
        gatherRows(buffer(table).p, rows: 4, cols: 3, indices: buffer([2, 0, 2, 3]).p, count: 4, out.pointer)
        XCTAssertEqual(out.array, [20, 21, 22, 0, 1, 2, 20, 21, 22, 30, 31, 32])
    }

    func testScatterAddAccumulatesRepeatedIndicesAndZeroesTheRest() {
        // grad: (4, 2); rows 1 and 3 each receive two rows, row 0 one, row 2 none.
        let grad = buffer([1, 2, 3, 4, 5, 6, 7, 8])
        let out = buffer(count: 8)
        scatterAddRows(grad.p, indices: buffer([1, 3, 1, 0]).p, count: 4, cols: 2, out.pointer, rows: 4)
        XCTAssertEqual(out.array, [7, 8, 6, 8, 0, 0, 3, 4])
    }

    /// scatterAdd is the adjoint of gather: <gather(T), G> = <T, scatterAdd(G)> for any T and G.
    func testScatterAddIsTheAdjointOfGather() {
        var random = TestRandom(seed: 7)
        let (rows, cols, count) = (5, 9, 13)
        let t = random.array(rows * cols), g = random.array(count * cols)
        let indices = buffer(random.indices(count, below: rows))
        let gathered = buffer(count: count * cols), scattered = buffer(count: rows * cols)
        gatherRows(buffer(t).p, rows: rows, cols: cols, indices: indices.p, count: count, gathered.pointer)
        scatterAddRows(buffer(g).p, indices: indices.p, count: count, cols: cols, scattered.pointer, rows: rows)
        let left = zip(gathered.array, g).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let right = zip(t, scattered.array).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        XCTAssertEqual(left, right, accuracy: 1e-4)
    }
}
