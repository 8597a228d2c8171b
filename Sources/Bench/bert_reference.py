#!/usr/bin/env python3
"""PyTorch reference timing for SeqLab's BERT pretraining step (`make bench`, group bert).

  bert_mlm   Hugging Face transformers' BertForPreTraining: 4 layers, width 256, 4 heads, FFN 1024,
             exact GELU, dropout 0.1, vocabulary 8,000 (a WordPiece vocabulary as SeqLab trains one
             on WikiText-2), batch 32 x sequence 128, segments 0 then 1, about 15 % of the positions
             labelled for the masked LM and a next-sentence label per pair; AdamW lr 1e-4, clip 1.

Batches are random ids built before timing; a step is zero_grad, forward (both heads, their summed
loss), backward, clip, the AdamW update; tokens/s = 32 * 128 / median step time (positions read a
second), the figure SeqLab's line prints beside its own.

  python3 Sources/Bench/bert_reference.py --threads 1 --json

Each thread count runs in a child process, so its peak RSS is its own. Needs `pip install torch transformers`.
"""
import resource

from reference_main import reference_main, timed

VOCAB, WIDTH, LAYERS, HEADS, FFN, BATCH, LENGTH, LR, CLIP = 8000, 256, 4, 4, 1024, 32, 128, 1e-4, 1.0


def run_one(name, threads, warmup, steps, seed):
    import torch
    from transformers import BertConfig, BertForPreTraining

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=VOCAB, hidden_size=WIDTH, num_hidden_layers=LAYERS, num_attention_heads=HEADS,
                        intermediate_size=FFN, max_position_embeddings=LENGTH, hidden_act="gelu",
                        attn_implementation="eager")
    model = BertForPreTraining(config).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR)
    gen = torch.Generator().manual_seed(seed)

    def batch():
        tokens = torch.randint(0, VOCAB, (BATCH, LENGTH), generator=gen)
        segments = (torch.arange(LENGTH) >= LENGTH // 2).long().expand(BATCH, LENGTH)
        selected = torch.rand(BATCH, LENGTH, generator=gen) < 0.15
        labels = torch.where(selected, torch.randint(0, VOCAB, (BATCH, LENGTH), generator=gen), torch.tensor(-100))
        return tokens, segments, labels, torch.randint(0, 2, (BATCH,), generator=gen)

    batches = [batch() for _ in range(4)]

    def step(tokens, segments, labels, next_sentence):
        optimizer.zero_grad()
        loss = model(input_ids=tokens, token_type_ids=segments, labels=labels, next_sentence_label=next_sentence).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        optimizer.step()
        return float(loss)

    median, fastest, loss = timed(step, batches, warmup, steps)
    return {"bench": "bert_mlm", "threads": threads, "ms_median": 1e3 * median, "ms_min": 1e3 * fastest,
            "tokens_per_step": BATCH * LENGTH, "tokens_per_s": BATCH * LENGTH / median, "loss_last": loss,
            "params": sum(p.numel() for p in model.parameters()),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "torch": torch.__version__}


if __name__ == "__main__":
    reference_main(__file__, __doc__, ["bert_mlm"], run_one, warmup=2, steps=6)
