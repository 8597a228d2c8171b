#!/usr/bin/env python3
"""Writes the PyTorch golden dumps that NNTests compare SeqLab against.

    pip install torch && python3 Tests/NNTests/Golden/make_golden.py

Each dump holds the inputs, every parameter (by SeqLab key), the forward output, the loss and
every parameter gradient, as flat float lists in row-major order. CI only reads the JSON files.
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def dump(name, inputs, params, outputs):
    data = {
        "torch": torch.__version__,
        "inputs": {k: {"shape": list(v.shape), "values": flat(v)} for k, v in inputs.items()},
        "parameters": {k: {"shape": list(p.shape), "values": flat(p), "grad": flat(p.grad)} for k, p in params.items()},
        "outputs": {k: {"shape": list(v.shape), "values": flat(v)} for k, v in outputs.items()},
    }
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(data, f)
        f.write("\n")


def gru_lm():
    """Embedding → 1-layer GRU (time-major) → Linear, mean cross-entropy: the gru_charlm model, tiny."""
    torch.manual_seed(0)
    V, E, H, B, T = 7, 5, 6, 3, 4
    emb, gru, head = nn.Embedding(V, E), nn.GRU(E, H), nn.Linear(H, V)
    tokens = torch.randint(0, V, (T, B))
    targets = torch.randint(0, V, (T, B))
    h0 = torch.randn(1, B, H) * 0.5
    out, _ = gru(emb(tokens), h0)           # (T, B, H)
    logits = head(out)                      # (T, B, V)
    loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))
    loss.backward()
    params = {
        "embedding.weight": emb.weight, "gru.layers.0.w_ih": gru.weight_ih_l0, "gru.layers.0.w_hh": gru.weight_hh_l0,
        "gru.layers.0.b_ih": gru.bias_ih_l0, "gru.layers.0.b_hh": gru.bias_hh_l0,
        "head.weight": head.weight, "head.bias": head.bias,
    }
    dump("gru_lm.json", {"tokens": tokens.float(), "targets": targets.float(), "h0": h0[0]}, params,
         {"logits": logits, "loss": loss.reshape(1)})


def transformer_block():
    """One pre-LN block (GPT-2 ordering): x + attn(ln1(x)), then + mlp(ln2(x)); causal, exact GELU."""
    torch.manual_seed(1)
    B, T, C, NH = 2, 4, 8, 2
    ln1, ln2 = nn.LayerNorm(C), nn.LayerNorm(C)
    q, k, v, o = (nn.Linear(C, C) for _ in range(4))
    fc, proj = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)
    with torch.no_grad():   # non-trivial norm parameters
        for ln in (ln1, ln2):
            ln.weight.add_(0.1 * torch.randn(C))
            ln.bias.add_(0.1 * torch.randn(C))
    x = torch.randn(B, T, C)
    w = torch.randn(B, T, C)

    def heads(t):
        return t.view(B, T, NH, C // NH).transpose(1, 2)     # (B, NH, T, hs)

    a = ln1(x)
    att = heads(q(a)) @ heads(k(a)).transpose(-2, -1) / math.sqrt(C // NH)
    att = att.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf")).softmax(-1)
    y = x + o((att @ heads(v(a))).transpose(1, 2).reshape(B, T, C))
    y = y + proj(F.gelu(fc(ln2(y))))
    loss = (y * w).sum()
    loss.backward()
    params = {"ln1.weight": ln1.weight, "ln1.bias": ln1.bias}
    for name, lin in (("attn.query", q), ("attn.key", k), ("attn.value", v), ("attn.out", o),
                      ("mlp.fc", fc), ("mlp.proj", proj)):
        params[name + ".weight"], params[name + ".bias"] = lin.weight, lin.bias
    params["ln2.weight"], params["ln2.bias"] = ln2.weight, ln2.bias
    dump("transformer_block.json", {"x": x, "weights": w}, params, {"y": y, "loss": loss.reshape(1)})


if __name__ == "__main__":
    gru_lm()
    transformer_block()
