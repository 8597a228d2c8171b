import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Watches the collective a rank waits in. MPI gives no bound on a collective whose peer died or
/// hangs (over shared memory a dead peer is not even an error), so a thread looks every 50 ms and
/// ends the process when the wait passes `timeout`, or `signalGrace` seconds into a wait after a
/// signal asked it to stop: the training loop, blocked in the call, would never see the signal, while
/// with every rank alive the collective completes (rank 0 may be writing a checkpoint meanwhile) and
/// the ranks stop together after the step. The launcher then ends the job; rank 0 writes checkpoints
/// atomically, so the last one is whole.
final class Watchdog: @unchecked Sendable {
    private let rank: Int
    private let size: Int
    private let timeout: Double
    private let stopSignal: @Sendable () -> Int32?
    private let lock = NSLock()
    /// The collective waited in: what it is, the step, since when, and since when a stop signal was
    /// seen during it; nil between collectives.
    private var waiting: (what: String, step: Int, since: Date, signalled: Date?)?
    /// Whether rank 0 has said that it waits with a signal (the watchdog thread's alone).
    private var saidSignal = false
    /// Slurm's default KillWait: a scheduler that signals the ranks waits this long before SIGKILL.
    private let signalGrace = 30.0

    init(rank: Int, size: Int, timeout: Double, stopSignal: @escaping @Sendable () -> Int32?) {
        (self.rank, self.size, self.timeout, self.stopSignal) = (rank, size, timeout, stopSignal)
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 0.05)
                check()
            }
        }
        thread.name = "seqlab-watchdog"
        thread.start()
    }

    func begin(_ what: String, step: Int) {
        lock.withLock { waiting = (what, step, Date(), nil) }
    }

    func end() {
        lock.withLock { waiting = nil }
    }

    private func check() {
        guard let (what, step, since, signalled) = lock.withLock({ waiting }) else { return }
        let waited = Date().timeIntervalSince(since)
        if let signal = stopSignal() {
            guard let signalled else {
                lock.withLock { if waiting?.since == since { waiting?.signalled = Date() } }
                // Said at once, and once, by rank 0: a launcher that signals because another rank died
                // kills this one within a second; mpirun names the rank, this the step.
                if rank == 0, !saidSignal {
                    saidSignal = true
                    say("rank 0: signal \(signal) while waiting for the other ranks in the \(what) of step \(step); "
                        + "stopping after it")
                }
                return
            }
            guard Date().timeIntervalSince(signalled) > signalGrace else { return }
            stop("rank \(rank): stopped by signal \(signal) at step \(step) while waiting for the other ranks in the \(what)",
                 code: 128 + signal)
        }
        if waited > timeout {
            stop(String(format: "rank %d: the other ranks did not join the %@ of step %d within %.0f s: one of them died or "
                + "hangs. Ending the job; resume from the last checkpoint with `mpirun -np %d runner resume RUN_DIR`", rank,
                what, step, timeout, size), code: 1)
        }
    }

    /// Says why on standard error and ends the process without unwinding: the main thread is inside MPI.
    private func stop(_ message: String, code: Int32) -> Never {
        say("error: " + message)
        _exit(code)
    }

    /// A line on standard error, written at once (not buffered): the process may be killed next.
    private func say(_ message: String) {
        let line = Array((message + "\n").utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
