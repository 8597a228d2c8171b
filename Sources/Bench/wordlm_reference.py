#!/usr/bin/env python3
"""PyTorch reference timing for SeqLab's word-level LSTM LM (`make bench`, group wordlm).

  lstm_wordlm   pytorch/examples word_language_model's RNNModel as its "medium" recipe runs it:
                vocabulary 33,278 (WikiText-2's), embedding 650, two LSTM layers of 650, dropout 0.5
                on the embeddings, between the layers and before the decoder, untied; batch 20 x
                bptt 35, the state carried (detached) from step to step; plain SGD at lr 20 after
                clip_grad_norm_(0.25), as main.py updates without an optimizer.

Batches are random ids built before timing; a step is zero_grad, forward, log-softmax NLL, backward,
clip, the SGD update; tokens/s = 20 * 35 / median step time, the figure SeqLab's line prints beside
its own.

  python3 Sources/Bench/wordlm_reference.py --threads 1 --json

Each thread count runs in a child process, so its peak RSS is its own. Needs `pip install torch`.
"""
import resource
import statistics
import time

from reference_main import reference_main

VOCAB, EMB, HID, LAYERS, DROPOUT, BATCH, BPTT, LR, CLIP = 33278, 650, 650, 2, 0.5, 20, 35, 20.0, 0.25


def run_one(name, threads, warmup, steps, seed):
    import torch
    nn = torch.nn

    class RNNModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.drop = nn.Dropout(DROPOUT)
            self.encoder = nn.Embedding(VOCAB, EMB)
            self.rnn = nn.LSTM(EMB, HID, LAYERS, dropout=DROPOUT)
            self.decoder = nn.Linear(HID, VOCAB)

        def forward(self, x, hidden):                # x: (T, B)
            output, hidden = self.rnn(self.drop(self.encoder(x)), hidden)
            return self.decoder(self.drop(output)).view(-1, VOCAB), hidden

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    model = RNNModel()
    model.train()
    params = list(model.parameters())
    gen = torch.Generator().manual_seed(seed)
    batches = [(torch.randint(0, VOCAB, (BPTT, BATCH), generator=gen), torch.randint(0, VOCAB, (BPTT * BATCH,), generator=gen))
               for _ in range(8)]
    hidden = (torch.zeros(LAYERS, BATCH, HID), torch.zeros(LAYERS, BATCH, HID))

    def step(x, y, hidden):
        model.zero_grad()
        hidden = tuple(h.detach() for h in hidden)
        output, hidden = model(x, hidden)
        loss = torch.nn.functional.cross_entropy(output, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, CLIP)
        with torch.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-LR)
        return float(loss), hidden

    for i in range(warmup):
        _, hidden = step(*batches[i % len(batches)], hidden)
    times = []
    for i in range(steps):
        start = time.perf_counter()
        loss, hidden = step(*batches[(warmup + i) % len(batches)], hidden)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    return {"bench": "lstm_wordlm", "threads": threads, "ms_median": 1e3 * median, "ms_min": 1e3 * min(times),
            "tokens_per_step": BATCH * BPTT, "tokens_per_s": BATCH * BPTT / median, "loss_last": loss,
            "params": sum(p.numel() for p in params),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "torch": torch.__version__}


if __name__ == "__main__":
    reference_main(__file__, __doc__, ["lstm_wordlm"], run_one, warmup=3, steps=10)
