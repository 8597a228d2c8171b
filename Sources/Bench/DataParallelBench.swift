import Core
import Distributed
import Foundation

/// Data parallelism on this machine: a training step of the baby and small GPTs by 2 MPI ranks of
/// 1 thread each (`mpirun -np 2` running this program as its ranks) against 1 process of 2 threads,
/// measured one after the other in one `make bench`, with the allreduce's share of the step: one
/// `MPI_Allreduce` after the backward pass (as training sums), and 25 MiB buckets overlapped with it.
enum DataParallelBench {
    /// The environment variable that makes this program one rank of the model it names.
    static let rankVariable = "SEQLAB_BENCH_RANK"
    static let ranks = 2

    private struct Model {
        let name: String, layers: Int, heads: Int, width: Int, block: Int, batch: Int, warmup: Int, steps: Int
    }

    private static let models = [
        Model(name: "gpt_baby_cpu", layers: 4, heads: 4, width: 128, block: 64, batch: 12, warmup: 5, steps: 30),
        Model(name: "gpt_small_char", layers: 6, heads: 6, width: 384, block: 256, batch: 8, warmup: 2, steps: 8),
    ]

    /// The two configurations of each model; the MPI line ends with its ratio to the one process.
    static func run() throws {
        guard let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first(where: FileManager.default.isExecutableFile) else {
            print("# mpi: skipped, no mpirun (`make deps` installs openmpi-bin)")
            return
        }
        for model in models {
            let alone = try bench(model, threads: ranks).run(reference: nil)
            // Through env: the ranks learn their model from the environment, and Open MPI refuses root
            // unless told it is meant (CI containers run as root).
            let environment = ["\(rankVariable)=\(model.name)", "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"]
            let executable = URL(fileURLWithPath: CommandLine.arguments[0]).path
            guard let output = standardOutput(of: environment + [mpirun, "-np", String(ranks), "--bind-to", "core", executable])
            else {
                print("# mpi: \(model.name): mpirun failed")
                continue
            }
            for line in output.split(separator: "\n") where line.hasPrefix("bench ") {
                let tokensPerSecond = line.firstMatch(of: /tokens_per_s=([0-9.]+)/).flatMap { Double($0.1) } ?? 0
                print(line + String(format: " one_process_%d_threads_tokens_per_s=%.0f vs_one_process=%.2f", ranks, alone,
                                    tokensPerSecond / alone))
            }
        }
    }

    /// This process as one rank of `mpirun`: joins the team and runs the step of the model named,
    /// summing its gradients once after the backward pass, then in buckets during it.
    static func runRank(_ name: String) throws {
        guard let model = models.first(where: { $0.name == name }) else { throw BenchError.unknownModel(name) }
        let team = try Team.join(timeout: 600) { nil }
        for overlapped in [false, true] {
            var step = bench(model, threads: 1)
            (step.team, step.overlapped) = (team, overlapped)
            try step.run(reference: nil)
        }
        team.leave()
    }

    private static func bench(_ model: Model, threads: Int) -> StepBench {
        StepBench(name: model.name, spec: GPTBench.trainingSpec(layers: model.layers, heads: model.heads, width: model.width,
                                                                block: model.block, batch: model.batch),
                  vocabulary: GPTBench.vocabulary, warmup: model.warmup, steps: model.steps, threads: threads)
    }

    enum BenchError: Error {
        case unknownModel(String)
    }
}
