#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (SIGINT) and SIGTERM while training: the handler only records the signal; the Trainer sees
/// it after the step under way, writes a checkpoint, says how to resume and ends with the shell's
/// status for the signal (130, 143). A second signal before then ends the process at once.
public enum Interruption {
    /// The signal received, 0 for none: written by the handler, read by the loop. A 32-bit aligned
    /// store and load, as a C `sig_atomic_t` is.
    nonisolated(unsafe) private static let flag: UnsafeMutablePointer<Int32> = {
        let pointer = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return pointer
    }()

    /// Routes SIGINT and SIGTERM to `flag` (the first of them; a second one is fatal as usual).
    public static func install() {
        _ = flag
        for number in [SIGINT, SIGTERM] {
            Glibc.signal(number) { number in
                if Interruption.flag.pointee != 0 { _exit(128 + number) }
                Interruption.flag.pointee = number
            }
        }
    }

    /// The signal that asked the run to stop, if one did.
    public static var received: Int32? {
        let number = flag.pointee
        return number == 0 ? nil : number
    }
}
