/// The help texts; snapshot-tested, so a change here is a visible change to users.
enum Help {
    static let overview = """
    runner — train and compare neural sequence models from one YAML file

    USAGE
      runner [train] SPEC [--set KEY=VALUE]... [--data-dir DIR] [--runs-dir DIR] [--name NAME | --run-dir DIR]
      runner check SPEC [--set KEY=VALUE]... [--data-dir DIR]
      runner resume RUN_DIR [--data-dir DIR]
      mpirun -np N runner [train|check|resume] ... [--collective-timeout SECONDS]
      runner sample RUN_DIR [--prompt TEXT] [--length N] [--temperature T] [--top-k K] [--top-p P] [--stop TEXT]...
                    [--seed S] [--no-cache]
      runner eval RUN_DIR [--split train|valid|test] [--data-dir DIR]
      runner eval RUN_DIR --task FILE.jsonl [--shots K] [--demos FILE.jsonl] [--seed S]
      runner translate RUN_DIR [--beam K] [--lenpen A] [--max-len-a A] [--max-len-b B] [--nbest N]
                       [--split valid|test] [--attention FILE.svg] [--data-dir DIR] [< source lines]
      runner predict RUN_DIR [--checkpoint latest|best|FILE] < lines
      runner fill-mask RUN_DIR TEXT [--top-k K] [--checkpoint latest|best|FILE]
      runner embed RUN_DIR [--elmo | --layer L] [--pool cls|mean] [--out FILE.npy] [--checkpoint …] < lines
      runner similar RUN_DIR WORD [--k N]
      runner analogy RUN_DIR A B C [--k N]
      runner export RUN_DIR --format word2vec [--binary] [--out FILE]
      runner export RUN_DIR --format safetensors [--out DIR]
      runner tokenize --tokenizer FILE.json < lines.txt
      runner tokenize --train CORPUS --kind KIND --vocab-size N --out FILE.json [...]
      runner bleu --ref REF --hyp HYP [--tokenize none|13a] [--lowercase] [--sentence]
      runner table RUN_OR_SWEEP_DIR... [--metrics A,B] [--sort METRIC] [--markdown|--csv]
      runner plot RUN_OR_SWEEP_DIR... [--metric NAME] [--log] [--out FILE.svg]
      runner report RUN_OR_SWEEP_DIR... [--out FILE.html]
      runner sweep SWEEP.yaml [--parallel N] [--fail-fast] [--runs-dir DIR] [--data-dir DIR]
      runner sweep --resume SWEEP_DIR [--parallel N] [--fail-fast] [--data-dir DIR]
      runner sweep SWEEP.yaml --scheduler slurm [--partition P] [--max-concurrent K] [--time T]
      runner sweep --status SWEEP_DIR
      runner help [COMMAND]

    COMMANDS
      (default)   train SPEC; writes runs/<name>-<time>/ (spec, plan, metrics, samples, checkpoints)
      check       validate SPEC and print the plan: parameters, FLOPs per step, memory; trains nothing
      resume      continue a killed run from its latest checkpoint, bit for bit
      sample      generate text from a run's latest (or best) checkpoint
      eval        loss and perplexity of a run's latest (or best) checkpoint on a split, or its
                  zero-/few-shot accuracy on a multiple-choice task
      translate   translate lines (or a split) with a translation run's latest (or best) checkpoint
      predict     the class and its probability of each line, by a classification run's checkpoint
      fill-mask   the likeliest tokens for each [MASK] of a text, by a masked_lm (BERT) run's checkpoint
      embed       one vector per line from a masked_lm (BERT) or elmo run: a layer's or ELMo's mixed states
      similar     the words nearest WORD by cosine in a word-vector run (word2vec, fastText, GloVe)
      analogy     A is to B as C is to ?, answered by 3CosAdd over a word-vector run's vectors
      export      a word-vector run's vectors in word2vec's format, or any run's weights as safetensors
      tokenize    show a tokenizer's ids and tokens for lines of text, or train and save one
      bleu        BLEU of a file of hypotheses against one of references, equal to sacreBLEU's
      table       finished runs side by side: what differs, metrics, the published numbers they reproduce
      plot        an SVG of runs' loss (or another metric) and learning rate against the step
      report      one self-contained HTML page of runs or a sweep: results, curves, samples, plan, spec
      sweep       train a base experiment over a grid or random draws of some of its keys
      help        this text, or one command's

    OPTIONS (--flag value, or --flag=value)
      --set KEY=VALUE   override any spec key, typed and checked like the file (repeatable)
      --data-dir DIR    look for datasets here first (then $SEQLAB_DATA, ./data, ../shared/data)
      --runs-dir DIR    where run directories go (default: runs)
      --name NAME       run directory name prefix (default: the spec's name)
      --run-dir DIR     train into exactly DIR (which must not exist) instead
      --distributed mpi|none  join the MPI job that launched this process, or train alone (default:
                        join when an MPI launcher such as mpirun or srun started it)
      --collective-timeout SECONDS  under MPI, how long a rank waits for the others in one collective
                        before it ends the job, naming itself and the step (default 300)
      --                every argument after it is positional, even one starting with --

    EXIT CODES
      0 success · 1 the run failed (NaN loss, I/O) · 64 bad usage or spec · 66 missing input file

    ENVIRONMENT
      SEQLAB_DATA       a dataset directory searched after --data-dir
      SEQLAB_DEBUG=1    per-op timings of every compiled program (on several threads, also the
                        time each op ran on one thread while the others idled)
      SEQLAB_BLAS_KERNELS=keep  keep OpenBLAS's own kernel choice (default: its AVX-512 kernels where
                        the CPU has AVX-512, about twice as fast on AMD Zen 4)
    """

