import Dispatch
import Foundation
import Synchronization

/// One long-lived helper thread for splitting a kernel in two. Between jobs it spins for a while
/// before it sleeps, so a hand-off in the middle of a training step costs about a microsecond, where
/// waking a dispatch worker costs tens of microseconds — as much as a small GEMM's half. (OpenBLAS and
/// MKL keep their threads spinning for the same reason.)
///
/// The caller publishes the job by bumping `generation`; the helper runs it and stores that
/// generation in `finished`. Sleeping is announced through `sleeping` before the helper re-checks
/// `generation`, and the caller checks `sleeping` after bumping it, so one of them always sees the
/// other (sequentially consistent atomics) and a wake-up is never lost.
final class HelperThread: @unchecked Sendable {
    static let shared = HelperThread()

    private let generation = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let sleeping = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    /// One caller at a time owns the helper.
    private let owner = NSLock()
    /// Written by the caller before `generation` is bumped, read by the helper after it sees the bump.
    private var job: (() -> Void)?
    /// About 100 µs of polling before the helper sleeps.
    private static let spins = 200_000

    private init() {
        let thread = Thread { [unowned self] in self.serve() }
        thread.name = "seqlab-helper"
        thread.start()
    }

    /// Runs `theirs` on the helper and `mine` on the calling thread; returns when both are done. If
    /// another caller holds the helper, both run here instead.
    func run(_ theirs: () -> Void, alongside mine: () -> Void) {
        guard owner.try() else {
            mine()
            theirs()
            return
        }
        defer { owner.unlock() }
        withoutActuallyEscaping(theirs) { theirs in
            job = theirs
            let ticket = generation.add(1, ordering: .sequentiallyConsistent).newValue
            if sleeping.load(ordering: .sequentiallyConsistent) { wake.signal() }
            mine()
            while finished.load(ordering: .acquiring) != ticket {}
            job = nil
        }
    }

    private func serve() {
        var done = 0
        while true {
            var polls = 0
            while generation.load(ordering: .acquiring) == done {
                polls += 1
                guard polls > Self.spins else { continue }
                sleeping.store(true, ordering: .sequentiallyConsistent)
                if generation.load(ordering: .sequentiallyConsistent) == done { wake.wait() }
                sleeping.store(false, ordering: .sequentiallyConsistent)
                polls = 0
            }
            done = generation.load(ordering: .acquiring)
            job?()
            finished.store(done, ordering: .releasing)
        }
    }
}
