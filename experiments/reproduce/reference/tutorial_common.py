"""What the bentrevett/pytorch-seq2seq reference scripts beside this file share: SeqLab's Multi30k files
(Moses-tokenised, lowercased) as the notebooks see their data (each split as token lists per side, a
vocabulary per side from train with min_freq 2 and the specials <unk> <pad> <sos> <eos> first, ids 0-3,
then by count, ties by the word), and the notebooks' loop of 10 epochs that tests the best-validation
weights."""
import math, os, time
from collections import Counter
import torch

D = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../shared/data/multi30k/")
UNK, PAD, SOS, EOS = 0, 1, 2, 3


def read(split, lang):
    name = {"train": "train", "valid": "val", "test": "test_2016_flickr"}[split]
    return [l.split() for l in open(f"{D}{name}.lc.norm.tok.{lang}", encoding="utf8").read().split("\n")[:-1]]


def corpus():
    """{split: (German sentences, English sentences)} for train, valid and test, and the (itos, stoi)
    vocabularies of German and English; prints their sizes."""
    data = {s: (read(s, "de"), read(s, "en")) for s in ["train", "valid", "test"]}
    source, target = vocab(data["train"][0]), vocab(data["train"][1])
    print("vocab", len(source[0]), len(target[0]), flush=True)
    return data, source, target


def vocab(sents):
    c = Counter(w for s in sents for w in s)
    itos = ["<unk>", "<pad>", "<sos>", "<eos>"] + sorted([w for w, n in c.items() if n >= 2], key=lambda w: (-c[w], w))
    return itos, {w: i for i, w in enumerate(itos)}


def ids(sentence, stoi):
    """<sos> sentence <eos> as ids, unknown words as <unk>."""
    return [SOS] + [stoi.get(w, UNK) for w in sentence] + [EOS]


def id_pairs(sentences, source_stoi, target_stoi):
    """(German, English) sentence lists → (source ids, target ids) pairs, each framed by <sos> and <eos>."""
    return [(ids(a, source_stoi), ids(b, target_stoi)) for a, b in zip(*sentences)]


def fit(model, run, checkpoint, loss_kind=""):
    """Ten epochs of `run("train", True)`, each followed by `run("valid", False)` (mean losses); the
    weights of the best validation loss saved to `checkpoint`, loaded and tested. Returns the start time."""
    note = f"{loss_kind}, " if loss_kind else ""
    best = float("inf"); start = time.time()
    for epoch in range(10):
        t = run("train", True); v = run("valid", False)
        if v < best: best = v; torch.save(model.state_dict(), checkpoint)
        print(f"epoch {epoch+1} train {t:.3f} valid loss {v:.3f} ppl {math.exp(v):.3f} ({note}{time.time()-start:.0f} s)", flush=True)
    model.load_state_dict(torch.load(checkpoint))
    tl = run("test", False)
    print(f"test loss {tl:.3f} ppl {math.exp(tl):.3f}" + (f" ({loss_kind})" if loss_kind else ""), flush=True)
    return start