    static let train = """
    runner [train] SPEC [--set KEY=VALUE]... [--data-dir DIR] [--runs-dir DIR] [--name NAME | --run-dir DIR]
                   [--distributed mpi|none] [--collective-timeout SECONDS]

    Trains the experiment in SPEC. The run directory records the resolved spec (spec.yaml, its relative
    file paths made absolute, so eval and resume find them from any directory), the plan
    (plan.txt), the tokenizer (a word-vector run: vocabulary.tsv), metrics.jsonl, log.txt, samples.txt,
    checkpoints/ and summary.json. A run resumed from a checkpoint continues bit for bit, except word
    vectors trained with train.threads ≥ 2: their threads update shared tables without locks
    (Hogwild, as word2vec.c and gensim do), so such a run is not bit-reproducible; word vectors train
    on one thread unless train.threads says more (other tasks default to every core). Ctrl-C or
    SIGTERM ends the run after the step under way, with a checkpoint of it and the resume command
    (exit 130, 143). While a process trains a run it holds RUN_DIR/run.lock: a second `runner resume`
    of the run refuses, naming the holder's pid; the lock of a killed process is taken over, with a note.
    Example: runner experiments/gru_charlm.yaml --set train.epochs=10

    Data-parallel (a language model): `mpirun -np N runner SPEC` trains on N ranks. Every rank builds
    the same plan for 1/N of train.batch_size (which must divide by N) and takes its rows of each
    batch; one MPI_Allreduce per step sums the gradients over the flat arena, so the run follows a
    single process with the same batch to rounding. Rank 0 alone writes the run directory, which the
    other ranks read (on several nodes it must be on a shared filesystem). train.threads defaults to
    the cores mpirun bound the rank to, or else its share of the node's. A rank that dies or waits past
    --collective-timeout ends the job with a message naming the rank and the step; the last checkpoint
    is whole. SIGTERM to the ranks stops them together after a step, checkpointed. BatchNorm normalizes
    by each rank's rows (its running statistics are averaged over the ranks).
    """

    static let check = """
    runner check SPEC [--set KEY=VALUE]... [--data-dir DIR] [--distributed mpi|none] [--collective-timeout SECONDS]

    Validates SPEC, builds the tokenizer and the graphs, and prints every parameter by key with its
    shape and count, the total, the FLOPs of one training step and the memory of every arena.
    Trains nothing and writes nothing. Given a sweep file (one with `base:`), checks it and its base,
    and every trial with its values together, and lists every trial's overrides. Under `mpirun -np
    N`, also each rank's share of a batch and the gradient floats one MPI_Allreduce sums per step.
    """

