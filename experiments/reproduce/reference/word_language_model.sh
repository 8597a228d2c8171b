#!/bin/sh
# The reference of experiments/reproduce/lstm_wordlm_wikitext2.yaml: PyTorch's own word_language_model
# (pytorch/examples, word_language_model/main.py) on the same three files, on the CPU, one thread.
#   usage: word_language_model.sh PATH/TO/pytorch-examples/word_language_model [main.py flags...]
# The data folder is the one `make reproduce-wordlm` prepares: train.txt is WikiText-2's valid.txt,
# valid.txt and test.txt the first and second halves (by lines) of its test.txt.
set -e
example=$1; shift
data=$(cd "$(dirname "$0")/../../.." && pwd)/data/wikitext2-halves
cd "$example"
OMP_NUM_THREADS=1 exec python3 main.py --data "$data" --model LSTM --emsize 200 --nhid 200 --nlayers 2 --lr 20 \
    --clip 0.25 --epochs 20 --batch_size 20 --bptt 20 --dropout 0.5 --seed 1111 --save /tmp/word_language_model.pt "$@"
