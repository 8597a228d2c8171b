import Foundation
import Kernels
import XCTest

final class SoftmaxTests: KernelTestCase {
    func testNLLHandComputed() {
        let loss = logSoftmaxNLL(buffer([1, 2, 3]).p, targets: buffer([2]).p, rows: 1, cols: 3, ignoreIndex: -100)
        assertClose(loss, log(exp(1.0) + exp(2.0) + exp(3.0)) - 3, rtol: 1e-6)
        // Two rows: the mean of their losses.
        let two = logSoftmaxNLL(buffer([1, 2, 3, 0, 0, 0]).p, targets: buffer([0, 1]).p, rows: 2, cols: 3,
                                ignoreIndex: -100)
        assertClose(two, ((log(exp(1.0) + exp(2.0) + exp(3.0)) - 1) + log(3.0)) / 2, rtol: 1e-6)
    }

    func testNLLIgnoresRowsAndIsZeroWhenAllAreIgnored() {
        let logits = buffer([1, 2, 3, 5, -4, 0.5])
        let loss = logSoftmaxNLL(logits.p, targets: buffer([-1, 2]).p, rows: 2, cols: 3, ignoreIndex: -1)
        assertClose(loss, log(exp(5.0) + exp(-4.0) + exp(0.5)) - 0.5, rtol: 1e-6)
        let none = logSoftmaxNLL(logits.p, targets: buffer([0, 0]).p, rows: 2, cols: 3, ignoreIndex: 0)
        XCTAssertEqual(none, 0)
        let gradient = buffer(count: 6)
        logSoftmaxNLLBackward(logits.p, targets: buffer([0, 0]).p, rows: 2, cols: 3, ignoreIndex: 0, gradLoss: 1,
                              gradient.pointer)
        XCTAssertEqual(gradient.array, [0, 0, 0, 0, 0, 0])
    }

    /// The engine splits a batch's rows over threads: rows done in parts give the whole batch's terms
    /// and gradient exactly, and a diverged (NaN) row makes the loss NaN rather than being skipped.
    func testNLLByPartsEqualsTheWhole() {
        let logits = buffer((0..<35).map { Float(($0 * 7) % 11) / 3 - 1.5 })       // (7, 5)
        let targets = buffer([0, 4, -1, 2, 3, -1, 1])
        let whole = logSoftmaxNLL(logits.p, targets: targets.p, rows: 7, cols: 5, ignoreIndex: -1, smoothing: 0.1)
        var terms = [Double](repeating: .nan, count: 7)
        terms.withUnsafeMutableBufferPointer { t in
            for part in [0..<3, 3..<4, 4..<7] {
                logSoftmaxNLLTerms(logits.p, targets: targets.p, rows: part, cols: 5, ignoreIndex: -1, smoothing: 0.1,
                                   into: t.baseAddress!)
            }
        }
        XCTAssertEqual(meanOfScoredTerms(terms, rows: 7, scored: 5), whole)
        let (full, parts) = (buffer(count: 35), buffer(count: 35))
        logSoftmaxNLLBackward(logits.p, targets: targets.p, rows: 7, cols: 5, ignoreIndex: -1, smoothing: 0.1, gradLoss: 2,
                              full.pointer)
        let scale = scoredScale(targets: targets.p, rows: 7, cols: 5, ignoreIndex: -1, gradLoss: 2)
        XCTAssertEqual(scale, 2 / 5)
        for part in [0..<2, 2..<7] {
            logSoftmaxNLLBackward(logits.p, targets: targets.p, rows: part, cols: 5, ignoreIndex: -1, smoothing: 0.1,
                                  scale: scale, parts.pointer)
        }
        XCTAssertEqual(parts.array, full.array)
        let diverged = buffer([1, .nan, 3])
        XCTAssertTrue(logSoftmaxNLL(diverged.p, targets: buffer([0]).p, rows: 1, cols: 3, ignoreIndex: -1).isNaN)
    }

