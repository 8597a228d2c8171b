"""Writes the Hugging Face GPT-2 fixture that HuggingFaceGPT2Tests imports.

A tiny GPT2LMHeadModel with random weights (every LayerNorm and bias random too, so that a
transposed or misplaced tensor cannot hide), saved by transformers' own `save_pretrained`, and the
logits it gives for fixed ids. Run once, outside CI, with pip-installed torch and transformers:

    python3 Tests/TrainingTests/Golden/make_gpt2_fixture.py

It writes gpt2_tiny/{config.json,model.safetensors} and gpt2_tiny_logits.json beside itself.
"""
import json
import pathlib

import torch
import transformers

here = pathlib.Path(__file__).resolve().parent
torch.manual_seed(0)
config = transformers.GPT2Config(vocab_size=13, n_positions=8, n_embd=12, n_layer=2, n_head=3,
                                 activation_function="gelu_new", resid_pdrop=0.0, embd_pdrop=0.0,
                                 attn_pdrop=0.0, bos_token_id=0, eos_token_id=0)
model = transformers.GPT2LMHeadModel(config).eval()
with torch.no_grad():
    for parameter in model.parameters():
        parameter.copy_(torch.randn_like(parameter) * 0.3 + (1.0 if parameter.dim() == 1 else 0.0) * 0.1)
model.save_pretrained(here / "gpt2_tiny")

ids = [[3, 1, 4, 1, 5, 9, 2, 6], [5, 3, 5, 8, 9, 7, 9, 3]]
with torch.no_grad():
    logits = model(torch.tensor(ids)).logits
(here / "gpt2_tiny_logits.json").write_text(json.dumps({
    "transformers": transformers.__version__, "torch": torch.__version__,
    "ids": ids, "shape": list(logits.shape), "logits": [round(v, 7) for v in logits.flatten().tolist()],
}) + "\n")
