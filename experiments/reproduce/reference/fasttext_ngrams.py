#!/usr/bin/env python3
"""fastText character n-gram fixture from gensim 4.4.0: for each word, the n-grams of '<word>'
(min_n..max_n characters, in gensim's compute_ngrams_bytes order = fastText's computeSubwords order:
by start character, then by length), each n-gram's FNV-1a 32-bit hash as fastText computes it
(each byte sign-extended through int8 before the xor) and hash % buckets. Writes the JSON to standard output (committed as Tests/EmbeddingsTests/Golden/fasttext_ngrams.json)."""
import json
import gensim
from gensim.models.fasttext_inner import compute_ngrams_bytes, ft_hash_bytes
from gensim.models.fasttext import ft_ngram_hashes

MIN_N, MAX_N, BUCKETS = 3, 6, 200000
WORDS = ["where", "a", "naïve", "über", "日本語", "<unk>"]


def fnv1a_fasttext(b):   # independent re-implementation, checked against gensim's
    h = 2166136261
    for x in b:
        h ^= (x - 256 if x >= 128 else x) & 0xFFFFFFFF   # int8 sign extension to uint32
        h = (h * 16777619) & 0xFFFFFFFF
    return h


words = []
for w in WORDS:
    grams = compute_ngrams_bytes(w, MIN_N, MAX_N)
    rows = []
    for g in grams:
        h = int(ft_hash_bytes(g))
        assert h == fnv1a_fasttext(g)
        rows.append({"ngram": g.decode("utf-8"), "hash": h, "bucket": h % BUCKETS})
    assert [r["bucket"] for r in rows] == list(ft_ngram_hashes(w, MIN_N, MAX_N, BUCKETS))
    words.append({"word": w, "ngrams": rows})
out = {"gensim": gensim.__version__, "min_n": MIN_N, "max_n": MAX_N, "buckets": BUCKETS, "words": words}
print(json.dumps(out, ensure_ascii=False, indent=1))
