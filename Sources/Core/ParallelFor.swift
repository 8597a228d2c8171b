import Dispatch

/// Runs `count` independent jobs over `threads` threads in contiguous shares (the batch of a batched
/// GEMM, the rows of a kernel, the elements of an optimizer step); on the calling thread alone when
/// one share is all there is. Share p is `p·count/parts ..< (p + 1)·count/parts`, so kernels that split
/// one tensor the same way keep each half on one core.
public func parallelFor(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
    let parts = min(threads, count)
    guard parts > 1 else {
        body(0..<count)
        return
    }
    if parts == 2 {
        HelperThread.shared.run({ body((count / 2)..<count) }, alongside: { body(0..<(count / 2)) })
        return
    }
    withoutActuallyEscaping(body) { body in
        let shared = Unchecked(body)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            shared.value((part * count / parts)..<((part + 1) * count / parts))
        }
    }
}

/// A value handed to worker threads that the compiler cannot prove safe to share: raw addresses and
/// the closures over them. Safe here because every thread writes a part of memory no other reads.
private struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
