import Core
import Data
import Engine
import Graph
import Spec

/// The training programs of a task batched in length buckets (translation, classification): one
/// program per bucket shape, all compiled over one arena, and one dropout generator handed from
/// program to program, so that the run draws one stream of masks (and a checkpoint saves one)
/// whatever order the shapes come in. The programs run one at a time, so they share one activation
/// scratch, as the task's evaluation programs do (`compileEvaluation`): the run holds the activations
/// of its largest shape, not of all of them.
final class BucketPrograms {
    let programs: [Program]
    /// The activation scratch of the programs, nil when the system reserves none (each has its own).
    private let scratch: ActivationScratch?
    private let threads: Int
    /// The generator behind dropout, saved in checkpoints.
    var randomState: SeededGenerator
    /// The activation floats of each evaluation program compiled over the buckets' arena.
    private var evaluationScratchFloats: [Int] = []
    var arena: ParameterArena { programs[0].arena }

    /// Compiles each bucket's training graph (its loss and the gradients) over one arena.
    init(_ passes: [(graph: Graph, loss: Tensor, gradients: [(parameter: Tensor, gradient: Tensor)])], seed: Int,
         threads: Int) throws {
        var programs: [Program] = []
        let scratch = ActivationScratch.shared()
        for pass in passes {
            programs.append(try Engine.compile(pass.graph, outputs: [pass.loss], gradients: pass.gradients,
                                               arena: programs.first?.arena, seed: UInt64(truncatingIfNeeded: seed), threads: threads,
                                               scratch: scratch))
        }
        (self.programs, self.scratch, self.threads) = (programs, scratch, threads)
        randomState = programs[0].randomState
    }

    /// `body` run on bucket `bucket`'s program with the run's generator.
    func run<Result>(bucket: Int, _ body: (Program) throws -> Result) rethrows -> Result {
        let program = programs[bucket]
        program.randomState = randomState
        defer { randomState = program.randomState }
        return try body(program)
    }

    /// A program that runs between training steps (an evaluation pass) over the buckets' arena, threads
    /// and scratch: its outputs are read before the next training step overwrites them.
    func compileEvaluation(_ graph: Graph, outputs: [Tensor]) throws -> Program {
        let program = try Engine.compile(graph, outputs: outputs, arena: arena, threads: threads, scratch: scratch)
        evaluationScratchFloats.append(program.scratchFloats)
        return program
    }

    /// Each bucket's memory, under its shape, then the evaluation programs' activations and what the
    /// shared scratch holds.
    func memorySummary(shapes: [String], optimizerState: Int) -> String {
        let buckets = zip(shapes, programs).map { shape, program in
            "bucket \(shape):\n" + program.memorySummary(optimizerState: optimizerState)
        }
        let mebibytes: (Int) -> String = ParameterArena.mebibytes
        var lines = buckets
        if let largest = evaluationScratchFloats.max() {
            lines.append("evaluation       \(evaluationScratchFloats.count) programs, activations \(mebibytes(largest)) "
                + "the largest, \(mebibytes(evaluationScratchFloats.reduce(0, +))) in all")
        }
        let sizes: [Int] = programs.map(\.scratchFloats) + evaluationScratchFloats
        if scratch != nil, sizes.count > 1 {
            let (largest, all) = (mebibytes(sizes.max() ?? 0), mebibytes(sizes.reduce(0, +)))
            lines.append("training and evaluation share one scratch: \(largest) (the largest), not \(all) (all \(sizes.count))")
        }
        return lines.joined(separator: "\n")
    }
}

extension DataSpec.Batching {
    /// How the bucketed batches of a run are composed.
    var composition: BatchComposition { self == .random ? .acrossBuckets : .withinBuckets }
}