    static let resume = """
    runner resume RUN_DIR [--data-dir DIR] [--distributed mpi|none] [--collective-timeout SECONDS]

    Continues the run in RUN_DIR from its newest readable checkpoint with the run's own spec.yaml and
    tokenizer.json: weights, optimizer state, random generators and the position in the data are
    restored, so the run goes on exactly as if it had not stopped. Metrics and samples logged after
    that checkpoint are dropped and logged again. A run trained under `mpirun -np N` resumes under
    `mpirun -np N` (each rank's dropout generator and rows of the carried state are in the checkpoint);
    another number of ranks is refused. A finished run (summary.json written at its last checkpoint's
    step) is left untouched: resume says so and exits 0.
    """

    static let sample = """
    runner sample RUN_DIR [--prompt TEXT] [--length N] [--temperature T] [--top-k K] [--top-p P] [--stop TEXT]...
                  [--seed S] [--no-cache] [--checkpoint latest|best|FILE]

    Generates N tokens (default 100) after TEXT (default: the spec's sample.prompt) from the run's
    newest checkpoint (--checkpoint best: the best validation one's, by checkpoint.best_by, which the
    test split was scored with; or a checkpoint file of the run). Temperature scales the logits (default 1); --top-k keeps the K likeliest
    tokens (1 is greedy); --top-p then keeps the likeliest tokens whose probabilities reach P. The
    text ends before the first --stop string it generates (\\n and \\t allowed). The same seed gives
    the same text. GPT decodes with a KV cache; --no-cache recomputes the whole context every token
    (same text, slower). Prints the tokens/s on stderr. Needs no dataset. Each flag takes what its
    spec key takes (sample.length ≥ 0, temperature > 0, top_k ≥ 1, top_p in (0, 1]).
    """

    static let eval = """
    runner eval RUN_DIR [--split train|valid|test] [--data-dir DIR] [--checkpoint latest|best|FILE]
    runner eval RUN_DIR --task FILE.jsonl [--shots K] [--demos FILE.jsonl] [--seed S] [--checkpoint …]

    Loss and perplexity of the run's newest checkpoint (--checkpoint best: the best validation
    one's, by checkpoint.best_by, that the run's test score comes from; or a checkpoint file of the run) on a split
    (default valid), in batches of the training shape with the state carried; BLEU too for a
    translation run.

    With --task, GPT-3's zero-, one- and few-shot evaluation. FILE.jsonl holds one item a line:
    {"context": "...", "choices": ["...", ...], "answer": i}; nothing is put between a context and
    a choice, so a choice that follows a space starts with one (" Paris"). An item's prompt is K
    demonstrations (default 0), each a context followed by its correct choice, then the item's
    context, separated by blank lines; they are drawn with seed S (default 0) from --demos (default
    FILE.jsonl itself), never the item or a copy of it. Each choice is scored by the log-probability
    of its tokens after the prompt, summed and per token (length-normalised); prints both accuracies
    with their standard errors, and the chance level. A GPT sees the last block_size tokens.
    Needs no dataset.
    Example: runner eval runs/gpt-20261123-101500 --task piqa.jsonl --shots 2 --seed 1
    """

    static let tokenize = """
    runner tokenize --tokenizer FILE.json < lines.txt
    runner tokenize --train CORPUS --kind bpe_bytelevel|bpe|wordpiece --vocab-size N --out FILE.json
                    [--special-tokens A,B,...] [--lowercase] [--min-frequency N] [--data-dir DIR]

    With --tokenizer, reads lines on standard input and prints one JSON object per line,
    {"ids": [...], "tokens": [...]}, with no special tokens added. FILE.json is a run's
    tokenizer.json or any Hugging Face tokenizer.json SeqLab implements.

    With --train, trains a subword tokenizer on CORPUS (a dataset name or a path) exactly as Hugging
    Face `tokenizers` would and saves it in its tokenizer.json format. N counts the special tokens,
    which default to <|endoftext|> (bpe_bytelevel), <unk>,<pad>,<bos>,<eos> (bpe) and
    [PAD],[UNK],[CLS],[SEP],[MASK] (wordpiece); bpe and wordpiece need an unknown token among them.
    Pairs seen fewer than --min-frequency times (default 1) are not merged.
    Example: runner tokenize --train tinyshakespeare --kind bpe_bytelevel --vocab-size 2000 --out bpe.json
    """

