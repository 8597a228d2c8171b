#!/usr/bin/env python3
"""Writes the PyTorch golden dumps that NNTests and ModelsTests compare SeqLab against.

    pip install torch && python3 Tests/NNTests/Golden/make_golden.py

Each dump holds the inputs, every parameter (by SeqLab key), the forward output, the loss and
every parameter gradient, as flat float lists in row-major order; gpt.json adds a shorter context
and the parameters after two AdamW steps. CI only reads the JSON files.
"""
import copy
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "..", "ModelsTests", "Golden")


def flat(t):
    # 9 significant digits round-trip every float32 exactly; repr would print the double's 17.
    return [float(f"{v:.9g}") for v in t.detach().reshape(-1).tolist()]


def entries(tensors):
    return {k: {"shape": list(v.shape), "values": flat(v)} for k, v in tensors.items()}


def dump(name, inputs, params, outputs, directory=HERE, extra=None):
    data = {
        "torch": torch.__version__,
        "inputs": entries(inputs),
        "parameters": {k: {"shape": list(p.shape), "values": flat(p), "grad": flat(p.grad)} for k, p in params.items()},
        "outputs": entries(outputs),
        **(extra or {}),
    }
    with open(os.path.join(directory, name), "w") as f:
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


class SelfAttention(nn.Module):
    """Causal multi-head self-attention with separate q/k/v/out projections (SeqLab's `attn.*` keys)."""

    def __init__(self, C, NH, bias):
        super().__init__()
        self.heads = NH
        self.query, self.key, self.value, self.out = (nn.Linear(C, C, bias=bias) for _ in range(4))

    def forward(self, x):
        B, T, C = x.shape

        def heads(t):
            return t.view(B, T, self.heads, C // self.heads).transpose(1, 2)     # (B, NH, T, hs)

        att = heads(self.query(x)) @ heads(self.key(x)).transpose(-2, -1) / math.sqrt(C // self.heads)
        att = att.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf")).softmax(-1)
        return self.out((att @ heads(self.value(x))).transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, C, bias):
        super().__init__()
        self.fc, self.proj = nn.Linear(C, 4 * C, bias=bias), nn.Linear(4 * C, C, bias=bias)

    def forward(self, x):
        return self.proj(F.gelu(self.fc(x)))       # exact (erf) GELU


class Block(nn.Module):
    def __init__(self, C, NH, bias):
        super().__init__()
        self.ln1, self.attn = nn.LayerNorm(C, bias=bias), SelfAttention(C, NH, bias)
        self.ln2, self.mlp = nn.LayerNorm(C, bias=bias), MLP(C, bias)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    """nanoGPT's model with dropout 0. Module names are SeqLab's keys, so `named_parameters()` yields
    them directly; the head shares wte's tensor, which PyTorch lists once, as `wte.weight`."""

    def __init__(self, V, block, L, NH, C, bias):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, C), nn.Embedding(block, C)
        self.blocks = nn.ModuleList(Block(C, NH, bias) for _ in range(L))
        self.ln_f = nn.LayerNorm(C, bias=bias)
        self.lm_head = nn.Linear(C, V, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, tokens):                     # (B, T) → (B, T, V)
        x = self.wte(tokens) + self.wpe(torch.arange(tokens.shape[1]))
        for block in self.blocks:
            x = block(x)
        return self.lm_head(self.ln_f(x))


def gpt():
    """A tiny GPT: logits, loss and gradients at the full block (T 8); the parameters after two AdamW
    steps on that batch with nanoGPT's two groups (weight decay on tensors of rank >= 2 only); and
    logits, loss and embedding gradients at a shorter context (T 5), where only wpe's first rows count."""
    torch.manual_seed(2)
    V, block, L, NH, C, B = 11, 8, 2, 2, 16, 3
    model = GPT(V, block, L, NH, C, bias=True)
    # Parameters far from GPT-2's N(0, 0.02): attention is then far from uniform, logits spread over
    # several units and every bias and norm parameter matters, so no term hides under the tolerance.
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(0.3 * torch.randn_like(p))
        for m in model.modules():
            if isinstance(m, nn.LayerNorm):
                m.weight.add_(1)

    def forward_backward(net, tokens, targets):
        net.zero_grad(set_to_none=True)
        logits = net(tokens)                                            # (B, T, V)
        loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))
        loss.backward()
        return logits, loss

    short_tokens, short_targets = torch.randint(0, V, (B, 5)), torch.randint(0, V, (B, 5))
    short_logits, short_loss = forward_backward(model, short_tokens, short_targets)
    # The embeddings' gradients are the last link of the backward pass: every block's error reaches them.
    short = {
        "inputs": entries({"tokens": short_tokens.float(), "targets": short_targets.float()}),
        "outputs": entries({"logits": short_logits, "loss": short_loss.reshape(1)}),
        "gradients": {k: flat(p.grad) for k, p in model.named_parameters() if k in ("wte.weight", "wpe.weight")},
    }

    tokens, targets = torch.randint(0, V, (B, block)), torch.randint(0, V, (B, block))
    logits, loss = forward_backward(model, tokens, targets)

    trained = copy.deepcopy(model)                  # keeps the head tied to wte
    decay = [p for p in trained.parameters() if p.dim() >= 2]
    no_decay = [p for p in trained.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=1e-2, betas=(0.9, 0.99), eps=1e-8)
    for _ in range(2):                              # a fresh forward and backward for each step
        forward_backward(trained, tokens, targets)
        optimizer.step()

    dump("gpt.json", {"tokens": tokens.float(), "targets": targets.float()}, dict(model.named_parameters()),
         {"logits": logits, "loss": loss.reshape(1)}, directory=MODELS,
         extra={"short": short, "after_adamw": {k: flat(p) for k, p in trained.named_parameters()}})


if __name__ == "__main__":
    gru_lm()
    transformer_block()
    gpt()
