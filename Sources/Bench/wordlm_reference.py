#!/usr/bin/env python3
"""PyTorch reference timing for SeqLab's word-level LSTM LM (`make bench`, group wordlm).

  lstm_wordlm   pytorch/examples word_language_model's RNNModel as its "medium" recipe runs it:
                vocabulary 33,278 (WikiText-2's), embedding 650, two LSTM layers of 650, dropout 0.5
                on the embeddings, between the layers and before the decoder, untied; batch 20 x
                bptt 35, the state carried (detached) from step to step; plain SGD at lr 20 after
                clip_grad_norm_(0.25), as main.py updates without an optimizer.

Batches are random ids built before timing; a step is zero_grad, forward, log-softmax NLL, backward,
clip, the SGD update; tokens/s = 20 * 35 / median step time, the figure SeqLab's line prints beside
its own.

  python3 Sources/Bench/wordlm_reference.py --threads 1 --json

Each thread count runs in a child process, so its peak RSS is its own. Needs `pip install torch`.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

VOCAB, EMB, HID, LAYERS, DROPOUT, BATCH, BPTT, LR, CLIP = 33278, 650, 650, 2, 0.5, 20, 35, 20.0, 0.25


def run_one(threads, warmup, steps, seed):
    import torch
    nn = torch.nn

    class RNNModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(DROPOUT)
            self.encoder = nn.Embedding(VOCAB, EMB)
            self.rnn = nn.LSTM(EMB, HID, LAYERS, dropout=DROPOUT)
            self.decoder = nn.Linear(HID, VOCAB)

        def forward(self, x, hidden):                # x: (T, B)
            output, hidden = self.rnn(self.drop(self.encoder(x)), hidden)
            return self.decoder(self.drop(output)).view(-1, VOCAB), hidden

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    model = RNNModel()
    model.train()
    params = list(model.parameters())
    gen = torch.Generator().manual_seed(seed)
    batches = [(torch.randint(0, VOCAB, (BPTT, BATCH), generator=gen), torch.randint(0, VOCAB, (BPTT * BATCH,), generator=gen))
               for _ in range(8)]
    hidden = (torch.zeros(LAYERS, BATCH, HID), torch.zeros(LAYERS, BATCH, HID))

    def step(x, y, hidden):
        model.zero_grad()
        hidden = tuple(h.detach() for h in hidden)
        output, hidden = model(x, hidden)
        loss = torch.nn.functional.cross_entropy(output, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, CLIP)
        with torch.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-LR)
        return float(loss), hidden

    for i in range(warmup):
        _, hidden = step(*batches[i % len(batches)], hidden)
    times = []
    for i in range(steps):
        start = time.perf_counter()
        loss, hidden = step(*batches[(warmup + i) % len(batches)], hidden)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    return {"bench": "lstm_wordlm", "threads": threads, "ms_median": 1e3 * median, "ms_min": 1e3 * min(times),
            "tokens_per_step": BATCH * BPTT, "tokens_per_s": BATCH * BPTT / median, "loss_last": loss,
            "params": sum(p.numel() for p in params),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "torch": torch.__version__}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", default="1", help="torch.set_num_threads value(s), comma-separated")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    for threads in (int(t) for t in args.threads.split(",")):
        if args.child:
            print(json.dumps(run_one(threads, args.warmup, args.steps, args.seed)), flush=True)
            continue
        command = [sys.executable, os.path.abspath(__file__), "--child", "--threads", str(threads),
                   "--warmup", str(args.warmup), "--steps", str(args.steps), "--seed", str(args.seed)]
        child = subprocess.run(command, capture_output=True, text=True)
        if child.returncode != 0:
            print(f"# lstm_wordlm threads={threads} FAILED: {(child.stderr.strip().splitlines() or ['?'])[-1]}", file=sys.stderr)
            continue
        for line in child.stdout.splitlines():
            record = json.loads(line)
            print(line if args.json else f"lstm_wordlm thr={threads}  {record['ms_median']:8.1f} ms/step  "
                  f"{record['tokens_per_s']:8.0f} tok/s  peak {record['peak_rss_mb']:5.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
