"""bentrevett/pytorch-seq2seq tutorial 6 (Attention is All You Need, @7faa64a, the torchtext 0.9 version)
written out in plain PyTorch and trained on SeqLab's Multi30k files (Moses-tokenised, lowercased) instead
of spaCy-tokenised torchtext data: the same model, xavier init, Adam 5e-4, clip 1, 10 epochs of 128
sentences in BucketIterator-like length pools, <sos>/<eos> on both sides, the best-validation weights
tested (loss as the tutorial averages it: a mean of per-batch means) and decoded greedily (max 50).
The reference for experiments/reproduce/transformer_multi30k.yaml on the same data and machine.

  python3 experiments/reproduce/reference/transformer_tutorial6.py   # writes /tmp/t6/test.hyp
  SEED=1 OUT=/tmp/t6-1 THREADS=1 python3 …/transformer_tutorial6.py    # another seed, one thread
  .build/release/runner bleu --ref ../shared/data/multi30k/test_2016_flickr.lc.norm.tok.en --hyp /tmp/t6/test.hyp --tokenize none
"""
import math, random, sys, time
import torch, torch.nn as nn
from tutorial_common import PAD, corpus, fit, id_pairs, ids

import os
torch.set_num_threads(int(os.environ.get("THREADS", "2")))
OUT = os.environ.get("OUT", "/tmp/t6")
os.makedirs(OUT, exist_ok=True)
SEED = int(os.environ.get("SEED", "1234"))
random.seed(SEED); torch.manual_seed(SEED)
data, (SRC_ITOS, SRC), (TRG_ITOS, TRG) = corpus()
def batches(split, shuffle):
    pairs = id_pairs(data[split], SRC, TRG)
    idx = list(range(len(pairs)))
    if shuffle: random.shuffle(idx)
    # BucketIterator: pools of 100 batches sorted by length, then the batches shuffled
    out = []
    for p in range(0, len(idx), 128 * 100):
        pool = sorted(idx[p:p + 128 * 100], key=lambda i: (len(pairs[i][0]), len(pairs[i][1])))
        out += [pool[k:k + 128] for k in range(0, len(pool), 128)]
    if shuffle: random.shuffle(out)
    def pad(seqs):
        L = max(map(len, seqs)); return torch.tensor([s + [PAD] * (L - len(s)) for s in seqs])
    return [(pad([pairs[i][0] for i in b]), pad([pairs[i][1] for i in b])) for b in out]

class MHA(nn.Module):
    def __init__(s, h, n, p):
        super().__init__(); s.h, s.n, s.d = h, n, h // n
        s.q, s.k, s.v, s.o = (nn.Linear(h, h) for _ in range(4)); s.drop = nn.Dropout(p); s.scale = math.sqrt(s.d)
    def forward(s, q, k, v, mask):
        B = q.shape[0]
        Q, K, V = (f(x).view(B, -1, s.n, s.d).permute(0, 2, 1, 3) for f, x in ((s.q, q), (s.k, k), (s.v, v)))
        e = torch.matmul(Q, K.permute(0, 1, 3, 2)) / s.scale
        e = e.masked_fill(mask == 0, -1e10)
        a = torch.softmax(e, dim=-1)
        x = torch.matmul(s.drop(a), V).permute(0, 2, 1, 3).contiguous().view(B, -1, s.n * s.d)
        return s.o(x)
class FF(nn.Module):
    def __init__(s, h, pf, p): super().__init__(); s.f1, s.f2, s.drop = nn.Linear(h, pf), nn.Linear(pf, h), nn.Dropout(p)
    def forward(s, x): return s.f2(s.drop(torch.relu(s.f1(x))))
class EncL(nn.Module):
    def __init__(s, h, n, pf, p):
        super().__init__(); s.ln1, s.ln2, s.att, s.ff, s.drop = nn.LayerNorm(h), nn.LayerNorm(h), MHA(h, n, p), FF(h, pf, p), nn.Dropout(p)
    def forward(s, x, m):
        x = s.ln1(x + s.drop(s.att(x, x, x, m))); return s.ln2(x + s.drop(s.ff(x)))
