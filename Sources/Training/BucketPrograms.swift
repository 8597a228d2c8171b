import Core
import Engine
import Graph

/// The training programs of a task batched in length buckets (translation, classification): one
/// program per bucket shape, all compiled over one arena, and one dropout generator handed from
/// program to program, so that the run draws one stream of masks (and a checkpoint saves one)
/// whatever order the shapes come in.
final class BucketPrograms {
    let programs: [Program]
    /// The generator behind dropout, saved in checkpoints.
    var randomState: SeededGenerator
    var arena: ParameterArena { programs[0].arena }

    /// Compiles each bucket's training graph (its loss and the gradients) over one arena.
    init(_ passes: [(graph: Graph, loss: Tensor, gradients: [(parameter: Tensor, gradient: Tensor)])], seed: Int,
         threads: Int) throws {
        var programs: [Program] = []
        for pass in passes {
            programs.append(try Engine.compile(pass.graph, outputs: [pass.loss], gradients: pass.gradients,
                                               arena: programs.first?.arena, seed: UInt64(truncatingIfNeeded: seed), threads: threads))
        }
        self.programs = programs
        randomState = programs[0].randomState
    }

    /// `body` run on bucket `bucket`'s program with the run's generator.
    func run<Result>(bucket: Int, _ body: (Program) throws -> Result) rethrows -> Result {
        let program = programs[bucket]
        program.randomState = randomState
        defer { randomState = program.randomState }
        return try body(program)
    }

    /// Each bucket's memory, under its shape.
    func memorySummary(shapes: [String], optimizerState: Int) -> String {
        zip(shapes, programs).map { shape, program in
            "bucket \(shape):\n" + program.memorySummary(optimizerState: optimizerState)
        }.joined(separator: "\n")
    }
}