    /// ε = 0.1, logits (1, 2, 3), target 2: (1 − ε)·NLL + ε·(lse − mean x) = NLL + ε·(x_t − mean x)
    /// = log(e + e² + e³) − 3 + 0.1; the gradient softmax − 0.9·onehot − 0.1/3.
    func testLabelSmoothingHandComputed() {
        let (logits, targets) = (buffer([1, 2, 3]), buffer([2]))
        let loss = logSoftmaxNLL(logits.p, targets: targets.p, rows: 1, cols: 3, ignoreIndex: -100, smoothing: 0.1)
        let logSumExp = log(exp(1.0) + exp(2.0) + exp(3.0))
        assertClose(loss, logSumExp - 3 + 0.1, rtol: 1e-6)
        let gradient = buffer(count: 3)
        logSoftmaxNLLBackward(logits.p, targets: targets.p, rows: 1, cols: 3, ignoreIndex: -100, smoothing: 0.1, gradLoss: 1,
                              gradient.pointer)
        let softmax = [1.0, 2.0, 3.0].map { exp($0 - logSumExp) }
        assertClose(gradient.array, [softmax[0] - 0.1 / 3, softmax[1] - 0.1 / 3, softmax[2] - 0.9 - 0.1 / 3], rtol: 1e-5, atol: 1e-7)
    }

    func testLabelSmoothedForwardAndBackwardAgainstDouble() {
        var random = TestRandom(seed: 10)
        let (rows, cols, epsilon) = (4, 7, 0.2)
        let logits = random.array(rows * cols, -4, 4)
        let targets: [Float] = [3, -1, 0, 6]
        let f = { (x: [Double]) in
            nll(x, targets: targets, cols: cols, ignore: -1, smoothing: epsilon)
        }
        let loss = logSoftmaxNLL(buffer(logits).p, targets: buffer(targets).p, rows: rows, cols: cols, ignoreIndex: -1,
                                 smoothing: Float(epsilon))
        assertClose(loss, f(logits.map(Double.init)), rtol: 1e-6)
        let gradient = buffer(count: rows * cols)
        logSoftmaxNLLBackward(buffer(logits).p, targets: buffer(targets).p, rows: rows, cols: cols, ignoreIndex: -1,
                              smoothing: Float(epsilon), gradLoss: 1, gradient.pointer)
        assertClose(gradient.array, numericGradient(of: f, at: logits.map(Double.init)), rtol: 1e-4, atol: 1e-6)
    }

    func testNLLIsStableForLargeLogits() {
        let loss = logSoftmaxNLL(buffer([1000, 1001, 1002]).p, targets: buffer([0]).p, rows: 1, cols: 3, ignoreIndex: -1)
        assertClose(loss, log(1 + exp(1.0) + exp(2.0)), rtol: 1e-6)
    }

    func testNLLForwardAndBackwardAgainstDouble() {
        var random = TestRandom(seed: 8)
        let (rows, cols) = (5, 19)
        let logits = random.array(rows * cols, -4, 4)
        let targets: [Float] = [3, -1, 0, 18, 7]
        let f = { (x: [Double]) in nll(x, targets: targets, cols: cols, ignore: -1) }
        let loss = logSoftmaxNLL(buffer(logits).p, targets: buffer(targets).p, rows: rows, cols: cols, ignoreIndex: -1)
        assertClose(loss, f(logits.map(Double.init)), rtol: 1e-6)
        let gradLoss: Float = 0.7
        let gradient = buffer(count: rows * cols)
        logSoftmaxNLLBackward(buffer(logits).p, targets: buffer(targets).p, rows: rows, cols: cols, ignoreIndex: -1,
                              gradLoss: gradLoss, gradient.pointer)
        let expected = numericGradient(of: f, at: logits.map(Double.init)).map { $0 * Double(gradLoss) }
        assertClose(gradient.array, expected, rtol: 1e-4, atol: 1e-6)
        XCTAssertEqual(Array(gradient.array[cols..<(2 * cols)]), [Float](repeating: 0, count: cols), "ignored row")
    }

    func testSoftmaxWithCausalMaskAgainstDouble() {
        var random = TestRandom(seed: 9)
        // Scores (B·H = 2, T = 4, T) against a (T, T) causal mask; a T of 11 also covers partial vectors.
        for t in [4, 11] {
            let rows = 2 * t
            let x = random.array(rows * t, -3, 3)
            var mask = [Float](repeating: 0, count: t * t)
            for i in 0..<t { for j in (i + 1)..<t { mask[i * t + j] = -.infinity } }
            let out = buffer(count: rows * t)
            softmax(buffer(x).p, rows: rows, cols: t, mask: buffer(mask).p, maskRows: t, out.pointer)
            let expected = (0..<rows).flatMap { r in
                softmaxRow((0..<t).map { Double(x[r * t + $0]) + Double(mask[(r % t) * t + $0]) })
            }
            assertClose(out.array, expected, rtol: 1e-5, atol: 1e-7, "T=\(t)")
            let unmasked = buffer(count: rows * t)
            softmax(buffer(x).p, rows: rows, cols: t, mask: nil, maskRows: 1, unmasked.pointer)
            let plain = (0..<rows).flatMap { r in softmaxRow((0..<t).map { Double(x[r * t + $0]) }) }
            assertClose(unmasked.array, plain, rtol: 1e-5, atol: 1e-7, "T=\(t) unmasked")
        }
    }

