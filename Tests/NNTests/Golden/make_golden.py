#!/usr/bin/env python3
"""Writes the PyTorch golden dumps that NNTests and ModelsTests compare SeqLab against.

    pip install torch && python3 Tests/NNTests/Golden/make_golden.py

Each dump holds the inputs, every parameter (by SeqLab key), the forward output, the loss and
every parameter gradient, as flat float lists in row-major order; lstm_projected.json is nn.LSTM with
proj_size; gpt.json adds a shorter context
and the parameters after two AdamW steps; transformer_mt_{post,pre}.json are encoder–decoders built
from nn.Transformer's layers; bert.json is Hugging Face's BertForPreTraining (pip install transformers).
CI only reads the JSON files.
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


def far_from_init(*modules):
    """Every parameter redrawn as 0.3 N(0, 1), LayerNorm gains then moved up by 1: attention far from
    uniform, logits spread over several units, every bias and norm parameter mattering, so that no
    term hides under the tolerance."""
    with torch.no_grad():
        for module in modules:
            for p in module.parameters():
                p.copy_(0.3 * torch.randn_like(p))
            for m in module.modules():
                if isinstance(m, nn.LayerNorm):
                    m.weight.add_(1)


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


def lstm_projected():
    """A bidirectional LSTM with proj_size (LSTMP, ELMo's cell) from a given state, loss Σ output ⊙ w."""
    torch.manual_seed(0)
    E, H, P, B, T = 3, 5, 2, 2, 4
    lstm = nn.LSTM(E, H, proj_size=P, bidirectional=True)
    x = torch.randn(T, B, E)
    h0, c0 = torch.randn(2, B, P) * 0.5, torch.randn(2, B, H) * 0.5
    weights = torch.randn(T, B, 2 * P)
    out, (hn, cn) = lstm(x, (h0, c0))       # (T, B, 2P)
    loss = (out * weights).sum()
    loss.backward()
    params = {}
    for suffix, key in (("", "lstm.layers.0"), ("_reverse", "lstm.layers.0.reverse")):
        for theirs, ours in (("weight_ih", "w_ih"), ("weight_hh", "w_hh"), ("bias_ih", "b_ih"), ("bias_hh", "b_hh"),
                             ("weight_hr", "w_hr")):
            params[f"{key}.{ours}"] = getattr(lstm, f"{theirs}_l0{suffix}")
    dump("lstm_projected.json", {"x": x, "h0": h0[0], "c0": c0[0], "h0_reverse": h0[1], "c0_reverse": c0[1],
                                 "weights": weights}, params,
         {"output": out, "h_n": hn[1], "c_n": cn[1], "loss": loss.reshape(1)})


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
    far_from_init(model)            # far from GPT-2's N(0, 0.02)

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


def sinusoids(P, C):
    """The paper's table: sin at even columns, cos at odd ones, frequencies 10000^(-2i/C)."""
    position = torch.arange(P, dtype=torch.float64).unsqueeze(1)
    frequency = torch.pow(10000.0, -torch.arange(0, C, 2, dtype=torch.float64) / C)
    table = torch.zeros(P, C, dtype=torch.float64)
    table[:, 0::2], table[:, 1::2] = torch.sin(position * frequency), torch.cos(position * frequency)
    return table.float()


def translation_transformer(norm_first):
    """An encoder-decoder of nn.TransformerEncoderLayer / nn.TransformerDecoderLayer (batch-first,
    ReLU, dropout 0): embeddings x sqrt(C) plus positions (learned for post-LN, the sinusoids for
    pre-LN), the source padding masked in both attentions, a causal target mask, a final LayerNorm
    per stack with pre-LN only (nn.Transformer adds one to post-LN too; the paper does not), and a
    Linear head. Mean cross-entropy with one target ignored, and the same with label smoothing 0.1."""
    torch.manual_seed(3 if norm_first else 4)
    Vs, Vt, C, NH, F_, L, B, S, T, P = 7, 9, 8, 2, 12, 2, 2, 5, 4, 10
    layer = dict(d_model=C, nhead=NH, dim_feedforward=F_, dropout=0.0, batch_first=True, norm_first=norm_first)
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(**layer), L, norm=nn.LayerNorm(C) if norm_first else None,
                                    enable_nested_tensor=False)
    decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(**layer), L, norm=nn.LayerNorm(C) if norm_first else None)
    src_emb, tgt_emb, head = nn.Embedding(Vs, C), nn.Embedding(Vt, C), nn.Linear(C, Vt)
    src_pos, tgt_pos = nn.Embedding(P, C), nn.Embedding(P, C)
    modules = [encoder, decoder, src_emb, tgt_emb, head] + ([] if norm_first else [src_pos, tgt_pos])
    far_from_init(*modules)

    source = torch.randint(1, Vs, (B, S))
    source[1, 3:] = 0                                  # the second sentence is 3 tokens, then padding
    mask = (source != 0).float()
    inputs, targets = torch.randint(0, Vt, (B, T)), torch.randint(0, Vt, (B, T))
    targets[1, 3] = -100
    positions = (lambda t: src_pos.weight[:t], lambda t: tgt_pos.weight[:t]) if not norm_first \
        else (lambda t: sinusoids(P, C)[:t],) * 2
    padding = source == 0
    memory = encoder(src_emb(source) * math.sqrt(C) + positions[0](S), src_key_padding_mask=padding)
    causal = torch.triu(torch.full((T, T), float("-inf")), 1)
    y = decoder(tgt_emb(inputs) * math.sqrt(C) + positions[1](T), memory, tgt_mask=causal,
                memory_key_padding_mask=padding)
    logits = head(y)
    loss = F.cross_entropy(logits.reshape(-1, Vt), targets.reshape(-1), ignore_index=-100)
    smoothed = F.cross_entropy(logits.reshape(-1, Vt), targets.reshape(-1), ignore_index=-100, label_smoothing=0.1)
    loss.backward()

    params = {"encoder.embedding.weight": src_emb.weight, "decoder.embedding.weight": tgt_emb.weight,
              "head.weight": head.weight, "head.bias": head.bias}
    if not norm_first:
        params["encoder.positions.weight"], params["decoder.positions.weight"] = src_pos.weight, tgt_pos.weight
    else:
        for side, stack in (("encoder", encoder), ("decoder", decoder)):
            params[side + ".ln_f.weight"], params[side + ".ln_f.bias"] = stack.norm.weight, stack.norm.bias

    def attention(prefix, mha):
        # PyTorch packs q, k, v into in_proj; SeqLab keeps three Linears. Slices keep their gradients.
        for i, name in enumerate(("query", "key", "value")):
            w, b = mha.in_proj_weight[i * C:(i + 1) * C], mha.in_proj_bias[i * C:(i + 1) * C]
            w.grad, b.grad = mha.in_proj_weight.grad[i * C:(i + 1) * C], mha.in_proj_bias.grad[i * C:(i + 1) * C]
            params[f"{prefix}.{name}.weight"], params[f"{prefix}.{name}.bias"] = w, b
        params[prefix + ".out.weight"], params[prefix + ".out.bias"] = mha.out_proj.weight, mha.out_proj.bias

    for side, stack in (("encoder", encoder), ("decoder", decoder)):
        for l, block in enumerate(stack.layers):
            key = f"{side}.layers.{l}"
            attention(key + ".attn", block.self_attn)
            norms = [("ln1", block.norm1), ("ln2", block.norm2)]
            if side == "decoder":
                attention(key + ".cross_attn", block.multihead_attn)
                norms = [("ln1", block.norm1), ("ln_cross", block.norm2), ("ln2", block.norm3)]
            for name, norm in norms:
                params[f"{key}.{name}.weight"], params[f"{key}.{name}.bias"] = norm.weight, norm.bias
            for name, linear in (("mlp.fc", block.linear1), ("mlp.proj", block.linear2)):
                params[f"{key}.{name}.weight"], params[f"{key}.{name}.bias"] = linear.weight, linear.bias
    dump(f"transformer_mt_{'pre' if norm_first else 'post'}.json",
         {"source": source.float(), "mask": mask, "inputs": inputs.float(), "targets": targets.float()}, params,
         {"logits": logits, "loss": loss.reshape(1), "smoothed_loss": smoothed.reshape(1)}, directory=MODELS)