class DecL(nn.Module):
    def __init__(s, h, n, pf, p):
        super().__init__(); s.ln1, s.ln2, s.ln3 = nn.LayerNorm(h), nn.LayerNorm(h), nn.LayerNorm(h)
        s.sa, s.ea, s.ff, s.drop = MHA(h, n, p), MHA(h, n, p), FF(h, pf, p), nn.Dropout(p)
    def forward(s, x, enc, tm, sm):
        x = s.ln1(x + s.drop(s.sa(x, x, x, tm))); x = s.ln2(x + s.drop(s.ea(x, enc, enc, sm))); return s.ln3(x + s.drop(s.ff(x)))
class Seq2Seq(nn.Module):
    def __init__(s, vi, vo, h=256, L=3, n=8, pf=512, p=0.1, maxlen=100):
        super().__init__()
        s.et, s.ep, s.dt, s.dp = nn.Embedding(vi, h), nn.Embedding(maxlen, h), nn.Embedding(vo, h), nn.Embedding(maxlen, h)
        s.enc = nn.ModuleList([EncL(h, n, pf, p) for _ in range(L)]); s.dec = nn.ModuleList([DecL(h, n, pf, p) for _ in range(L)])
        s.out, s.drop, s.scale = nn.Linear(h, vo), nn.Dropout(p), math.sqrt(h)
    def smask(s, src): return (src != PAD).unsqueeze(1).unsqueeze(2)
    def tmask(s, trg):
        T = trg.shape[1]
        return (trg != PAD).unsqueeze(1).unsqueeze(2) & torch.tril(torch.ones((T, T))).bool()
    def encode(s, src, sm):
        pos = torch.arange(src.shape[1]).unsqueeze(0)
        x = s.drop(s.et(src) * s.scale + s.ep(pos))
        for l in s.enc: x = l(x, sm)
        return x
    def decode(s, trg, enc, sm):
        pos = torch.arange(trg.shape[1]).unsqueeze(0)
        x = s.drop(s.dt(trg) * s.scale + s.dp(pos)); tm = s.tmask(trg)
        for l in s.dec: x = l(x, enc, tm, sm)
        return s.out(x)
    def forward(s, src, trg):
        sm = s.smask(src); return s.decode(trg, s.encode(src, sm), sm)

model = Seq2Seq(len(SRC_ITOS), len(TRG_ITOS))
for m in model.modules():
    if hasattr(m, "weight") and m.weight.dim() > 1: nn.init.xavier_uniform_(m.weight.data)
print("parameters", sum(p.numel() for p in model.parameters()), flush=True)
opt = torch.optim.Adam(model.parameters(), lr=0.0005)
crit = nn.CrossEntropyLoss(ignore_index=PAD)
def run(split, train):
    model.train(train); total = 0; bs = batches(split, train)
    for src, trg in bs:
        with torch.set_grad_enabled(train):
            out = model(src, trg[:, :-1]); loss = crit(out.reshape(-1, out.shape[-1]), trg[:, 1:].reshape(-1))
        if train:
            opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(model.parameters(), 1); opt.step()
        total += loss.item()
    return total / len(bs)
start = fit(model, run, f"{OUT}/best.pt")
model.eval(); hyps = []
with torch.no_grad():
    for a in data["test"][0]:
        src = torch.tensor([ids(a, SRC)]); sm = model.smask(src); enc = model.encode(src, sm); t = [2]
        for _ in range(50):
            o = model.decode(torch.tensor([t]), enc, sm); p = o.argmax(2)[0, -1].item(); t.append(p)
            if p == 3: break
        hyps.append(" ".join(TRG_ITOS[i] for i in t[1:] if i != 3))
open(f"{OUT}/test.hyp", "w").write("\n".join(hyps) + "\n")
print("decoded", time.time() - start, flush=True)
