#!/usr/bin/env python3
"""gensim reference timing for SeqLab's word2vec trainer (`make bench`, group word2vec).

  word2vec_sgns   Word2Vec(sg=1, hs=0, negative=5): skip-gram with negative sampling
  word2vec_cbow   Word2Vec(sg=0, hs=0, negative=5, cbow_mean=1): CBOW, mean of the context

Both take the parameters of ../shared/bench/word2vec_reference.py's COMMON: vector_size=100,
window=5, min_count=5, sample=1e-3, alpha 0.025 -> min_alpha 0.0001, ns_exponent=0.75,
batch_words=10000, shrink_windows=True, seed = --seed; --threads is gensim's `workers` (1 by default).
The corpus is the Multi30k English training side, `<data>/multi30k/train.lc.norm.tok.en`, where
<data> is $SEQLAB_DATA if set, else ../shared/data beside the repository: each non-blank line
lowercased and split on whitespace.

build_vocab is not timed; the timed part is one `model.train(...)` call over --steps epochs (5 by
default). --warmup is ignored: gensim has nothing to warm up, and an untimed epoch would move the
alpha schedule. tokens_per_s = corpus tokens x epochs / train seconds (raw words, as SeqLab counts
them); effective_words_per_s = the words gensim actually trained on (after min_count and
subsampling, the first value model.train returns) / train seconds; ms_median = train ms per epoch.

  python3 Sources/Bench/word2vec_reference.py --json

Each benchmark and thread count runs in a child process, so its peak RSS is its own.
Needs `pip install gensim==4.4.0`.
"""
import os
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import resource
import time

from reference_main import reference_main

NAMES = ["word2vec_sgns", "word2vec_cbow"]
CONFIGS = {"word2vec_sgns": dict(sg=1, hs=0, negative=5),
           "word2vec_cbow": dict(sg=0, hs=0, negative=5, cbow_mean=1)}
COMMON = dict(vector_size=100, window=5, min_count=5, sample=1e-3, alpha=0.025, min_alpha=0.0001,
              max_vocab_size=None, ns_exponent=0.75, sorted_vocab=1, batch_words=10000,
              shrink_windows=True, null_word=0)


def corpus_path():
    data = os.environ.get("SEQLAB_DATA") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data")
    return os.path.join(data, "multi30k", "train.lc.norm.tok.en")


def read_corpus(path):
    with open(path, encoding="utf8") as f:
        return [line.lower().split() for line in f if line.strip()]


def run_one(name, threads, warmup, steps, seed):
    import gensim
    from gensim.models import Word2Vec
    from gensim.models.word2vec_inner import FAST_VERSION

    sentences = read_corpus(corpus_path())
    model = Word2Vec(**COMMON, **CONFIGS[name], workers=threads, epochs=steps, seed=seed)
    model.build_vocab(sentences)
    start = time.perf_counter()
    effective, raw = model.train(sentences, total_examples=model.corpus_count, epochs=steps)
    seconds = time.perf_counter() - start
    return {"bench": name, "threads": threads, "epochs": steps, "seconds": seconds,
            "ms_median": 1e3 * seconds / steps, "tokens_per_s": raw / seconds,
            "effective_words_per_s": effective / seconds, "raw_words": raw, "effective_words": effective,
            "corpus_tokens": model.corpus_total_words, "sentences": model.corpus_count,
            "vocab_size": len(model.wv.index_to_key),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "gensim": gensim.__version__, "fast_version": FAST_VERSION}


if __name__ == "__main__":
    reference_main(__file__, __doc__, NAMES, run_one, warmup=0, steps=5)