    static let translate = """
    runner translate RUN_DIR [--beam K] [--lenpen A] [--max-len-a A] [--max-len-b B] [--nbest N]
                     [--split valid|test] [--attention FILE.svg] [--data-dir DIR] [--checkpoint latest|best|FILE]
                     [< source lines]

    Translates each line of standard input (or the sources of a split of the run's corpus, whose
    files alone are read: the training files may be gone) with the run's latest checkpoint
    (--checkpoint best: the best validation one's, which the test BLEU was scored with) and prints
    one detokenised translation a line (a blank line for a blank one); with --nbest N, N lines a
    source: rank, score and translation. Decoding is greedy (--beam 1) or beam search as fairseq's:
    a hypothesis scores its log-probability / length^A (--lenpen), at most
    ⌊max_len_a · (source length + 1) + max_len_b⌋ tokens come before its <eos> (the source's
    <bos> counted too under data.source_bos), 1,024 at most, and <eos> never comes first. Each flag
    defaults to the run's eval.decode and takes what that key takes. A line may take 4,096 positions
    (its tokens and <eos>) for a recurrent model, as many as its positions for a Transformer. Prints
    sentences/s and tokens/s on stderr. With --attention, also draws the first sentence's attention
    weights (source × target) as an SVG heat map; a Transformer's cross-attention as a grid of maps,
    one per layer and head.
    Example: runner translate runs/seq2seq_multi30k-20261204-101500 --beam 5 --lenpen 1.0 < test.de
    """

    static let predict = """
    runner predict RUN_DIR [--checkpoint latest|best|FILE] < lines

    Classifies each line of standard input with a classification run's latest checkpoint
    (--checkpoint best: the best validation one's, which its test split was scored with) and prints
    one line a text: the predicted class, a tab, and its probability. The lines are read as the run's
    tokenizer reads its corpus; a line it leaves no token of is an error. Reads the run alone
    (spec.yaml, tokenizer.json, labels.txt, the checkpoint), not its corpus; texts/s on stderr.
    Example: echo "a gorgeous , witty , seductive movie ." | runner predict runs/sst2_bilstm-20261204-225636
    """

    static let fillMask = """
    runner fill-mask RUN_DIR TEXT [--top-k K] [--checkpoint latest|best|FILE]

    Guesses each [MASK] of TEXT with a masked_lm run's latest checkpoint (--checkpoint best: the best
    validation one's), as Hugging Face's fill-mask pipeline: the text is read by the run's tokenizer
    and framed [CLS] … [SEP]; for each [MASK], in order, the K (default 5) most probable tokens, one
    a line: the mask's number, the token, its probability.
    Example: runner fill-mask runs/bert_wikitext2-20261204-231701 "the [MASK] of the city" --top-k 3
    """

    static let embed = """
    runner embed RUN_DIR [--elmo | --layer L] [--pool cls|mean] [--out FILE.npy] [--checkpoint latest|best|FILE] < lines

    One vector per line of standard input from a masked_lm run's BERT: layer L's hidden states (0 the
    embeddings, the model's last by default), at [CLS] (--pool cls, the default) or averaged over the
    line's positions (--pool mean), each line framed [CLS] … [SEP]. From an elmo run's biLM (--elmo,
    the default for one): the mean of its layers (the token layer twice, then each LSTM layer's forward
    and backward states: ELMo's mix with uniform weights and γ = 1), or layer L alone, averaged over
    the line's tokens. Prints JSON lines of numbers, or with --out writes one float32 matrix (lines ×
    width) in NumPy's .npy format and prints its path.
    Example: runner embed runs/bert_wikitext2 --pool mean --out vectors.npy < sentences.txt
    """

    static let similar = """
    runner similar RUN_DIR WORD [--k N] [--checkpoint latest|FILE]

    Prints the N (default 10) words nearest WORD by cosine similarity, with the similarity, from a
    word-vector run's checkpoint, as gensim's most_similar: WORD itself left out. A fastText run
    also answers a word outside its vocabulary, from the word's character n-grams. Reads the run
    alone (spec.yaml, vocabulary.tsv, the checkpoint), not its corpus.
    Example: runner similar runs/word2vec_sgns-20261204-133639 dog --k 5
    """

