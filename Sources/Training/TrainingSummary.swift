import Foundation
import Spec

/// The line of `runner check` that says how long a run trains and how its rate moves, with epoch
/// milestones translated into the steps they fall on:
///
///     training  20 epochs × 544 steps = 10880 steps; sgd lr 20; ×0.25 when valid.loss stops improving (patience 0); clip 0.25
enum TrainingSummary {
    static func line(_ train: TrainSpec, stepsPerEpoch: Int, totalSteps: Int, byCounting: Bool) -> String {
        if byCounting { return "training  by counting the training split once: no gradient steps" }
        let epochs = train.epochs ?? 1
        let length = train.steps.map { "\($0) steps" }
            ?? "\(epochs) epoch\(epochs == 1 ? "" : "s") × \(stepsPerEpoch) steps = \(totalSteps) steps"
        let optimizer = "\(train.optimizer.kind.rawValue) lr \(number(train.optimizer.lr))"
        let clip = train.clipGradNorm.map { "; clip \(number($0))" } ?? ""
        let note = warmupNote(train, totalSteps: totalSteps).map { "\n" + $0 } ?? ""
        return "training  \(length); \(optimizer); \(schedule(train.schedule, stepsPerEpoch: stepsPerEpoch))\(clip)\(note)"
    }

    /// A warm-up as long as the run or longer: legal, and a mistake nearly always, so `check` and the
    /// start of training say it before the run is spent.
    static func warmupNote(_ train: TrainSpec, totalSteps: Int) -> String? {
        let warmup = train.schedule.warmupSteps
        // noam's peak is its own formula's, not lr; a model fitted by counting takes no step at all.
        guard warmup > 0, totalSteps > 0, warmup >= totalSteps, train.schedule.kind != .noam else { return nil }
        return "note: the warm-up of \(warmup) steps is as long as the run (\(totalSteps) steps) or longer, so the learning "
            + "rate never reaches \(number(train.optimizer.lr)); lower train.schedule.warmup_steps"
    }

    static func schedule(_ schedule: ScheduleSpec, stepsPerEpoch: Int) -> String {
        let gamma = number(schedule.gamma)
        let rule: String = switch schedule.kind {
        case .constant: "constant"
        case .step: "×\(gamma) every \(schedule.stepSize) steps"
        case .exponential: "×\(gamma) every step"
        case .cosine: "cosine to \(number(schedule.minLR))"
        case .linear: "linear to \(number(schedule.minLR))"
        case .noam: "noam" + (schedule.width.map { " (width \($0))" } ?? "")
        case .inverseSqrt: "inverse square root"
        case .multistep where schedule.unit == .epoch:
            "×\(gamma) at epochs \(list(schedule.milestones)) "
                + "(steps \(list(schedule.milestoneSteps(stepsPerEpoch: stepsPerEpoch))))"
        case .multistep: "×\(gamma) at steps \(list(schedule.milestones))"
        case .plateau:
            "×\(number(schedule.factor)) when \(schedule.metric) stops improving (patience \(schedule.patience))"
        }
        return schedule.warmupSteps > 0 ? "warm-up \(schedule.warmupSteps) steps, then \(rule)" : rule
    }

    private static func list(_ values: [Int]) -> String { values.map(String.init).joined(separator: ", ") }

    /// 20 for 20.0, 0.25 as it is: the shortest form that reads back.
    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
