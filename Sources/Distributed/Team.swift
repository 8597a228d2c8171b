import CMPI
import Foundation

/// The processes that train one run together. Under an MPI launcher (`mpirun -np N runner SPEC`,
/// DESIGN.md "Beyond one machine") each is one rank of MPI_COMM_WORLD: every rank builds the same
/// plan and takes its share of each global batch, the gradients are summed over the flat gradient
/// arena in one `MPI_Allreduce`, and rank 0 alone writes the run directory. Alone, a process is a
/// team of one whose collectives return at once, so the training loop reads the same either way.
///
/// Only the main thread calls MPI. A collective that does not return within `timeout` (a rank died
/// or hangs) ends the process with a message naming its rank and step, and so the job: a launcher
/// tears the others down when one rank exits.
public final class Team: @unchecked Sendable {
    /// This process's rank, 0 to `size` − 1.
    public let rank: Int
    public let size: Int
    /// Ranks sharing this node's cores (`MPI_COMM_TYPE_SHARED`).
    public let ranksOnNode: Int
    /// The training step under way (as the log numbers it), for the messages of a collective that fails
    /// or never returns. Set only on a team of several: `alone` is shared.
    public var step = 0
    private let watchdog: Watchdog?

    /// A process training alone.
    public static let alone = Team(rank: 0, size: 1, ranksOnNode: 1, watchdog: nil)

    /// Rank 0: the one that writes the run directory, logs and checkpoints, and prints.
    public var isLeader: Bool { rank == 0 }

    private init(rank: Int, size: Int, ranksOnNode: Int, watchdog: Watchdog?) {
        (self.rank, self.size, self.ranksOnNode, self.watchdog) = (rank, size, ranksOnNode, watchdog)
    }

    /// Whether an MPI launcher started this process: Open MPI's `mpirun` sets `OMPI_COMM_WORLD_SIZE`,
    /// PMI-based launchers (Slurm's `srun`, MPICH's Hydra) `PMI_SIZE` or `PMIX_RANK`.
    public static func launchedByMPI(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"].contains { environment[$0] != nil }
    }

    /// Joins MPI_COMM_WORLD. A collective waits at most `timeout` seconds for the other ranks;
    /// `stopSignal` (the signal that asked the process to stop, if one did) is polled while one waits,
    /// because a rank blocked in a collective never reaches the loop's own check.
    public static func join(timeout: Double, stopSignal: @escaping @Sendable () -> Int32?) throws(TeamError) -> Team {
        let code = seqlab_mpi_init()
        guard code == 0 else { throw .mpi(rank: nil, step: nil, operation: "MPI_Init_thread", message: errorText(code)) }
        let rank = Int(seqlab_mpi_rank()), size = Int(seqlab_mpi_size())
        return Team(rank: rank, size: size, ranksOnNode: max(1, Int(seqlab_mpi_node_size())),
                    watchdog: Watchdog(rank: rank, size: size, timeout: timeout, stopSignal: stopSignal))
    }

    /// Leaves MPI (`MPI_Finalize`) at the end of a process that joined; nothing for a team of one.
    public func leave() {
        guard watchdog != nil else { return }
        _ = seqlab_mpi_finalize()
    }

    /// values[i] ← the sum of values[i] over the ranks, the same on every rank.
    public func sum(_ values: UnsafeMutableBufferPointer<Float>, _ what: String) throws(TeamError) {
        guard size > 1 else { return }
        try forEachCall(values) { base, count throws(TeamError) in try collective(what) { seqlab_mpi_sum_floats(base, count) } }
    }

    /// Starts summing `values` over the ranks (`MPI_Iallreduce`) into `pending`; the sum is in
    /// `values` once `finish(pending)` returns. Every rank starts the same sums in the same order.
    public func startSum(_ values: UnsafeMutableBufferPointer<Float>, into pending: PendingSums, _ what: String)
        throws(TeamError) {
        guard size > 1 else { return }
        try forEachCall(values) { base, count throws(TeamError) in
            pending.requests.append(seqlab_mpi_request_null())
            let index = pending.requests.count - 1
            try collective(what) { seqlab_mpi_start_sum_floats(base, count, &pending.requests[index]) }
        }
    }