    static let analogy = """
    runner analogy RUN_DIR A B C [--k N] [--checkpoint latest|FILE]

    "A is to B as C is to ?": the N (default 10) words nearest B − A + C over unit-length vectors
    (3CosAdd, Mikolov et al. 2013; gensim's most_similar(positive=[B, C], negative=[A])), the three
    question words left out.
    Example: runner analogy runs/word2vec_sgns-20261204-133639 man woman boy
    """

    static let export = """
    runner export RUN_DIR --format word2vec [--binary] [--out FILE] [--checkpoint latest|FILE]
    runner export RUN_DIR --format safetensors [--out DIR] [--checkpoint latest|best|FILE]

    word2vec: writes a word-vector run's vectors in word2vec's format, which gensim's
    KeyedVectors.load_word2vec_format reads: a "V D" line, then a word and its D values a line
    (--binary: the values as little-endian float32). Most frequent word first. Default FILE:
    RUN_DIR/vectors.txt (vectors.bin with --binary).
    safetensors: writes any run's weights as DIR/model.safetensors (Hugging Face's format, float32)
    with the run's spec.yaml beside it. A pre-LN gpt with biases is written as Hugging Face's
    GPT2LMHeadModel, its names and Conv1D layout, with a config.json: transformers'
    GPT2LMHeadModel.from_pretrained(DIR) loads it. Any other model keeps SeqLab's parameter keys
    (safetensors.torch.load_file reads them). Default DIR: RUN_DIR/export. A spec's init_from: DIR
    starts a new run from either kind, or from a GPT-2 saved by transformers.
    Prints the paths written.
    Example: runner export runs/word2vec_sgns-20261204-133639 --format word2vec --binary
    """

    static let bleu = """
    runner bleu --ref REF --hyp HYP [--tokenize none|13a] [--lowercase] [--sentence]

    Corpus BLEU-4 of HYP against REF, one segment a line in each (the line counts must agree), as
    sacreBLEU 2.6 computes it: segments right-stripped, --lowercase'd, tokenised with 13a (mteval's
    tokenizer, the default, for raw text) or none (already tokenised text: split on white space),
    exp smoothing, brevity penalty. Prints sacreBLEU's line:
      BLEU = 70.89 92.1/83.2/74.9/67.5 (BP = 0.898 ratio = 0.903 hyp_len = 11702 ref_len = 12955)
    With --sentence, one such line per segment instead (sentence BLEU, with the effective order).
    Example: runner bleu --ref test.en --hyp hypotheses.en --tokenize none
    """

    static let table = """
    runner table RUN_OR_SWEEP_DIR... [--metrics A,B] [--sort METRIC] [--markdown|--csv]

    One line per finished run; a directory that holds runs (a sweep's, or runs/ itself) stands for all
    of them, in name order. Runs that have not finished (still training, or failed) are left out and
    named on stderr, unless none has finished. The columns: the experiment; where an experiment has several runs, the run
    directory and each spec key whose value differs between them; the final and the best value of each
    of --metrics (each one some run recorded; default valid.loss, or none when every spec `reproduces` a
    metric of its own); for a
    spec that `reproduces` a published number, that metric, ours, the published number ± tolerance, the
    difference and ✓ when within the tolerance; the parameter count and the wall time. "Best" is the
    lowest loss, perplexity or bpc and the highest BLEU, accuracy or correlation. --sort orders the
    runs by a final metric, best first, runs without it last. --markdown prints a Markdown table,
    --csv RFC 4180 CSV with unrounded numbers.
    Example: runner table runs/gru_lr-20261123-120000 --metrics valid.loss,valid.ppl --sort valid.loss
    """

