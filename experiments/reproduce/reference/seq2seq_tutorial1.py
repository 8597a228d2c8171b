"""bentrevett/pytorch-seq2seq notebook 1 (Sequence to Sequence Learning with Neural Networks, the 2023
rewrite, @b3cd54c) written out in plain PyTorch and trained on SeqLab's Multi30k files (Moses-tokenised,
lowercased) instead of spaCy-tokenised Hugging Face data. Everything else is the notebook's: 2-layer LSTMs
of 512 over embeddings of 256, dropout 0.5, U(-0.08, 0.08) for every parameter, Adam 1e-3, clip 1, teacher
forcing 0.5 drawn once per step for the whole batch, 10 epochs of 128 sentences from a shuffled
DataLoader padded to the batch's longest (no packing, no masks: the encoder reads the padding), validation
free-running, the best-validation weights tested and decoded greedily one sentence at a time (at most 25
tokens; the last token dropped as the notebook's `translation[1:-1]` does).
The reference for experiments/reproduce/sutskever_lstm_multi30k.yaml on the same data and machine.

  python3 experiments/reproduce/reference/seq2seq_tutorial1.py [THREADS [SEED]]   # writes /tmp/t1/test.hyp
  .build/release/runner bleu --ref ../shared/data/multi30k/test_2016_flickr.lc.norm.tok.en --hyp /tmp/t1/test.hyp --tokenize none
"""
import os, random, sys, time
import torch, torch.nn as nn
from tutorial_common import EOS, PAD, SOS, corpus, fit, id_pairs, ids

THREADS = int(sys.argv[1]) if len(sys.argv) > 1 else 2
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 1234
torch.set_num_threads(THREADS)
OUT = "/tmp/t1"
os.makedirs(OUT, exist_ok=True)
random.seed(SEED); torch.manual_seed(SEED)
data, (SRC_ITOS, SRC), (TRG_ITOS, TRG) = corpus()


def batches(split, shuffle):
    pairs = id_pairs(data[split], SRC, TRG)
    order = list(range(len(pairs)))
    if shuffle: random.shuffle(order)
    def pad(seqs):   # (L, B), as pad_sequence
        L = max(map(len, seqs)); return torch.tensor([s + [PAD] * (L - len(s)) for s in seqs]).t().contiguous()
    chunks = [order[k:k + 128] for k in range(0, len(order), 128)]
    return [(pad([pairs[i][0] for i in c]), pad([pairs[i][1] for i in c])) for c in chunks]


class Encoder(nn.Module):
    def __init__(s, vocab_size):
        super().__init__(); s.emb = nn.Embedding(vocab_size, 256); s.rnn = nn.LSTM(256, 512, 2, dropout=0.5); s.drop = nn.Dropout(0.5)
    def forward(s, src):
        _, (h, c) = s.rnn(s.drop(s.emb(src))); return h, c


class Decoder(nn.Module):
    def __init__(s, vocab_size):
        super().__init__(); s.emb = nn.Embedding(vocab_size, 256); s.rnn = nn.LSTM(256, 512, 2, dropout=0.5)
        s.out = nn.Linear(512, vocab_size); s.drop = nn.Dropout(0.5)
    def forward(s, token, h, c):
        o, (h, c) = s.rnn(s.drop(s.emb(token.unsqueeze(0))), (h, c)); return s.out(o.squeeze(0)), h, c


class Seq2Seq(nn.Module):
    def __init__(s):
        super().__init__(); s.encoder, s.decoder = Encoder(len(SRC_ITOS)), Decoder(len(TRG_ITOS))
    def forward(s, src, trg, teacher_forcing):
        outputs = torch.zeros(trg.shape[0], trg.shape[1], len(TRG_ITOS))
        h, c = s.encoder(src); token = trg[0]
        for t in range(1, trg.shape[0]):
            out, h, c = s.decoder(token, h, c); outputs[t] = out
            token = trg[t] if random.random() < teacher_forcing else out.argmax(1)
        return outputs


model = Seq2Seq()
for p in model.parameters(): nn.init.uniform_(p.data, -0.08, 0.08)
print("parameters", sum(p.numel() for p in model.parameters()), flush=True)
opt = torch.optim.Adam(model.parameters())
crit = nn.CrossEntropyLoss(ignore_index=PAD)


def run(split, train):
    model.train(train); total = 0; bs = batches(split, train)
    for src, trg in bs:
        with torch.set_grad_enabled(train):
            out = model(src, trg, 0.5 if train else 0)
            loss = crit(out[1:].reshape(-1, out.shape[-1]), trg[1:].reshape(-1))
        if train:
            opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(model.parameters(), 1); opt.step()
        total += loss.item()
    return total / len(bs)


start = fit(model, run, f"{OUT}/best.pt", loss_kind="free-running")
model.eval(); hyps = []
with torch.no_grad():
    for a in data["test"][0]:
        h, c = model.encoder(torch.tensor([ids(a, SRC)]).t()); t = [SOS]
        for _ in range(25):
            o, h, c = model.decoder(torch.tensor([t[-1]]), h, c); t.append(o.argmax(-1).item())
            if t[-1] == EOS: break
        hyps.append(" ".join(TRG_ITOS[i] for i in t[1:-1]))
open(f"{OUT}/test.hyp", "w").write("\n".join(hyps) + "\n")
print("decoded", time.time() - start, flush=True)
