import Kernels
import XCTest

final class LayerNormTests: KernelTestCase {
    func testHandComputedRow() {
        // [1, 2, 3, 4]: mean 2.5, biased variance 1.25.
        let out = buffer(count: 4)
        layerNorm(buffer([1, 2, 3, 4]).p, rows: 1, cols: 4, eps: 0, out.pointer)
        let s = 1.25.squareRoot()
        assertClose(out.array, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s], rtol: 1e-6)
    }

    func testForwardAgainstDouble() {
        var random = TestRandom(seed: 11)
        // 3 columns is all tail, 37 is vectors plus tail; offset rows test the two-pass variance.
        for cols in [3, 37] {
            let rows = 4
            let x = random.array(rows * cols).map { $0 * 3 + 100 }
            let out = buffer(count: rows * cols)
            layerNorm(buffer(x).p, rows: rows, cols: cols, eps: 1e-5, out.pointer)
            assertClose(out.array, naiveLayerNorm(x.map(Double.init), cols: cols, eps: 1e-5), rtol: 1e-4, atol: 1e-5,
                        "cols=\(cols)")
        }
    }

    func testBackwardAgainstFiniteDifferences() {
        var random = TestRandom(seed: 12)
        for cols in [5, 24] {
            let rows = 3
            let x = random.array(rows * cols, -2, 2), w = random.array(rows * cols)
            let dx = buffer(count: rows * cols)
            layerNormBackward(buffer(x).p, buffer(w).p, rows: rows, cols: cols, eps: 1e-5, dx.pointer)
            // L = Σ w · layerNorm(x), so dL/dy = w.
            let f = { (x: [Double]) -> Double in
                zip(self.naiveLayerNorm(x, cols: cols, eps: 1e-5), w).reduce(0.0) { $0 + $1.0 * Double($1.1) }
            }
            assertClose(dx.array, numericGradient(of: f, at: x.map(Double.init)), rtol: 1e-3, atol: 1e-5,
                        "cols=\(cols)")
        }
    }

    private func naiveLayerNorm(_ x: [Double], cols: Int, eps: Double) -> [Double] {
        stride(from: 0, to: x.count, by: cols).flatMap { start -> [Double] in
            let row = x[start..<(start + cols)]
            let mean = row.reduce(0, +) / Double(cols)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(cols)
            return row.map { ($0 - mean) / (variance + eps).squareRoot() }
        }
    }
}