    static let plot = """
    runner plot RUN_OR_SWEEP_DIR... [--metric NAME] [--log] [--out FILE.svg]

    Draws the runs' metrics.jsonl into one self-contained SVG file (default plot.svg in the current
    directory) and prints its path: NAME (default loss; ppl and bpc too) against the step on the train
    split (solid) and the valid split (dashed), or on one split only when NAME names it (valid.ppl),
    and the learning rate in a panel below. Each run has its colour; the legend names it by the spec
    keys whose values differ between the runs (lr=0.3 hidden=128), or by its directory when none do.
    --log puts NAME on a logarithmic scale. A directory that holds runs stands for all of them; runs
    that have logged nothing yet are left out and named on stderr, unless none has logged.
    Example: runner plot runs/gru_charlm-* --metric ppl --log --out gru.svg
    """

    static let report = """
    runner report RUN_OR_SWEEP_DIR... [--out FILE.html]

    Writes one self-contained HTML page (CSS and SVG curves inline, no script, nothing fetched) and
    prints its path; default DIR/report.html for one directory, report.html in the current
    directory for several. A run shows its task, model, parameters, steps and wall time; its final
    metrics by split beside the published number its spec reproduces; its loss, metric and
    learning-rate curves; the samples (or translations) of every evaluation; the plan; and the keys
    its spec sets away from SeqLab's defaults, those a sweep set marked apart. A sweep shows its
    finished trials sorted by the sweep's metric, the others with their status, and one curve per
    trial. Several runs get a table and shared curves first. Every run must have logged metrics;
    an unfinished run is shown as far as it got.
    Example: runner report runs/gru_lr-20261123-120000
    """

    static let sweep = """
    runner sweep SWEEP.yaml [--parallel N] [--fail-fast] [--runs-dir DIR] [--data-dir DIR]
    runner sweep SWEEP.yaml --scheduler slurm [--partition P] [--max-concurrent K] [--time HH:MM:SS] [...]
    runner sweep --resume SWEEP_DIR [--parallel N] [--fail-fast] [--data-dir DIR]
    runner sweep --status SWEEP_DIR

    SWEEP.yaml names a base experiment and the values of its keys to try:
      base: ../gru_charlm.yaml                 # relative to the sweep file
      method: grid                             # every combination; or random with trials: N, seed: S
      parameters:
        train.optimizer.lr: [0.3, 1.0, 3.0]
        model.hidden: {values: [128, 256]}
        model.dropout: {distribution: uniform, min: 0.0, max: 0.5}   # uniform, log_uniform, int_uniform
      metric: valid.ppl                        # as summary.json reports it
      goal: minimize                           # default: the way the metric improves (bleu: maximize)
      early_stop: true                         # stop a trial worse than the finished trials' median
    Every key and value is checked against the base experiment before anything runs. The trials run
    as N child processes (default 1) with the cores divided among them, each a run directory
    runs/<sweep>-<time>/trial-NNN/; sweep.jsonl records each trial's parameters, status (pending,
    running, done, failed, stopped, interrupted), metric, wall time, and for a failure its exit code
    and last line, which is also printed the moment it fails; --fail-fast stops the sweep there.
    Ctrl-C or SIGTERM reaches the running trials too: each stops after its step with a checkpoint,
    and the sweep exits 130 or 143. After that or a kill, --resume runs what is left: interrupted
    trials continue from their checkpoints, finished ones are never run again. Exits 1 when a trial
    failed.
    --scheduler slurm hands the trials to Slurm instead, as one job array: SWEEP_DIR/sweep.sbatch
    runs trial N as array task N (runner resume when it has a checkpoint), --max-concurrent K at
    once, each with train.threads CPUs and its output in trial-NNN.out; it is submitted with sbatch,
    the job id goes into sweep.json, and the command returns. --status shows each trial's state,
    Slurm's while the job holds it (squeue) and else what its files say; --resume submits again only
    the trials that neither finished nor wait in Slurm's queue. runner table and runner report read
    the trials as they finish.
    """

    static func text(for topic: String?) -> String {
        switch topic {
        case "train": train
        case "check": check
        case "resume": resume
        case "sample": sample
        case "eval": eval
        case "tokenize": tokenize
        case "bleu": bleu
        case "translate": translate
        case "predict": predict
        case "fill-mask": fillMask
        case "embed": embed
        case "similar": similar
        case "analogy": analogy
        case "export": export
        case "table": table
        case "sweep": sweep
        case "plot": plot
        case "report": report
        default: overview
        }
    }
}
