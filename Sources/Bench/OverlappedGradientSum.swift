import Distributed
import Engine
import Foundation

/// The other way to sum a data-parallel step's gradients, measured beside the one `MPI_Allreduce`
/// after the backward pass that training uses: PyTorch DDP's buckets of about 25 MB, each summed
/// (`MPI_Iallreduce`) as soon as the backward pass has finished every gradient in it, while the
/// pass goes on; Open MPI moves the started sums on between the program's steps.
struct OverlappedGradientSum {
    /// A contiguous stretch of the gradient arena and the step after which all of it is final.
    struct Bucket {
        let range: Range<Int>
        let readyAfter: Int
    }

    /// In the order they become ready.
    let buckets: [Bucket]

    /// Adjacent gradients grouped from the end of the arena (the backward pass finishes the last
    /// layers first) into buckets of at least `bucketFloats`.
    init(_ ready: [Program.GradientReady], bucketFloats: Int) {
        var buckets: [Bucket] = []
        var members: [Program.GradientReady] = []
        for gradient in ready.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            members.append(gradient)
            let floats = members.reduce(0) { $0 + $1.range.count }
            if floats >= bucketFloats {
                buckets.append(Self.bucket(members))
                members = []
            }
        }
        if !members.isEmpty { buckets.append(Self.bucket(members)) }
        self.buckets = buckets.sorted { $0.readyAfter < $1.readyAfter }
    }

    private static func bucket(_ members: [Program.GradientReady]) -> Bucket {
        Bucket(range: members.map(\.range.lowerBound).min()!..<members.map(\.range.upperBound).max()!,
               readyAfter: members.map(\.afterStep).max()!)
    }

    /// Runs `program` (forward and backward), summing its gradients over `team` scaled by `scale` as
    /// they become ready; returns the seconds spent waiting for the sums after the pass.
    func run(_ program: Program, team: Team, scale: Float) throws -> Double {
        let gradients = program.arena.gradients
        let pending = PendingSums()
        var next = 0
        var failure: (any Error)?
        func start(_ bucket: Bucket) {
            for i in bucket.range { gradients[i] *= scale }
            do { try team.startSum(UnsafeMutableBufferPointer(rebasing: gradients[bucket.range]), into: pending, "gradient bucket") }
            catch { failure = failure ?? error }
        }
        program.run { index in
            while next < buckets.count, buckets[next].readyAfter <= index {
                start(buckets[next])
                next += 1
            }
            if next > 0 {
                do { try team.progress(pending) } catch { failure = failure ?? error }
            }
        }
        while next < buckets.count {
            start(buckets[next])
            next += 1
        }
        if let failure { throw failure }
        let waitStart = DispatchTime.now().uptimeNanoseconds
        try team.finish(pending, "gradient buckets")
        return Double(DispatchTime.now().uptimeNanoseconds - waitStart) * 1e-9
    }
}