    /// Under a causal mask of 40 columns (computed spans of 16, 32 and 40) NaN and +inf at the masked
    /// places change nothing: the row has the bits it has with finite values there, and exactly 0 there.
    func testMaskedPlacesAreZeroWhateverTheScoresHold() {
        var random = TestRandom(seed: 11)
        let t = 40
        let clean = random.array(2 * t * t, -3, 3)
        var (poisoned, mask) = (clean, [Float](repeating: 0, count: t * t))
        for i in 0..<t {
            for j in (i + 1)..<t {
                mask[i * t + j] = -.infinity
                for b in 0..<2 { poisoned[(b * t + i) * t + j] = (i + j) % 2 == 0 ? .nan : .infinity }
            }
        }
        let (a, b) = (buffer(count: 2 * t * t), buffer(count: 2 * t * t))
        softmax(buffer(clean).p, rows: 2 * t, cols: t, mask: buffer(mask).p, maskRows: t, a.pointer)
        softmax(buffer(poisoned).p, rows: 2 * t, cols: t, mask: buffer(mask).p, maskRows: t, b.pointer)
        XCTAssertEqual(b.array, a.array)
        for r in 0..<(2 * t) {
            XCTAssertEqual(Array(a.array[(r * t + r % t + 1)..<((r + 1) * t)]), [Float](repeating: 0, count: t - 1 - r % t), "row \(r)")
            XCTAssertEqual(a.array[(r * t)..<(r * t + r % t + 1)].reduce(0, +), 1, accuracy: 1e-5, "row \(r)")
        }
    }

    func testFullyMaskedRowGivesZeros() {
        let out = buffer(count: 6)
        let mask = buffer([-.infinity, -.infinity, -.infinity, 0, 0, -.infinity])
        softmax(buffer([1, 2, 3, 1, 1, 9]).p, rows: 2, cols: 3, mask: mask.p, maskRows: 2, out.pointer)
        XCTAssertEqual(out.array, [0, 0, 0, 0.5, 0.5, 0])
    }

    func testSoftmaxBackwardAgainstFiniteDifferences() {
        var random = TestRandom(seed: 10)
        let (rows, cols) = (3, 13)
        let x = random.array(rows * cols, -2, 2), w = random.array(rows * cols)
        let y = buffer(count: rows * cols)
        softmax(buffer(x).p, rows: rows, cols: cols, mask: nil, maskRows: 1, y.pointer)
        let dx = buffer(count: rows * cols)
        softmaxBackward(y.p, buffer(w).p, rows: rows, cols: cols, dx.pointer)
        // L = Σ w · softmax(x), so dL/dy = w.
        let f = { (x: [Double]) -> Double in
            (0..<rows).reduce(0.0) { total, r in
                let row = softmaxRow(Array(x[(r * cols)..<((r + 1) * cols)]))
                return total + zip(row, w[(r * cols)..<((r + 1) * cols)]).reduce(0.0) { $0 + $1.0 * Double($1.1) }
            }
        }
        assertClose(dx.array, numericGradient(of: f, at: x.map(Double.init)), rtol: 1e-4, atol: 1e-6)
    }
}

private func softmaxRow(_ x: [Double]) -> [Double] {
    let m = x.max()!
    let e = x.map { exp($0 - m) }
    let sum = e.reduce(0, +)
    return e.map { $0 / sum }
}

/// The mean over kept rows of −log softmax[target], or with `smoothing` ε of
/// (1 − ε)·(−log p[target]) + ε·(mean over the classes of −log p), written as its definition says.
private func nll(_ logits: [Double], targets: [Float], cols: Int, ignore: Int, smoothing: Double = 0) -> Double {
    var total = 0.0, valid = 0.0
    for (r, target) in targets.enumerated() where Int(target) != ignore {
        let row = logits[(r * cols)..<((r + 1) * cols)]
        let m = row.max()!
        let logP = row.map { $0 - m - log(row.reduce(0) { $0 + exp($1 - m) }) }
        total += -(1 - smoothing) * logP[Int(target)] - smoothing * logP.reduce(0, +) / Double(cols)
        valid += 1
    }
    return valid == 0 ? 0 : total / valid
}
