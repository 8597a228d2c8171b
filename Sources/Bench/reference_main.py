"""The command line shared by SeqLab's own PyTorch reference scripts (seq2seq_reference.py,
wordlm_reference.py): each benchmark and thread count runs in a child process, so that its peak RSS
is its own; `--json` prints the child's JSON line as SeqLab's bench reads it."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def timed(step, batches, warmup, steps):
    """Runs `step(*batch)` over the batches in turn, `warmup` times untimed and `steps` times timed:
    (median seconds, fastest seconds, the last step's return value)."""
    for i in range(warmup):
        step(*batches[i % len(batches)])
    times = []
    for i in range(steps):
        start = time.perf_counter()
        last = step(*batches[(warmup + i) % len(batches)])
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), last


def reference_main(script, description, names, run_one, warmup, steps):
    """Parses the flags; as a child runs `run_one(name, threads, warmup, steps, seed)` and prints its
    record, otherwise starts one child per benchmark and thread count and prints what they report."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", default="1", help="torch.set_num_threads value(s), comma-separated")
    parser.add_argument("--only", default=",".join(names), help="comma-separated benchmark names")
    parser.add_argument("--warmup", type=int, default=warmup)
    parser.add_argument("--steps", type=int, default=steps)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    chosen = args.only.split(",")
    if unknown := [n for n in chosen if n not in names]:
        sys.exit(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(names)}")
    for threads in (int(t) for t in args.threads.split(",")):
        for name in chosen:
            if args.child:
                print(json.dumps(run_one(name, threads, args.warmup, args.steps, args.seed)), flush=True)
                continue
            command = [sys.executable, os.path.abspath(script), "--child", "--only", name, "--threads", str(threads),
                       "--warmup", str(args.warmup), "--steps", str(args.steps), "--seed", str(args.seed)]
            child = subprocess.run(command, capture_output=True, text=True)
            if child.returncode != 0:
                print(f"# {name} threads={threads} FAILED: {(child.stderr.strip().splitlines() or ['?'])[-1]}", file=sys.stderr)
                continue
            for line in child.stdout.splitlines():
                record = json.loads(line)
                print(line if args.json else f"{name:<18} thr={threads}  {record['ms_median']:8.1f} ms/step  "
                      f"{record['tokens_per_s']:8.0f} tok/s  peak {record['peak_rss_mb']:5.0f} MiB", flush=True)
