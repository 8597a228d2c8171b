/// The help texts; snapshot-tested, so a change here is a visible change to users.
enum Help {
    static let overview = """
    runner — train and compare neural sequence models from one YAML file

    USAGE
      runner SPEC [--set KEY=VALUE]... [--data-dir DIR] [--runs-dir DIR] [--name NAME]
      runner check SPEC [--set KEY=VALUE]...
      runner help [COMMAND]

    COMMANDS
      (default)   train SPEC; writes runs/<name>-<time>/ (spec, plan, metrics, samples, checkpoints)
      check       validate SPEC and print the plan: parameters, FLOPs per step, memory; trains nothing
      help        this text, or one command's

    OPTIONS
      --set KEY=VALUE   override any spec key, typed and checked like the file (repeatable)
      --data-dir DIR    look for datasets here first (then $SEQLAB_DATA, ./data, ../shared/data)
      --runs-dir DIR    where run directories go (default: runs)
      --name NAME       run directory name prefix (default: the spec's name)

    EXIT CODES
      0 success · 1 the run failed (NaN loss, I/O) · 64 bad usage or spec · 66 missing input file

    ENVIRONMENT
      SEQLAB_DATA       a dataset directory searched after --data-dir
      SEQLAB_DEBUG=1    per-op timings of every compiled program
    """

    static let train = """
    runner SPEC [--set KEY=VALUE]... [--data-dir DIR] [--runs-dir DIR] [--name NAME]

    Trains the experiment in SPEC. The run directory records the resolved spec (spec.yaml), the plan
    (plan.txt), the tokenizer, metrics.jsonl, log.txt, samples.txt, checkpoints/ and summary.json.
    Example: runner experiments/gru_charlm.yaml --set train.epochs=10
    """

    static let check = """
    runner check SPEC [--set KEY=VALUE]... [--data-dir DIR]

    Validates SPEC, builds the tokenizer and the graphs, and prints every parameter by key with its
    shape and count, the total, the FLOPs of one training step and the memory of every arena.
    Trains nothing and writes nothing.
    """

    static func text(for topic: String?) -> String {
        switch topic {
        case "train": train
        case "check": check
        default: overview
        }
    }
}
