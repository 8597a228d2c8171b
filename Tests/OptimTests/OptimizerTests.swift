import Core
import Optim
import XCTest

/// Each optimizer's first three steps against PyTorch (see `TorchReference`), plus the state
/// bookkeeping a checkpoint relies on.
final class OptimizerTests: XCTestCase {
    private let layout = TorchReference.layout

    func testSGDMatchesPyTorch() {
        var plain = SGD(layout: layout, weightDecay: 0.1)
        assertMatchesReference(&plain, TorchReference.sgdPlain)
        var momentum = SGD(layout: layout, momentum: 0.9, dampening: 0.1, weightDecay: 0.1)
        assertMatchesReference(&momentum, TorchReference.sgdMomentum)
        var nesterov = SGD(layout: layout, momentum: 0.9, nesterov: true, weightDecay: 0.1)
        assertMatchesReference(&nesterov, TorchReference.sgdNesterov)
    }

    func testAdamMatchesPyTorch() {
        var adam = Adam(layout: layout, weightDecay: 0.1)
        assertMatchesReference(&adam, TorchReference.adam)
    }

    func testAdamWMatchesPyTorch() {
        var tuned = Adam.adamW(layout: layout, beta1: 0.8, beta2: 0.95, eps: 1e-6, weightDecay: 0.1)
        assertMatchesReference(&tuned, TorchReference.adamW)
        var defaults = Adam.adamW(layout: layout)
        XCTAssertEqual(defaults.weightDecay, 0.01)
        assertMatchesReference(&defaults, TorchReference.adamWDefault)
    }

    func testRMSPropMatchesPyTorch() {
        var plain = RMSProp(layout: layout, weightDecay: 0.1)
        assertMatchesReference(&plain, TorchReference.rmsProp)
        var centered = RMSProp(layout: layout, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.1)
        assertMatchesReference(&centered, TorchReference.rmsPropCentered)
    }

    /// The bias has no decay flag, so an optimizer with decay must move it exactly as one without.
    func testDecayFlagExemptsSlots() {
        var withDecay = Adam.adamW(layout: layout, weightDecay: 0.5)
        var withoutDecay = Adam.adamW(layout: layout, weightDecay: 0)
        var a = TorchReference.initial, b = TorchReference.initial
        withDecay.step(parameters: &a, gradients: TorchReference.gradients[0], layout: layout, lr: 0.1)
        withoutDecay.step(parameters: &b, gradients: TorchReference.gradients[0], layout: layout, lr: 0.1)
        let bias = layout["b"]!.range, weight = layout["w"]!.range
        XCTAssertEqual(Array(a[bias]), Array(b[bias]))
        XCTAssertNotEqual(Array(a[weight]), Array(b[weight]))
    }

    /// A slot's rate scale: 0 leaves it exactly as it was (decay included), ½ moves it as a step at
    /// half the rate does, and the other slots move as if no scale were set; for every optimizer.
    func testRateScalePerSlot() {
        let optimizers: [any Optimizer] = [SGD(layout: layout, momentum: 0.9, weightDecay: 0.1), Adam(layout: layout, weightDecay: 0.1),
                                           Adam.adamW(layout: layout, weightDecay: 0.5), RMSProp(layout: layout, weightDecay: 0.1)]
        let (bias, weight) = (layout["b"]!.range, layout["w"]!.range)
        for optimizer in optimizers {
            func run(_ scale: Float, lr: Float) -> [Float] {
                var (stepped, scaled, parameters) = (optimizer, layout, TorchReference.initial)
                scaled.setRateScale { $0.key == "b" ? scale : 1 }
                for gradients in TorchReference.gradients {
                    stepped.step(parameters: &parameters, gradients: gradients, layout: scaled, lr: lr)
                }
                return parameters
            }
            let (frozen, half, whole, halfRate) = (run(0, lr: 0.1), run(0.5, lr: 0.1), run(1, lr: 0.1), run(1, lr: 0.05))
            XCTAssertEqual(Array(frozen[bias]), Array(TorchReference.initial[bias]), "\(optimizer)")
            XCTAssertEqual(Array(half[bias]), Array(halfRate[bias]), "\(optimizer)")
            XCTAssertEqual(Array(frozen[weight]), Array(whole[weight]), "\(optimizer)")
            XCTAssertNotEqual(Array(whole[bias]), Array(TorchReference.initial[bias]), "\(optimizer)")
        }
    }

