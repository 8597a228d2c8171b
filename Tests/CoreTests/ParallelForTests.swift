import Core
import Foundation
import XCTest

final class ParallelForTests: XCTestCase {
    /// Every index lands in exactly one share, whatever the count and the threads (two threads go
    /// through the helper thread, three through dispatch's pool), and the shares are contiguous.
    func testEverySharesIndicesAreCoveredOnce() {
        for (count, threads) in [(0, 2), (1, 2), (7, 2), (48, 3), (5, 1)] {
            let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
            defer { seen.deallocate() }
            seen.initialize(repeating: 0)
            parallelFor(count, threads: threads) { range in
                for i in range { seen[i] += 1 }
            }
            XCTAssertEqual(Array(seen.prefix(count)), [Int](repeating: 1, count: count), "\(count) over \(threads)")
        }
    }

    /// Two threads split at count / 2, the first half on the caller: the halves every split kernel
    /// shares, so that a tensor's half stays on one core from op to op.
    func testTwoSharesAreTheHalves() {
        let starts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2)
        defer { starts.deallocate() }
        parallelFor(9, threads: 2) { range in starts[range.lowerBound == 0 ? 0 : 1] = range.upperBound - range.lowerBound }
        XCTAssertEqual(Array(starts), [4, 5])
    }

    /// Many hand-offs to the helper thread in a row, some after pauses long enough for it to fall
    /// asleep: every job runs exactly once and none is lost (a lost wake-up would hang here).
    func testHelperThreadRunsEveryJobOnce() {
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2)
        defer { counts.deallocate() }
        counts.initialize(repeating: 0)
        for round in 0..<20_000 {
            parallelFor(2, threads: 2) { range in
                for i in range { counts[i] += 1 }
            }
            if round % 4_000 == 0 { usleep(2_000) }
        }
        XCTAssertEqual(Array(counts), [20_000, 20_000])
    }
}
