import Core
import Data
import Distributed
import Runs
#if canImport(Glibc)
import Glibc
#endif

/// The data-parallel side of the training loop (DESIGN.md, "Beyond one machine"). Every rank draws the
/// same global batches and runs its slice of their rows; its gradient, weighted by its share of the
/// batch's scored targets, is summed over the ranks in one `MPI_Allreduce` over the flat gradient
/// arena, so clipping, the optimizer and the schedule see on every rank the numbers one process would.
/// BatchNorm normalizes by each rank's rows (as PyTorch's DDP does without SyncBatchNorm), so its
/// running statistics are averaged over the ranks every step, and every rank evaluates one model.
/// A checkpoint gathers what differs between ranks (their dropout generators, their rows of the
/// carried state) into the layout a run alone has, and records the rank count its resume must keep.
extension Trainer {
    /// Sums the step's gradients and loss over the ranks, and whether any rank was asked to stop
    /// (each stops after the same step, or the others would wait for it forever); averages the
    /// buffers (running statistics).
    func sumOverRanks() throws {
        guard team.size > 1 else { return }
        try team.sum(arena.gradients, "gradient sum")
        if !arena.buffers.isEmpty {
            try team.sum(arena.buffers, "running statistics")
            let scale = 1 / Float(team.size)
            for i in arena.buffers.indices { arena.buffers[i] *= scale }
        }
        let signal = Interruption.received
        let sums = try team.sum([pending.loss, signal == SIGINT ? 1 : 0, signal == SIGTERM ? 1 : 0], "loss sum")
        pending.loss = sums[0]
        // SIGTERM (a scheduler's) where any rank received it, else SIGINT (a person's Ctrl-C).
        agreedStop = sums[2] > 0 ? SIGTERM : sums[1] > 0 ? SIGINT : nil
    }

    /// The signal the run stops for after this step: its own alone, the ranks' agreed one under MPI.
    var stopSignal: Int32? { team.size > 1 ? agreedStop : Interruption.received }

    /// Every rank's dropout generator, by the names `dropoutGenerator(rank:)` gives.
    func dropoutGenerators() throws -> [String: SeededGenerator] {
        let words = try team.gather(session.randomState.state, "checkpoint's generators")
        let perRank = session.randomState.state.count
        return Dictionary(uniqueKeysWithValues: (0..<team.size).map { rank in
            (Self.dropoutGenerator(rank: rank), SeededGenerator(state: Array(words[rank * perRank..<(rank + 1) * perRank])))
        })
    }

    /// `dropout` (rank 0's, and a run alone's), `dropout.rank1`, …
    static func dropoutGenerator(rank: Int) -> String {
        rank == 0 ? "dropout" : "dropout.rank\(rank)"
    }
}

extension Team {
    /// This rank's rows of a global batch (rank r of n: rows r·B/n ..< (r+1)·B/n) and its share of the
    /// batch's scored targets (`lastStepOnly`: a window model's, one per real row); the whole batch
    /// and 1 alone.
    func slice(_ batch: LMBatch, lastStepOnly: Bool) -> (batch: LMBatch, share: Double) {
        guard size > 1 else { return (batch, 1) }
        let rows = batch.batchSize / size
        let mine = batch.rows(rank * rows..<(rank + 1) * rows)
        let total = batch.scoredTargets(lastStepOnly: lastStepOnly)
        return (mine, total == 0 ? 0 : Double(mine.scoredTargets(lastStepOnly: lastStepOnly)) / Double(total))
    }

    /// Each rank's (b, …) carried state tensors joined into the whole batch's (B, …), rank after rank:
    /// rows in the global batch's order, as a run alone checkpoints them.
    func gatherRows(of state: [[Float]]) throws -> [[Float]] {
        try state.map { try gather($0, "checkpoint's carried state") }
    }

    /// This rank's rows of the whole batch's carried state tensors, as `gatherRows` joined them.
    func rows(of state: [[Float]]) -> [[Float]] {
        guard size > 1 else { return state }
        return state.map { whole in
            let share = whole.count / size
            return Array(whole[rank * share..<(rank + 1) * share])
        }
    }
}

extension Checkpoint {
    /// The metadata key of the number of MPI ranks that trained the run; absent for one process.
    static let ranksKey = "ranks"

    /// The number of processes that trained the run to this checkpoint.
    var ranks: Int {
        if case .int(let ranks)? = metadata[Self.ranksKey] { return ranks }
        return 1
    }
}