    /// Adam steps eight elements at a time; on slots of 21 (two whole chunks and a tail of 5), 8 and
    /// 3 elements, with decay, without and at half rate, three steps of Adam and AdamW give the bits
    /// of the update written out one float at a time in PyTorch's order of operations.
    func testAdamInChunksOfEightEqualsTheUpdateOneFloatAtATime() {
        var long = ParameterLayout()
        long.append(key: "w", shape: [3, 7], decay: true)
        long.append(key: "b", shape: [8], decay: false)
        long.append(key: "s", shape: [3], decay: true)
        long.setRateScale { $0.key == "s" ? 0.5 : 1 }
        let (beta1, beta2, eps, lambda) = (0.9, 0.999, 1e-8, 0.1)
        let initial = (0..<long.count).map { Float(($0 * 37) % 11) / 4 - 1.2 }
        let gradients = (0..<3).map { step in (0..<long.count).map { Float((($0 + step) * 53) % 17) / 8 - 1 } }
        for decoupled in [false, true] {
            var adam = decoupled ? Adam.adamW(layout: long, weightDecay: lambda) : Adam(layout: long, weightDecay: lambda)
            var (fast, p) = (initial, initial)
            var (m, v) = ([Float](repeating: 0, count: long.count), [Float](repeating: 0, count: long.count))
            for (index, lr) in TorchReference.rates.enumerated() {
                adam.step(parameters: &fast, gradients: gradients[index], layout: long, lr: lr)
                let t = Double(index + 1)
                for slot in long.slots {
                    let rate = lr * slot.rateScale
                    let stepSize = Float(-Double(rate) / (1 - pow(beta1, t))), root = Float((1 - pow(beta2, t)).squareRoot())
                    for i in slot.range {
                        var (q, g) = (p[i], gradients[index][i])
                        if slot.decay && decoupled { q *= Float(1 - Double(rate) * lambda) }
                        if slot.decay && !decoupled { g += Float(lambda) * p[i] }
                        m[i] += Float(1 - beta1) * (g - m[i])
                        v[i] = v[i] * Float(beta2) + Float(1 - beta2) * g * g
                        p[i] = q + stepSize * m[i] / (v[i].squareRoot() / root + Float(eps))
                    }
                }
                XCTAssertEqual(fast, p, "decoupled \(decoupled), step \(index + 1)")
            }
            XCTAssertEqual(adam.state, m + v, "decoupled \(decoupled)")
        }
    }

    /// Over two and three threads every optimizer splits the arena in contiguous shares, cutting slots
    /// at the shares' edges (a 40,000-float slot at rate 0.5 and without decay across the halves' edge
    /// of 35,004); three steps leave the parameters and the state in the bits one thread leaves them.
    func testSplittingTheArenaOverThreadsChangesNoBits() {
        var wide = ParameterLayout()
        wide.append(key: "w", shape: [30_001], decay: true)
        wide.append(key: "b", shape: [7], decay: false)
        wide.append(key: "e", shape: [40_000], decay: false)
        wide.setRateScale { $0.key == "e" ? 0.5 : 1 }
        let initial = (0..<wide.count).map { Float(($0 * 37) % 11) / 4 - 1.2 }
        let gradients = (0..<3).map { step in (0..<wide.count).map { Float((($0 + step) * 53) % 17) / 8 - 1 } }
        let optimizers: [any Optimizer] = [
            SGD(layout: wide, momentum: 0.9, nesterov: true, weightDecay: 0.01), RMSProp(layout: wide, momentum: 0.5, centered: true),
            Adam(layout: wide, weightDecay: 0.1), Adam.adamW(layout: wide, weightDecay: 0.1),
        ]
        for optimizer in optimizers {
            func run(threads: Int) -> (parameters: [Float], state: [Float]) {
                var (copy, parameters) = (optimizer, initial)
                for (index, lr) in TorchReference.rates.enumerated() {
                    parameters.withUnsafeMutableBufferPointer { p in
                        gradients[index].withUnsafeBufferPointer { g in
                            copy.step(parameters: p, gradients: g, layout: wide, lr: lr, threads: threads)
                        }
                    }
                }
                return (parameters, copy.state)
            }
            let one = run(threads: 1)
            XCTAssertNotEqual(one.parameters, initial, "\(optimizer) moved")
            for threads in [2, 3] {
                let split = run(threads: threads)
                XCTAssertEqual(split.parameters, one.parameters, "\(optimizer) at \(threads) threads")
                XCTAssertEqual(split.state, one.state, "\(optimizer) state at \(threads) threads")
            }
        }
    }