def bert():
    """Hugging Face's BertForPreTraining (exact GELU, post-LN, LayerNorm eps 1e-12, dropout 0), weights far
    from its init: masked-LM and next-sentence logits of a batch with padding, and the sum of the two
    losses (the masked-LM loss over three selected positions)."""
    from transformers import BertConfig, BertForPreTraining
    torch.manual_seed(5)
    V, C, L, NH, F_, P, B, T = 11, 8, 2, 2, 12, 10, 2, 6
    config = BertConfig(vocab_size=V, hidden_size=C, num_hidden_layers=L, num_attention_heads=NH, intermediate_size=F_,
                        max_position_embeddings=P, type_vocab_size=2, hidden_dropout_prob=0.0,
                        attention_probs_dropout_prob=0.0, hidden_act="gelu", layer_norm_eps=1e-12)
    model = BertForPreTraining(config).eval()
    far_from_init(model)
    tokens = torch.randint(0, V, (B, T))
    segments = torch.tensor([[0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 0, 0]])
    mask = torch.ones(B, T)
    mask[1, 4:] = 0                                     # the second pair is 4 tokens, then padding
    labels = torch.full((B, T), -100)
    labels[0, 1], labels[0, 4], labels[1, 2] = 3, 7, 5
    next_sentence = torch.tensor([0, 1])
    out = model(input_ids=tokens, token_type_ids=segments, attention_mask=mask, labels=labels,
                next_sentence_label=next_sentence)
    out.loss.backward()

    bert, head = model.bert, model.cls
    params = {"embeddings.tokens.weight": bert.embeddings.word_embeddings.weight,
              "embeddings.positions.weight": bert.embeddings.position_embeddings.weight,
              "embeddings.segments.weight": bert.embeddings.token_type_embeddings.weight,
              "embeddings.ln.weight": bert.embeddings.LayerNorm.weight, "embeddings.ln.bias": bert.embeddings.LayerNorm.bias,
              "pooler.weight": bert.pooler.dense.weight, "pooler.bias": bert.pooler.dense.bias,
              "mlm.dense.weight": head.predictions.transform.dense.weight,
              "mlm.dense.bias": head.predictions.transform.dense.bias,
              "mlm.ln.weight": head.predictions.transform.LayerNorm.weight,
              "mlm.ln.bias": head.predictions.transform.LayerNorm.bias, "mlm.bias": head.predictions.bias,
              "nsp.weight": head.seq_relationship.weight, "nsp.bias": head.seq_relationship.bias}
    for l, layer in enumerate(bert.encoder.layer):
        key = f"encoder.layers.{l}"
        modules = {"attn.query": layer.attention.self.query, "attn.key": layer.attention.self.key,
                   "attn.value": layer.attention.self.value, "attn.out": layer.attention.output.dense,
                   "ln1": layer.attention.output.LayerNorm, "mlp.fc": layer.intermediate.dense,
                   "mlp.proj": layer.output.dense, "ln2": layer.output.LayerNorm}
        for name, module in modules.items():
            params[f"{key}.{name}.weight"], params[f"{key}.{name}.bias"] = module.weight, module.bias
    dump("bert.json", {"tokens": tokens.float(), "segments": segments.float(), "mask": mask, "labels": labels.float(),
                       "next_sentence": next_sentence.float()}, params,
         {"mlm_logits": out.prediction_logits, "nsp_logits": out.seq_relationship_logits, "loss": out.loss.reshape(1)},
         directory=MODELS)


if __name__ == "__main__":
    gru_lm()
    lstm_projected()
    transformer_block()
    gpt()
    translation_transformer(norm_first=False)
    translation_transformer(norm_first=True)
    bert()
