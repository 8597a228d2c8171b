#!/usr/bin/env python3
"""PyTorch reference timings for SeqLab's recurrent encoder-decoders (`make bench`, group seq2seq).

The models are bentrevett/pytorch-seq2seq's, as REPRODUCE.md section 4 trains them:

  seq2seq_gru        Cho et al. 2014 (tutorial 2): GRU encoder, the context vector read by every
                     decoder step and by the output layer; emb 256, hidden 512, dropout 0.5
  seq2seq_attention  Bahdanau et al. 2015 (tutorial 3): bidirectional GRU encoder,
                     s0 = tanh(W [h_fwd; h_bwd]), additive attention at every step

Both: vocabularies 7853 -> 5893 (bentrevett's Multi30k de -> en), batch 128 sentences, source 14
and target 14 positions (the target tensor holds <bos> and 14 ids), teacher forcing 0.5 drawn per
step and sentence (the next input is the gold token or the argmax), cross-entropy over the 14
predictions, clip_grad_norm_(1.0), Adam 1e-3. Batches are random ids built before timing; a step is
zero_grad, forward, loss, backward, clip, optimizer step; tokens/s = 128 * 14 / median step time,
the figure SeqLab's line prints beside its own.

  python3 Sources/Bench/seq2seq_reference.py --threads 1 --json
  python3 Sources/Bench/seq2seq_reference.py --only seq2seq_gru --threads 2 --steps 5

Each benchmark runs in a child process, so its peak RSS is its own. Needs `pip install torch`.
"""
import resource

from reference_main import reference_main, timed

SOURCE_VOCAB, TARGET_VOCAB, BATCH, SOURCE_LEN, TARGET_LEN = 7853, 5893, 128, 14, 14
EMB, HID, DROPOUT, TEACHER_FORCING = 256, 512, 0.5, 0.5


def define_models(torch):
    nn = torch.nn

    class ChoEncoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(SOURCE_VOCAB, EMB)
            self.rnn = nn.GRU(EMB, HID)
            self.dropout = nn.Dropout(DROPOUT)

        def forward(self, src):                      # src: (S, B)
            _, hidden = self.rnn(self.dropout(self.embedding(src)))
            return hidden                            # (1, B, H)

    class ChoDecoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(TARGET_VOCAB, EMB)
            self.rnn = nn.GRU(EMB + HID, HID)
            self.fc_out = nn.Linear(EMB + 2 * HID, TARGET_VOCAB)
            self.dropout = nn.Dropout(DROPOUT)

        def forward(self, tokens, hidden, context):  # tokens: (B), hidden and context: (1, B, H)
            embedded = self.dropout(self.embedding(tokens.unsqueeze(0)))
            _, hidden = self.rnn(torch.cat((embedded, context), dim=2), hidden)
            features = torch.cat((embedded.squeeze(0), hidden.squeeze(0), context.squeeze(0)), dim=1)
            return self.fc_out(features), hidden

    class Cho(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder, self.decoder = ChoEncoder(), ChoDecoder()

        def forward(self, src, trg):
            context = self.encoder(src)
            return unroll(trg, context, lambda tokens, hidden: self.decoder(tokens, hidden, context))

    class BahdanauEncoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(SOURCE_VOCAB, EMB)
            self.rnn = nn.GRU(EMB, HID, bidirectional=True)
            self.fc = nn.Linear(2 * HID, HID)
            self.dropout = nn.Dropout(DROPOUT)

        def forward(self, src):
            outputs, hidden = self.rnn(self.dropout(self.embedding(src)))   # (S, B, 2H), (2, B, H)
            return outputs, torch.tanh(self.fc(torch.cat((hidden[-2], hidden[-1]), dim=1)))

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.attn = nn.Linear(2 * HID + HID, HID)
            self.v = nn.Linear(HID, 1, bias=False)

        def forward(self, hidden, encoder_outputs):  # (B, H), (S, B, 2H)
            src_len = encoder_outputs.shape[0]
            hidden = hidden.unsqueeze(1).repeat(1, src_len, 1)
            energy = torch.tanh(self.attn(torch.cat((hidden, encoder_outputs.permute(1, 0, 2)), dim=2)))
            return torch.softmax(self.v(energy).squeeze(2), dim=1)             # (B, S)

    class BahdanauDecoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.attention = Attention()
            self.embedding = nn.Embedding(TARGET_VOCAB, EMB)
            self.rnn = nn.GRU(2 * HID + EMB, HID)
            self.fc_out = nn.Linear(2 * HID + HID + EMB, TARGET_VOCAB)
            self.dropout = nn.Dropout(DROPOUT)

        def forward(self, tokens, hidden, encoder_outputs):
            embedded = self.dropout(self.embedding(tokens.unsqueeze(0)))      # (1, B, E)
            a = self.attention(hidden, encoder_outputs).unsqueeze(1)          # (B, 1, S)
            weighted = torch.bmm(a, encoder_outputs.permute(1, 0, 2)).permute(1, 0, 2)
            output, hidden = self.rnn(torch.cat((embedded, weighted), dim=2), hidden.unsqueeze(0))
            features = torch.cat((output.squeeze(0), weighted.squeeze(0), embedded.squeeze(0)), dim=1)
            return self.fc_out(features), hidden.squeeze(0)

    class Bahdanau(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder, self.decoder = BahdanauEncoder(), BahdanauDecoder()

        def forward(self, src, trg):
            encoder_outputs, hidden = self.encoder(src)
            return unroll(trg, hidden, lambda tokens, hidden: self.decoder(tokens, hidden, encoder_outputs))

    def unroll(trg, hidden, step):
        """Runs the decoder over trg[1:] from trg[0], each step reading the gold token or its own argmax."""
        outputs, tokens = [], trg[0]
        for t in range(1, trg.shape[0]):
            logits, hidden = step(tokens, hidden)
            outputs.append(logits)
            gold = torch.rand(trg.shape[1]) < TEACHER_FORCING
            tokens = torch.where(gold, trg[t], logits.argmax(1))
        return torch.stack(outputs)                  # (T, B, V)

    return {"seq2seq_gru": Cho, "seq2seq_attention": Bahdanau}


def run_one(name, threads, warmup, steps, seed):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    model = define_models(torch)[name]()
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    params = list(model.parameters())
    gen = torch.Generator().manual_seed(seed)
    batches = [(torch.randint(0, SOURCE_VOCAB, (SOURCE_LEN, BATCH), generator=gen),
                torch.randint(0, TARGET_VOCAB, (TARGET_LEN + 1, BATCH), generator=gen)) for _ in range(8)]

    def step(src, trg):
        optimizer.zero_grad(set_to_none=True)
        logits = model(src, trg)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, TARGET_VOCAB), trg[1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        return float(loss)

    median, fastest, loss = timed(step, batches, warmup, steps)
    return {"bench": name, "threads": threads, "ms_median": 1e3 * median, "ms_min": 1e3 * fastest,
            "tokens_per_step": BATCH * TARGET_LEN, "tokens_per_s": BATCH * TARGET_LEN / median,
            "loss_last": loss, "params": sum(p.numel() for p in params),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "torch": torch.__version__}


if __name__ == "__main__":
    reference_main(__file__, __doc__, ["seq2seq_gru", "seq2seq_attention"], run_one, warmup=2, steps=8)