    func testStateSizeFollowsConfiguration() {
        let n = layout.count
        XCTAssertEqual(SGD(layout: layout).stateSize, 0)
        XCTAssertEqual(SGD(layout: layout, momentum: 0.9).stateSize, n)
        XCTAssertEqual(Adam(layout: layout).stateSize, 2 * n)
        XCTAssertEqual(Adam.adamW(layout: layout).stateSize, 2 * n)
        XCTAssertEqual(RMSProp(layout: layout).stateSize, n)
        XCTAssertEqual(RMSProp(layout: layout, momentum: 0.9).stateSize, 2 * n)
        XCTAssertEqual(RMSProp(layout: layout, momentum: 0.9, centered: true).stateSize, 3 * n)
        let adam = Adam(layout: layout)
        XCTAssertEqual(adam.state, [Float](repeating: 0, count: 2 * n))
        XCTAssertEqual(adam.stepCount, 0)
    }

    /// Two steps, a save into a fresh optimizer, a third step: the trajectory must not notice. This
    /// covers Adam's bias correction and SGD's first momentum step, which both read `stepCount`.
    func testResumingFromStateContinuesTheTrajectory() {
        assertResumes(Adam(layout: layout, weightDecay: 0.1), fresh: Adam(layout: layout, weightDecay: 0.1),
                      TorchReference.adam)
        assertResumes(SGD(layout: layout, momentum: 0.9, dampening: 0.1, weightDecay: 0.1),
                      fresh: SGD(layout: layout, momentum: 0.9, dampening: 0.1, weightDecay: 0.1),
                      TorchReference.sgdMomentum)
        assertResumes(RMSProp(layout: layout, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.1),
                      fresh: RMSProp(layout: layout, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.1),
                      TorchReference.rmsPropCentered)
    }

    private func assertMatchesReference<O: Optimizer>(_ optimizer: inout O, _ expected: [[Float]],
                                                      file: StaticString = #filePath, line: UInt = #line) {
        var parameters = TorchReference.initial
        for k in 0..<3 {
            optimizer.step(parameters: &parameters, gradients: TorchReference.gradients[k], layout: layout,
                           lr: TorchReference.rates[k])
            assertNear(parameters, expected[k], "\(O.self) step \(k + 1)", file: file, line: line)
        }
        XCTAssertEqual(optimizer.stepCount, 3, file: file, line: line)
    }

    private func assertResumes<O: Optimizer>(_ original: O, fresh: O, _ expected: [[Float]],
                                             file: StaticString = #filePath, line: UInt = #line) {
        var original = original, resumed = fresh
        var parameters = TorchReference.initial
        for k in 0..<2 {
            original.step(parameters: &parameters, gradients: TorchReference.gradients[k], layout: layout,
                          lr: TorchReference.rates[k])
        }
        resumed.state = original.state
        resumed.stepCount = original.stepCount
        resumed.step(parameters: &parameters, gradients: TorchReference.gradients[2], layout: layout,
                     lr: TorchReference.rates[2])
        assertNear(parameters, expected[2], "\(O.self) resumed", file: file, line: line)
    }
}
