import Data
import Engine
import Foundation
import Planner
import Runs
import Spec
import Text
import Training

/// parse → validate → run; every error a user can cause ends here as a message and an exit code.
func main() -> Int32 {
    do {
        switch try Command(arguments: Array(CommandLine.arguments.dropFirst())) {
        case .help(let topic):
            print(Help.text(for: topic))
        case .check(let path, let options):
            let spec = try ExperimentSpec.load(path: path, overrides: options.overrides)
            print(try Checker.plan(spec, locator: .forCurrentProcess(dataDirectory: options.dataDirectory)))
        case .train(let path, let options):
            let spec = try ExperimentSpec.load(path: path, overrides: options.overrides)
            let locator = DataLocator.forCurrentProcess(dataDirectory: options.dataDirectory)
            let run = try RunDirectory.create(runsDirectory: URL(fileURLWithPath: options.runsDirectory),
                                              name: options.name ?? spec.name)
            print("run directory: \(run.url.path)")
            try Trainer(spec: spec, run: run, locator: locator).fit()
        }
        return 0
    } catch {
        let (message, code) = describe(error)
        FileHandle.standardError.write(Data((message + "\n").utf8))
        return code
    }
}

/// The message and exit code of any error (DESIGN.md: 1 run failed, 64 usage or spec, 66 missing input).
func describe(_ error: any Error) -> (String, Int32) {
    switch error {
    case let error as Command.UsageError: (error.description, 64)
    case let error as SpecError: (error.rendered, error.exitCode)
    case let error as DataError: ("error: \(error)", error.exitCode)
    case let error as TextError: ("error: \(error)", error.exitCode)
    case let error as RunError: ("error: \(error)", error.exitCode)
    case let error as PlanError: ("error: \(error)", error.exitCode)
    case let error as TrainingError: ("error: \(error)", error.exitCode)
    default: ("error: \(error)", 1)
    }
}

exit(main())
