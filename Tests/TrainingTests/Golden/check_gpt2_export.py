"""Checks, outside CI, that transformers reads a SeqLab GPT as SeqLab does.

Exports the run with `runner export RUN --format safetensors`, loads the directory with
transformers' `GPT2LMHeadModel.from_pretrained`, and compares, for a prompt, greedy decoding by
SeqLab (`runner sample --top-k 1`) with greedy decoding by transformers over the same character
vocabulary (the run's tokenizer.json) and the same context — SeqLab's: what its KV cache holds, so
that once the context fills the block the last half block is kept and it grows again — token for token; then prints transformers' top-5 next-token
probabilities after the prompt. Needs pip-installed torch and transformers and a char-level run:

    python3 Tests/TrainingTests/Golden/check_gpt2_export.py RUN [--prompt TEXT] [--length N]
"""
import argparse
import json
import pathlib
import subprocess

import torch
import transformers

parser = argparse.ArgumentParser()
parser.add_argument("run")
parser.add_argument("--prompt", default="ROMEO:")
parser.add_argument("--length", type=int, default=300)
parser.add_argument("--runner", default=".build/release/runner")
args = parser.parse_args()

run = pathlib.Path(args.run)
subprocess.run([args.runner, "export", str(run), "--format", "safetensors"], check=True, stdout=subprocess.DEVNULL)
model = transformers.GPT2LMHeadModel.from_pretrained(run / "export").eval()
vocabulary = json.loads((run / "tokenizer.json").read_text())["vocabulary"]
index = {token: i for i, token in enumerate(vocabulary)}

seqlab = subprocess.run([args.runner, "sample", str(run), "--prompt", args.prompt, "--length", str(args.length),
                         "--top-k", "1"], check=True, capture_output=True, text=True).stdout.rstrip("\n")

ids = [index[c] for c in args.prompt]
block = model.config.n_positions
context = []


def append(token):
    global context
    if len(context) == block:
        context = context[-(block // 2):]
    context.append(token)


for token in ids:
    append(token)
with torch.no_grad():
    first = torch.softmax(model(torch.tensor([context])).logits[0, -1], dim=-1)
    for _ in range(args.length):
        token = int(torch.argmax(model(torch.tensor([context])).logits[0, -1]))
        ids.append(token)
        append(token)
theirs = "".join(vocabulary[i] for i in ids)

top = torch.topk(first, 5)
print("transformers", transformers.__version__, "after", repr(args.prompt), "top-5:",
      ", ".join(f"{vocabulary[i]!r} {p:.4f}" for p, i in zip(top.values.tolist(), top.indices.tolist())))
agree = next((i for i, (a, b) in enumerate(zip(seqlab, theirs)) if a != b), min(len(seqlab), len(theirs)))
print(f"greedy: {len(theirs) - len(args.prompt)} tokens by transformers, {len(seqlab) - len(args.prompt)} by SeqLab; "
      f"identical for the first {agree - len(args.prompt)}")
print(theirs)
if seqlab != theirs:
    print("SeqLab:\n" + seqlab)
    raise SystemExit(1)
