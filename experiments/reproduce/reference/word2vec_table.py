#!/usr/bin/env python3
"""The Markdown of docs/reproduced-word2vec.md: SeqLab's word-vector runs beside gensim's.

  python3 word2vec_table.py RUNS_DIR GENSIM_JSONL > docs/reproduced-word2vec.md

RUNS_DIR holds SeqLab run directories named <config>-<m|c>-s<seed>-<date>-<time> (config as in
word2vec_gensim.py: sgns, cbow_ns, sg_hs, fasttext_sgns); GENSIM_JSONL is word2vec_gensim.py's output.
A SeqLab mean passes when it is at least gensim's mean minus twice gensim's sample std over its seeds.
"""
import collections
import datetime
import json
import os
import re
import statistics
import sys

SPECS = {"sgns": "word2vec_sgns", "cbow_ns": "word2vec_cbow", "sg_hs": "word2vec_sg_hs", "fasttext_sgns": "fasttext_sgns"}
CORPORA = {"M": "Multi30k train.lc.norm.tok.en (the specs' `multi30k:train.en`)",
           "C": "WikiText-2 valid.txt then test.txt (`--set data.corpus=wikitext2`)"}
# (gensim key, SeqLab key, column title)
METRICS = [("ws353", "valid.wordsim353", "WS353 ρ"), ("simlex", "valid.simlex999", "SimLex ρ"),
           ("analogy", "valid.analogy", "analogy acc")]
SAME = [("vocab", "vocab"), ("tokens", "tokens"), ("ws353_oov", "valid.wordsim353.oov"),
        ("simlex_oov", "valid.simlex999.oov"), ("analogy_in_vocab", "valid.analogy.answered")]
RUN_NAME = re.compile(r"^(?P<config>[a-z0-9_]+)-(?P<corpus>[mc])-s(?P<seed>\d+)-\d{8}-\d{6}$")
VOCAB_LINE = re.compile(r"vocabulary (\d+) words \(min_count \d+\) of (\d+) words")


def seqlab_runs(runs_dir):
    runs = []
    for name in sorted(os.listdir(runs_dir)):
        match, path = RUN_NAME.match(name), os.path.join(runs_dir, name)
        if not match:
            continue
        if not os.path.exists(os.path.join(path, "summary.json")):
            print(f"warning: {path} has no summary.json (skipped)", file=sys.stderr)
            continue
        with open(os.path.join(path, "summary.json")) as f:
            summary = json.load(f)
        row = dict(summary["final"], config=match["config"], corpus=match["corpus"].upper(),
                   seed=int(match["seed"]), wall_s=summary["wall_s"], revision=summary.get("git_revision", "?")[:7])
        with open(os.path.join(path, "log.txt")) as f:
            vocab = VOCAB_LINE.search(f.read(4000))
        row["vocab"], row["tokens"] = (int(vocab[1]), int(vocab[2])) if vocab else (None, None)
        runs.append(row)
    return runs


def mean_std(values):
    values = [v for v in values if v is not None]
    if not values:
        return float("nan"), float("nan")
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else float("nan")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return "unknown CPU"


def fmt(value):
    return f"{value:.2f}" if isinstance(value, float) and not value.is_integer() else str(
        int(value) if isinstance(value, float) else value)


