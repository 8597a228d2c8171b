"""BLEU as bentrevett/pytorch-seq2seq's notebooks 1-3 measure it (the 2023 rewrite): references are the raw
test sentences and both sides go through spaCy's English tokenizer, lowercased, before a corpus BLEU-4
without smoothing. SeqLab's own test.bleu scores the Moses-tokenised references instead. This script
re-tokenises a run's hypotheses (HTML escapes undone, as Moses wrote them) and the raw references that
way, so that `runner bleu --tokenize none` gives the number the notebooks publish (its reference length is
the notebooks' 13,058). Needs `pip install spacy` (its blank English tokenizer: no model download).

  runner translate runs/<run> --split test --checkpoint best > /tmp/test.hyp
  python3 experiments/reproduce/reference/tutorial_bleu.py /tmp/test.hyp ../shared/data/multi30k/test_2016_flickr.en.gz /tmp/tb
  runner bleu --ref /tmp/tb/ref.txt --hyp /tmp/tb/hyp.txt --tokenize none
"""
import gzip, html, os, sys
import spacy

hypotheses, raw_references, out = sys.argv[1], sys.argv[2], sys.argv[3]
tokenizer = spacy.blank("en").tokenizer


def tokens(line):
    return " ".join(token.text.lower() for token in tokenizer(line))


opener = gzip.open if raw_references.endswith(".gz") else open
with opener(raw_references, "rt", encoding="utf-8") as f:
    references = f.read().splitlines()
with open(hypotheses, encoding="utf-8") as f:
    hypotheses = f.read().splitlines()
if len(references) != len(hypotheses):
    sys.exit(f"{len(hypotheses)} hypotheses for {len(references)} references")
os.makedirs(out, exist_ok=True)
for name, lines in (("ref.txt", references), ("hyp.txt", [html.unescape(h) for h in hypotheses])):
    with open(os.path.join(out, name), "w", encoding="utf-8") as f:
        f.writelines(tokens(line) + "\n" for line in lines)
