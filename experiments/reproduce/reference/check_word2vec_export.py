#!/usr/bin/env python3
"""Checks a file written by SeqLab's `runner export RUN --format word2vec` against gensim's reader:
loads it with gensim.models.KeyedVectors.load_word2vec_format (text by default, --binary for the
binary layout) and prints the vocabulary and vector size, then each word's 10 nearest neighbours by
cosine similarity, to compare with what SeqLab reports for the same vectors.

  python3 check_word2vec_export.py VECTORS_FILE [--binary] WORD...

Needs `pip install gensim` (4.4.0 was used for the reference numbers).
"""
import argparse

from gensim.models import KeyedVectors


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("vectors")
    parser.add_argument("--binary", action="store_true", help="the file is in word2vec's binary layout")
    parser.add_argument("words", nargs="*")
    args = parser.parse_intermixed_args()
    kv = KeyedVectors.load_word2vec_format(args.vectors, binary=args.binary)
    print(f"vocab {len(kv.index_to_key)}, vector size {kv.vector_size}")
    for word in args.words:
        if word not in kv.key_to_index:
            print(f"{word}: (not in vocabulary)")
            continue
        print(f"{word}: " + ", ".join(f"{n} {s:.3f}" for n, s in kv.most_similar(word, topn=10)))


if __name__ == "__main__":
    main()
