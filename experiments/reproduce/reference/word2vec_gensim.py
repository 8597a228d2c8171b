#!/usr/bin/env python3
"""gensim 4.4's side of `make reproduce-word2vec`: the four configurations of
../shared/bench/word2vec_reference.py (sgns, cbow_ns, sg_hs, fasttext_sgns; the same parameters, one
worker, one BLAS thread, PYTHONHASHSEED=0) on corpus M (multi30k train.lc.norm.tok.en) and C
(wikitext2 valid.txt then test.txt), each non-blank line one sentence, `line.lower().split()`.
Prints one JSON line per (corpus, config, seed); train_s times `model.train()` alone, total_s adds
build_vocab and the three evaluations.

  python3 word2vec_gensim.py --seeds 1,2,3,4 > gensim.jsonl

Data: $SEQLAB_DATA, else <this dir>/../../../../shared/data.
"""
import os
import sys

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_v] = "1"
if os.environ.get("PYTHONHASHSEED") != "0":  # str hashes must not vary between runs: restart with it set
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import argparse
import json
import time

import gensim
from gensim.models import FastText, Word2Vec

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.environ.get("SEQLAB_DATA") or os.path.join(HERE, "..", "..", "..", "..", "shared", "data")
CORPORA = {"M": ["multi30k/train.lc.norm.tok.en"], "C": ["wikitext2/valid.txt", "wikitext2/test.txt"]}

# As word2vec_reference.py's COMMON and CONFIGS.
COMMON = dict(vector_size=100, window=5, min_count=5, sample=1e-3, epochs=5,
              alpha=0.025, min_alpha=0.0001, workers=1, max_vocab_size=None,
              ns_exponent=0.75, cbow_mean=1, sorted_vocab=1, batch_words=10000,
              shrink_windows=True, null_word=0, trim_rule=None)
CONFIGS = {
    "sgns": (Word2Vec, dict(sg=1, hs=0, negative=5)),
    "cbow_ns": (Word2Vec, dict(sg=0, hs=0, negative=5)),
    "sg_hs": (Word2Vec, dict(sg=1, hs=1, negative=0)),
    "fasttext_sgns": (FastText, dict(sg=1, hs=0, negative=5, min_n=3, max_n=6, bucket=200000, word_ngrams=1)),
}


def read_corpus(paths):
    sentences = []
    for path in paths:
        with open(os.path.join(DATA, path), encoding="utf8") as f:
            sentences += [line.lower().split() for line in f if line.strip()]
    return sentences


def train_eval(cls, cfg, sentences, seed):
    start = time.perf_counter()
    model = cls(**COMMON, **cfg, seed=seed)
    model.build_vocab(sentences)
    t0 = time.perf_counter()
    model.train(sentences, total_examples=model.corpus_count, epochs=model.epochs)
    train_s = time.perf_counter() - t0
    wv = model.wv
    ws = wv.evaluate_word_pairs(os.path.join(DATA, "wordsim/wordsim353.tsv"))
    sl = wv.evaluate_word_pairs(os.path.join(DATA, "wordsim/simlex999.txt"))
    acc, sections = wv.evaluate_word_analogies(os.path.join(DATA, "wordsim/questions-words.txt"),
                                               restrict_vocab=30000)

    def accuracy(secs):
        right = sum(len(s["correct"]) for s in secs)
        n = right + sum(len(s["incorrect"]) for s in secs)
        return right / n if n else float("nan")

    total = [s for s in sections if s["section"] == "Total accuracy"]
    parts = [s for s in sections if s["section"] != "Total accuracy"]
    return dict(ws353=float(ws[1][0]), ws353_oov=float(ws[2]), simlex=float(sl[1][0]), simlex_oov=float(sl[2]),
                analogy=float(acc), analogy_in_vocab=len(total[0]["correct"]) + len(total[0]["incorrect"]),
                sem=accuracy([s for s in parts if not s["section"].startswith("gram")]),
                syn=accuracy([s for s in parts if s["section"].startswith("gram")]),
                vocab=len(wv.index_to_key), tokens=model.corpus_total_words, train_s=train_s,
                total_s=time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="1", help="comma-separated seeds (default 1)")
    seeds = [int(s) for s in parser.parse_args().seeds.split(",")]
    for corpus, paths in CORPORA.items():
        sentences = read_corpus(paths)
        for config, (cls, cfg) in CONFIGS.items():
            for seed in seeds:
                row = dict(corpus=corpus, config=config, seed=seed, **train_eval(cls, cfg, sentences, seed),
                           gensim=gensim.__version__)
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
