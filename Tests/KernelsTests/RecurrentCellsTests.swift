import Foundation
import Kernels
import XCTest

/// Cells against the PyTorch formulas written out in Double here; backward kernels against central
/// differences of those formulas. hidden = 11 leaves a partial vector chunk; 16 is whole chunks.
final class RecurrentCellsTests: KernelTestCase {
    private let batch = 3

    func testGRUCellMatchesFormula() {
        var random = TestRandom(seed: 13)
        for hidden in [11, 16] {
            let gi = random.array(batch * 3 * hidden, -3, 3), gh = random.array(batch * 3 * hidden, -3, 3)
            let h = random.array(batch * hidden)
            let out = buffer(count: batch * hidden)
            gruCell(gi: buffer(gi).p, gh: buffer(gh).p, h: buffer(h).p, batch: batch, hidden: hidden, out.pointer)
            let expected = gru(gi.map(Double.init), gh.map(Double.init), h.map(Double.init), hidden: hidden)
            assertClose(out.array, expected, rtol: 1e-5, atol: 1e-6, "hidden=\(hidden)")
        }
    }

    func testGRUCellBackwardAgainstFiniteDifferences() {
        var random = TestRandom(seed: 14)
        for hidden in [11, 16] {
            let gi = random.array(batch * 3 * hidden, -2, 2), gh = random.array(batch * 3 * hidden, -2, 2)
            let h = random.array(batch * hidden), gOut = random.array(batch * hidden)
            let (giD, ghD, hD) = (gi.map(Double.init), gh.map(Double.init), h.map(Double.init))
            // L = Σ gOut · h'
            let loss = { (gi: [Double], gh: [Double], h: [Double]) in
                zip(self.gru(gi, gh, h, hidden: hidden), gOut).reduce(0.0) { $0 + $1.0 * Double($1.1) }
            }
            let dgi = buffer(count: gi.count), dgh = buffer(count: gh.count), dh = buffer(count: h.count)
            gruCellBackward(gi: buffer(gi).p, gh: buffer(gh).p, h: buffer(h).p, gOut: buffer(gOut).p, batch: batch,
                            hidden: hidden, dgi: dgi.pointer, dgh: dgh.pointer, dh: dh.pointer)
            assertClose(dgi.array, numericGradient(of: { loss($0, ghD, hD) }, at: giD), rtol: 1e-4, atol: 1e-6, "dgi")
            assertClose(dgh.array, numericGradient(of: { loss(giD, $0, hD) }, at: ghD), rtol: 1e-4, atol: 1e-6, "dgh")
            assertClose(dh.array, numericGradient(of: { loss(giD, ghD, $0) }, at: hD), rtol: 1e-4, atol: 1e-6, "dh")
        }
    }

    func testLSTMCellMatchesFormula() {
        var random = TestRandom(seed: 15)
        for hidden in [11, 16] {
            let gates = random.array(batch * 4 * hidden, -3, 3), c = random.array(batch * hidden, -2, 2)
            let cellOut = buffer(count: c.count), hiddenOut = buffer(count: c.count)
            lstmCell(gates: buffer(gates).p, c: buffer(c).p, batch: batch, hidden: hidden,
                     cellOut: cellOut.pointer, hiddenOut: hiddenOut.pointer)
            let (cell, next) = lstm(gates.map(Double.init), c.map(Double.init), hidden: hidden)
            assertClose(cellOut.array, cell, rtol: 1e-5, atol: 1e-6, "c' hidden=\(hidden)")
            assertClose(hiddenOut.array, next, rtol: 1e-5, atol: 1e-6, "h' hidden=\(hidden)")
        }
    }

    func testLSTMCellBackwardAgainstFiniteDifferences() {
        var random = TestRandom(seed: 16)
        for hidden in [11, 16] {
            let gates = random.array(batch * 4 * hidden, -2, 2), c = random.array(batch * hidden, -2, 2)
            let gradHidden = random.array(batch * hidden), gradCell = random.array(batch * hidden)
            let zeros = [Float](repeating: 0, count: batch * hidden)
            let (gatesD, cD) = (gates.map(Double.init), c.map(Double.init))
            for (useHidden, useCell) in [(true, false), (false, true), (true, true)] {
                // L = Σ gradHidden · h' + Σ gradCell · c', each term only when that upstream is used (else zeros).
                let loss = { (gates: [Double], c: [Double]) -> Double in
                    let (cell, next) = self.lstm(gates, c, hidden: hidden)
                    var total = 0.0
                    for i in c.indices {
                        if useHidden { total += Double(gradHidden[i]) * next[i] }
                        if useCell { total += Double(gradCell[i]) * cell[i] }
                    }
                    return total
                }
                let dGates = buffer(count: gates.count), dc = buffer(count: c.count)
                lstmCellBackward(gates: buffer(gates).p, c: buffer(c).p,
                                 gradHidden: buffer(useHidden ? gradHidden : zeros).p,
                                 gradCell: buffer(useCell ? gradCell : zeros).p, batch: batch, hidden: hidden,
                                 dGates: dGates.pointer, dc: dc.pointer)
                let label = "hidden=\(hidden) dh'=\(useHidden) dc'=\(useCell)"
                assertClose(dGates.array, numericGradient(of: { loss($0, cD) }, at: gatesD), rtol: 1e-4, atol: 1e-6,
                            "dGates \(label)")
                assertClose(dc.array, numericGradient(of: { loss(gatesD, $0) }, at: cD), rtol: 1e-4, atol: 1e-6,
                            "dc \(label)")
            }
        }
    }

    /// h' = (1 - z)·n + z·h, r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r·gh_n).
    private func gru(_ gi: [Double], _ gh: [Double], _ h: [Double], hidden: Int) -> [Double] {
        (0..<(batch * hidden)).map { index in
            let (b, j) = (index / hidden, index % hidden)
            let row = b * 3 * hidden
            let r = sigmoid(gi[row + j] + gh[row + j])
            let z = sigmoid(gi[row + hidden + j] + gh[row + hidden + j])
            let n = tanh(gi[row + 2 * hidden + j] + r * gh[row + 2 * hidden + j])
            return (1 - z) * n + z * h[index]
        }
    }

    /// c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'), gates in order i, f, g, o.
    private func lstm(_ gates: [Double], _ c: [Double], hidden: Int) -> (cell: [Double], hidden: [Double]) {
        var cell = [Double](), next = [Double]()
        for index in 0..<(batch * hidden) {
            let (b, j) = (index / hidden, index % hidden)
            let row = b * 4 * hidden
            let i = sigmoid(gates[row + j]), f = sigmoid(gates[row + hidden + j])
            let g = tanh(gates[row + 2 * hidden + j]), o = sigmoid(gates[row + 3 * hidden + j])
            cell.append(f * c[index] + i * g)
            next.append(o * tanh(cell[index]))
        }
        return (cell, next)
    }
}
