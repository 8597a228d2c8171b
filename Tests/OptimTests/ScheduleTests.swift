import Optim
import XCTest

/// Schedules against the learning rates PyTorch's schedulers hold after `s` calls to
/// `scheduler.step()` (base lr 0.1, recorded with PyTorch 2.15), and hand-computed closed forms.
final class ScheduleTests: XCTestCase {
    func testConstant() {
        let schedule = Schedule.constant(3e-4)
        XCTAssertEqual([0, 1, 1000].map { schedule($0) }, [3e-4, 3e-4, 3e-4])
    }

    /// StepLR(step_size=3, gamma=0.5)
    func testStepMatchesStepLR() {
        let schedule = Schedule.step(0.1, stepSize: 3, gamma: 0.5)
        assertNear((0..<9).map { schedule($0) }, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025])
    }

    /// MultiStepLR(milestones=[3, 5, 6], gamma=0.25) from lr 20 (PyTorch 2.15).
    func testMultiStepMatchesMultiStepLR() {
        let schedule = Schedule.multiStep(20, milestones: [3, 5, 6], gamma: 0.25)
        assertNear((0..<9).map { schedule($0) }, [20, 20, 20, 5, 5, 1.25, 0.3125, 0.3125, 0.3125])
    }

    /// ReduceLROnPlateau(factor=0.5, patience=1, threshold=0.01, cooldown=1, min_lr=0.1) from lr 1, the
    /// rate after each `scheduler.step(metric)` (PyTorch 2.15): 3.97 is not 1 % below 4, cooldown
    /// swallows the bad evaluation after a drop, and min_lr stops the last drop at 0.1.
    func testPlateauMatchesReduceLROnPlateau() {
        var plateau = Plateau(baseLR: 1, factor: 0.5, patience: 1, threshold: 0.01, cooldown: 1, minLR: 0.1)
        let metrics = [5.0, 4.0, 3.97, 3.99, 3.0, 3.5, 3.4, 3.3, 3.2, 3.9, 3.9, 3.9, 3.9, 3.9]
        let rates = metrics.map { metric -> Double in
            plateau.observe(metric)
            return plateau.baseLR * plateau.state.scale
        }
        XCTAssertEqual(rates, [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125, 0.125, 0.125, 0.1, 0.1])
    }

    /// mode='max', factor=0.25, patience=0, threshold=0 from lr 2 (BLEU-like metrics): an equal value
    /// is no improvement.
    func testPlateauInMaxMode() {
        var plateau = Plateau(baseLR: 2, factor: 0.25, patience: 0, threshold: 0, mode: .max)
        let lowered = [10.0, 12, 12, 11, 13, 13].map { plateau.observe($0) }
        XCTAssertEqual(lowered, [false, false, true, true, false, true])
        XCTAssertEqual(plateau.baseLR * plateau.state.scale, 0.03125)
    }

    /// word_language_model's `lr /= 4` after every epoch whose validation loss is not a new best.
    func testPlateauWithNoPatienceIsWordLanguageModelsAnnealing() {
        var plateau = Plateau(baseLR: 20, factor: 0.25, patience: 0, threshold: 0)
        var (lr, best) = (20.0, Double.infinity)
        for loss in [6.4, 5.9, 5.95, 5.7, 5.7, 5.69, 5.8, 5.6] {
            plateau.observe(loss)
            if loss < best { best = loss } else { lr /= 4 }
            XCTAssertEqual(plateau.baseLR * plateau.state.scale, lr, accuracy: 1e-12)
        }
    }

    /// ExponentialLR(gamma=0.9)
    func testExponentialMatchesExponentialLR() {
        let schedule = Schedule.exponential(0.1, gamma: 0.9)
        assertNear((0..<11).map { schedule($0) },
                   [0.1, 0.09, 0.081, 0.0729, 0.06561, 0.059049, 0.0531441, 0.04782969, 0.043046721,
                    0.0387420489, 0.034867844])
    }

    /// CosineAnnealingLR(T_max=10, eta_min=0.001); past T_max ours holds at the minimum.
    func testCosineMatchesCosineAnnealingLRThenHolds() {
        let schedule = Schedule.cosine(0.1, totalSteps: 10, minLR: 0.001)
        assertNear((0...10).map { schedule($0) },
                   [0.1, 0.0975772976, 0.0905463412, 0.07959537, 0.0657963412, 0.0505, 0.0352036588, 0.02140463,
                    0.0104536588, 0.00342270244, 0.001])
        XCTAssertEqual([11, 15, 1000].map { schedule($0) }, [0.001, 0.001, 0.001])
        XCTAssertEqual(Schedule.cosine(1, totalSteps: 4)(4), 0)
    }

    /// SequentialLR([LinearLR(start_factor=0.25, total_iters=4), CosineAnnealingLR(T_max=6, eta_min=0.01)],
    /// milestones=[4])
    func testLinearWarmupMatchesSequentialLinearLR() {
        let schedule = Schedule.linearWarmup(steps: 4, startFactor: 0.25,
                                             then: .cosine(0.1, totalSteps: 6, minLR: 0.01))
        assertNear((0...10).map { schedule($0) },
                   [0.025, 0.04375, 0.0625, 0.08125, 0.1, 0.0939711432, 0.0775, 0.055, 0.0325, 0.0160288568, 0.01])
    }

    /// 2 · 512^−½ · min(n^−½, n · 4000^−³ᐟ²), n = s + 1; the peak is at s = 3999.
    func testInverseSqrtIsTheNoamSchedule() {
        let schedule = Schedule.inverseSqrt(dModel: 512, warmupSteps: 4000, factor: 2)
        assertNear([0, 1, 999, 3998, 3999, 4000, 15999].map { schedule($0) },
                   [3.49385621e-07, 6.98771243e-07, 0.000349385621, 0.0013971931, 0.00139754249, 0.00139736783,
                    0.000698771243])
    }

    /// fairseq's inverse_sqrt after s updates: lr·s/W while warming up (0 at the first), lr at W, then
    /// lr·√(W/s): half of lr at 4W.
    func testFairseqInverseSqrtWarmsUpLinearlyThenDecays() {
        let schedule = Schedule.fairseqInverseSqrt(5e-4, warmupSteps: 4000)
        assertNear([0, 1, 2000, 3999, 4000, 16000, 64000].map { schedule($0) },
                   [0, 1.25e-7, 2.5e-4, 4.99875e-4, 5e-4, 2.5e-4, 1.25e-4])
    }

    func testLinearRampsThenHolds() {
        let schedule = Schedule.linear(0, end: 0.1, steps: 10)
        assertNear([0, 5, 10, 20].map { schedule($0) }, [0, 0.05, 0.1, 0.1])
    }

    /// mlx's warmup recipe: a linear ramp joined to a cosine counted from the boundary.
    func testJoinedSwitchesAtBoundariesAndShiftsTheStep() {
        let warmupCosine = Schedule.joined([.linear(0, end: 0.1, steps: 10), .cosine(0.1, totalSteps: 100)],
                                           boundaries: [10])
        assertNear([0, 5, 9, 10, 60, 110].map { warmupCosine($0) }, [0, 0.05, 0.09, 0.1, 0.05, 0], atol: 1e-9)

        let three = Schedule.joined([.constant(1), .constant(2), .step(3, stepSize: 2, gamma: 0.5)],
                                    boundaries: [2, 5])
        XCTAssertEqual((0..<10).map { three($0) }, [1, 1, 2, 2, 2, 3, 3, 1.5, 1.5, 0.75])
        XCTAssertEqual(Schedule.joined([.constant(7)], boundaries: [])(42), 7)
    }
}