    /// `values` in the pieces one MPI call takes (its counts are 32-bit): one piece below 2³¹ floats.
    private func forEachCall(_ values: UnsafeMutableBufferPointer<Float>,
                             _ body: (UnsafeMutablePointer<Float>, Int32) throws(TeamError) -> Void) throws(TeamError) {
        guard let base = values.baseAddress else { return }
        for start in stride(from: 0, to: values.count, by: Int(Int32.max)) {
            try body(base + start, Int32(min(values.count - start, Int(Int32.max))))
        }
    }

    /// Moves the started sums on without waiting for them.
    public func progress(_ pending: PendingSums) throws(TeamError) {
        guard !pending.requests.isEmpty else { return }
        var done: Int32 = 0
        try collective("sum in progress") { seqlab_mpi_test_all(Int32(pending.requests.count), &pending.requests, &done) }
    }

    /// Waits for every started sum.
    public func finish(_ pending: PendingSums, _ what: String) throws(TeamError) {
        guard !pending.requests.isEmpty else { return }
        try collective(what) { seqlab_mpi_wait_all(Int32(pending.requests.count), &pending.requests) }
        pending.requests.removeAll(keepingCapacity: true)
    }

    /// Returns once every rank has called it.
    public func barrier(_ what: String) throws(TeamError) {
        guard size > 1 else { return }
        try collective(what) { seqlab_mpi_barrier() }
    }

    /// The sums over the ranks of `values`.
    public func sum(_ values: [Double], _ what: String) throws(TeamError) -> [Double] {
        guard size > 1 else { return values }
        var sums = values
        try collective(what) { sums.withUnsafeMutableBufferPointer { seqlab_mpi_sum_doubles($0.baseAddress, Int32($0.count)) } }
        return sums
    }

    /// Every rank's `values` (the same count on each), concatenated in rank order, on every rank.
    public func gather<Element: BitwiseCopyable>(_ values: [Element], _ what: String) throws(TeamError) -> [Element] {
        guard size > 1 else { return values }
        var gathered = [Element](unsafeUninitializedCapacity: values.count * size) { buffer, count in
            // Filled by the collective below before anything reads it.
            buffer.withMemoryRebound(to: UInt8.self) { $0.initialize(repeating: 0) }
            count = buffer.count
        }
        try collective(what) {
            values.withUnsafeBytes { mine in
                gathered.withUnsafeMutableBytes { seqlab_mpi_gather_bytes(mine.baseAddress, Int32(mine.count), $0.baseAddress) }
            }
        }
        return gathered
    }

    /// Rank 0's `text` on every rank (what the others pass is ignored).
    public func broadcast(_ text: String, _ what: String) throws(TeamError) -> String {
        guard size > 1 else { return text }
        var length = Int64(isLeader ? text.utf8.count : 0)
        try collective(what) { seqlab_mpi_broadcast_int(&length) }
        var bytes = isLeader ? Array(text.utf8) : [UInt8](repeating: 0, count: Int(length))
        try collective(what) { bytes.withUnsafeMutableBytes { seqlab_mpi_broadcast_bytes($0.baseAddress, Int32($0.count)) } }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs one MPI call under the watchdog; a failing code becomes an error naming rank and step.
    private func collective(_ what: String, _ call: () -> Int32) throws(TeamError) {
        watchdog?.begin(what, step: step)
        let code = call()
        watchdog?.end()
        guard code == 0 else { throw .mpi(rank: rank, step: step, operation: what, message: Self.errorText(code)) }
    }

    private static func errorText(_ code: Int32) -> String {
        var text = [CChar](repeating: 0, count: Int(seqlab_mpi_max_error_string()) + 1)
        seqlab_mpi_error_string(code, &text, Int32(text.count))
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Sums started by `Team.startSum` and not yet finished. (Open MPI's request handles are pointers;
/// SeqLab is built against Open MPI alone.)
public final class PendingSums {
    fileprivate var requests: [MPI_Request?] = []

    public init() {}
}

/// Why a collective failed.
public enum TeamError: Error, CustomStringConvertible {
    /// MPI returned an error code (a peer's connection gone, a launcher that failed).
    case mpi(rank: Int?, step: Int?, operation: String, message: String)

    public var description: String {
        switch self {
        case .mpi(let rank, let step, let operation, let message):
            let who = rank.map { "rank \($0)" } ?? "this process"
            let when = step.map { " at step \($0)" } ?? ""
            return "error: \(who): \(operation) failed\(when): \(message) (a rank died or its node is unreachable; "
                + "resume from the last checkpoint with the same number of ranks)"
        }
    }
}
