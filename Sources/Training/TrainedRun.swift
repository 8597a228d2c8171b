import Runs
import Spec
import Text

/// What a command that applies a finished run's model (`predict`, `fill-mask`, `embed`) reads from
/// its directory: the spec, the tokenizer and the chosen checkpoint.
struct TrainedRun {
    let spec: ExperimentSpec
    let tokenizer: any Tokenizer
    let checkpoint: CheckpointStore.Latest

    /// Opens `run` for `command`, which needs a run of `task` (and, when given, of model `kind`): a run
    /// of another is refused before its checkpoint is looked for.
    init(_ run: RunDirectory, checkpoint choice: CheckpointChoice, for command: String, task: ExperimentSpec.Task,
         kind: ModelSpec.Kind? = nil) throws {
        let spec = try ExperimentSpec.load(path: run.specURL.path)
        guard spec.task == task, kind.map({ $0 == spec.model.kind }) ?? true else {
            throw TrainingError.wrongTask(run: run.url.path, task: kind == nil ? spec.task.rawValue : spec.model.kind.rawValue,
                                          command: command)
        }
        self.spec = spec
        checkpoint = try run.checkpoint(choice)
        tokenizer = try TokenizerFile.load(from: run.tokenizerURL)
    }
}