def corpus_table(corpus, gensim, seqlab):
    g_all = [r for r in gensim if r["corpus"] == corpus]
    s_all = [r for r in seqlab if r["corpus"] == corpus]
    if not g_all and not s_all:
        return [], []
    head = ["config"]
    for _, _, title in METRICS:
        head += [f"{title} gensim", f"{title} SeqLab", "≥ bar"]
    head += ["same vocab, OOV, answered", "gensim train s", "SeqLab run s"]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    failures = []
    for config, spec in SPECS.items():
        g = [r for r in g_all if r["config"] == config]
        s = [r for r in s_all if r["config"] == config]
        if not g and not s:
            continue
        cells = [f"{config} (`{spec}.yaml`)"]
        g_seeds, s_seeds = sorted(r["seed"] for r in g), sorted(r["seed"] for r in s)
        if g_seeds != s_seeds:
            cells[0] += f"<br>seeds {g_seeds} / {s_seeds}"
            failures.append(f"{corpus} {config}: gensim has seeds {g_seeds}, SeqLab {s_seeds}")
        for g_key, s_key, title in METRICS:
            gm, gs = mean_std([r[g_key] for r in g])
            sm, ss = mean_std([r.get(s_key) for r in s])
            bar = gm - 2 * gs
            if bar != bar or sm != sm:
                verdict = "n/a"
            elif sm >= bar:
                verdict = f"✓ ({bar:.4f})"
            else:
                verdict = f"**✗** ({bar:.4f})"
                failures.append(f"{corpus} {config} {title}: SeqLab {sm:.4f} < bar {bar:.4f}")
            cells += [f"{gm:.4f} ± {gs:.4f}", f"{sm:.4f} ± {ss:.4f}", verdict]
        differ = []
        for g_key, s_key in SAME:
            g_values = sorted({round(r[g_key], 6) for r in g})
            s_values = sorted({round(r[s_key], 6) if r.get(s_key) is not None else None for r in s}, key=str)
            if g_values != s_values:
                differ.append(f"{g_key}: gensim {'/'.join(map(fmt, g_values))}, SeqLab {'/'.join(map(fmt, s_values))}")
        cells.append("✓" if not differ else "**✗** " + "; ".join(differ))
        cells += [f"{mean_std([r['train_s'] for r in g])[0]:.2f}", f"{mean_std([r['wall_s'] for r in s])[0]:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    r0 = g_all[0] if g_all else {}
    about = (f"gensim: vocabulary {r0.get('vocab')} words (min_count 5) of {r0.get('tokens')} tokens; WS353 OOV "
             f"{fmt(r0.get('ws353_oov'))} %, SimLex OOV {fmt(r0.get('simlex_oov'))} %, {r0.get('analogy_in_vocab')} "
             f"analogy questions answerable. gensim's whole run (build_vocab, train, one evaluation) took "
             f"{fmt(min(r['total_s'] for r in g_all))}–{fmt(max(r['total_s'] for r in g_all))} s."
             if g_all else "no gensim runs")
    return [f"## Corpus {corpus}: {CORPORA[corpus]}", "", about, ""] + lines + [""], failures


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    runs_dir, gensim_path = sys.argv[1:]
    with open(gensim_path) as f:
        gensim = [json.loads(line) for line in f if line.strip()]
    seqlab = seqlab_runs(runs_dir)
    version = gensim[0].get("gensim", "?") if gensim else "?"
    seeds = sorted({r["seed"] for r in gensim} | {r["seed"] for r in seqlab})
    revisions = ", ".join(f"{rev} ({n} runs)" for rev, n in
                          sorted(collections.Counter(r["revision"] for r in seqlab).items()))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    out = ["# Reproduced word vectors: SeqLab beside gensim", "",
           f"Written by `make reproduce-word2vec` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d}: "
           f"{cores} cores ({cpu_model()}), gensim {version}, one training process at a time, one thread each. "
           f"Seeds {', '.join(map(str, seeds))} of four configurations on two corpora, by both. SeqLab's runs "
           f"record git revision {revisions} (HEAD when the run started).", "",
           "Commands (what the target runs):", "", "```",
           "# SeqLab, for each (config, spec) in (sgns, word2vec_sgns) (cbow_ns, word2vec_cbow) (sg_hs, word2vec_sg_hs)",
           "# (fasttext_sgns, fasttext_sgns), corpus M or C (C adds --set data.corpus=wikitext2), seed 1..4:",
           ".build/release/runner experiments/reproduce/word2vec_sgns.yaml --runs-dir runs/reproduce-word2vec "
           "--name sgns-m-s1 --set seed=1",
           "python3 experiments/reproduce/reference/word2vec_gensim.py --seeds 1,2,3,4 > runs/reproduce-word2vec/gensim.jsonl",
           "python3 experiments/reproduce/reference/word2vec_table.py runs/reproduce-word2vec "
           "runs/reproduce-word2vec/gensim.jsonl > docs/reproduced-word2vec.md",
           "```", "",
           "The gensim side (`experiments/reproduce/reference/word2vec_gensim.py`) trains exactly as "
           "`../shared/bench/word2vec_reference.py` does (same parameters, workers=1, PYTHONHASHSEED=0, one BLAS "
           "thread; its seed-1 numbers equal that page's) and scores with gensim's own `evaluate_word_pairs` and "
           "`evaluate_word_analogies`; SeqLab's numbers are the runs' final `valid.*` metrics. Cells are mean ± "
           "sample std over the seeds. The bar is gensim's mean minus twice gensim's own seed spread for that "
           "configuration and metric: with one worker each gensim seed is deterministic, so its std over seeds "
           "is the size of a difference that an implementation as faithful as another seed would show; SeqLab "
           "passes (✓, the bar in brackets) when its mean is at or above that bar, being better never fails. "
           "Four seeds make the std itself rough, so a ✗ close to its bar says little, one far below it says "
           "something is learnt worse. \"same vocab, OOV, answered\" is ✓ when both build the same vocabulary "
           "size of the same token count and skip the same WS353/SimLex pairs and analogy questions. Times: "
           "gensim train s is `model.train()` alone; SeqLab run s is the runner's whole run (`wall_s`: reading, "
           "vocabulary, 5 epochs with an evaluation after each, checkpoints); the machine's other core was not "
           "idle, so they are rough.", ""]
    failures = []
    for corpus in CORPORA:
        lines, failed = corpus_table(corpus, gensim, seqlab)
        out += lines
        failures += failed
    out += ["## Below the bar or missing", ""] + ([f"* {f}" for f in failures] or ["None."])
    print("\n".join(out))


if __name__ == "__main__":
    main()
