import Spec
import XCTest

/// Every class of spec error, one row each: the files written, the overrides given, and the exact
/// first line of the diagnostic, the column the caret points at (nil: no caret, the error concerns a
/// whole file) and the exit code. Paths in headlines are relative to the scratch directory; `x.yaml`
/// is always the file loaded.
final class SpecErrorTests: XCTestCase {
    struct Case {
        var name: String
        var files: [String: String]
        var overrides: [String] = []
        var headline: String
        var caret: Int?
        var exit: Int32 = 64
    }

    static let cases: [Case] = [
        // Unknown keys, with and without a near miss.
        Case(name: "unknown key, near miss", files: ["x.yaml": minimalSpec + "model:\n  kind: rnn_lm\n  hiden: 256\n"],
             headline: "x.yaml:4:3: error: unknown key 'hiden' in 'model' (did you mean 'hidden'?)", caret: 3),
        Case(name: "unknown key, transposition", files: ["x.yaml": minimalSpec + "model: {hdiden: 256}\n"],
             headline: "x.yaml:2:9: error: unknown key 'hdiden' in 'model' (did you mean 'hidden'?)", caret: 9),
        Case(name: "unknown key, camel case", files: ["x.yaml": minimalSpec + "train:\n  batchSize: 32\n"],
             headline: "x.yaml:3:3: error: unknown key 'batchSize' in 'train' (did you mean 'batch_size'?)", caret: 3),
        Case(name: "unknown top-level key", files: ["x.yaml": minimalSpec + "trian:\n  seq_len: 35\n"],
             headline: "x.yaml:2:1: error: unknown key 'trian' (did you mean 'train'?)", caret: 1),
        Case(name: "unknown key, no near miss", files: ["x.yaml": minimalSpec + "checkpoint: {zzzz: 1}\n"],
             headline: "x.yaml:2:14: error: unknown key 'zzzz' in 'checkpoint' (expected one of: every_steps, keep, best_by)",
             caret: 14),
        Case(name: "unknown key, nested section", files: ["x.yaml": minimalSpec + "train:\n  optimizer:\n    lrr: 0.1\n"],
             headline: "x.yaml:4:5: error: unknown key 'lrr' in 'train.optimizer' (did you mean 'lr'?)", caret: 5),
        // Wrong types.
        Case(name: "word where an integer belongs", files: ["x.yaml": minimalSpec + "model:\n  hidden: abc\n"],
             headline: "x.yaml:3:11: error: expected an integer for 'model.hidden', found 'abc'", caret: 11),
        Case(name: "quoted number is a string", files: ["x.yaml": minimalSpec + "model:\n  hidden: \"256\"\n"],
             headline: "x.yaml:3:11: error: expected an integer for 'model.hidden', found the string \"256\"", caret: 11),
        Case(name: "fraction where an integer belongs", files: ["x.yaml": minimalSpec + "train: {batch_size: 3.5}\n"],
             headline: "x.yaml:2:21: error: expected an integer for 'train.batch_size', found '3.5'", caret: 21),
        Case(name: "word where a number belongs", files: ["x.yaml": minimalSpec + "train:\n  optimizer: {lr: fast}\n"],
             headline: "x.yaml:3:19: error: expected a number for 'train.optimizer.lr', found 'fast'", caret: 19),
        Case(name: "columns count characters, not bytes", files: ["x.yaml": minimalSpec + "sample: {prompt: \"üü\", length: abc}\n"],
             headline: "x.yaml:2:32: error: expected an integer for 'sample.length', found 'abc'", caret: 32),
        Case(name: "mapping where an integer belongs", files: ["x.yaml": minimalSpec + "seed: {value: 1}\n"],
             headline: "x.yaml:2:7: error: expected an integer for 'seed', found a mapping", caret: 7),
        Case(name: "scalar where a section belongs", files: ["x.yaml": minimalSpec + "model: 5\n"],
             headline: "x.yaml:2:8: error: expected a mapping for 'model', found '5'", caret: 8),
        // Tasks: a model kind's task, and keys of another task.
        Case(name: "a task the model kind is not trained for",
             files: ["x.yaml": "task: language_model\ndata: {corpus: multi30k, source: de, target: en}\nmodel: {kind: seq2seq}\n"],
             headline: "x.yaml:1:7: error: model kind 'seq2seq' is trained for translation, not language_model (set "
                + "'task: translation' or a model kind of that task)", caret: 7),
        Case(name: "translation without a source language", files: ["x.yaml": "data: {corpus: multi30k, target: en}\nmodel: {kind: seq2seq}\n"],
             headline: "x.yaml:1:7: error: a translation spec needs 'data.source', the source language (e.g. data: "
                + "{corpus: multi30k, source: de, target: en})", caret: 7),
        Case(name: "a translation key in a language model", files: ["x.yaml": "data: {corpus: timemachine, source: de}\n"],
             headline: "x.yaml:1:29: error: 'data.source' applies to task translation, not language_model (remove it)", caret: 29),
        Case(name: "a language-model key in a translation",
             files: ["x.yaml": "data: {corpus: multi30k, source: de, target: en}\nmodel: {kind: seq2seq}\ntrain: {seq_len: 50}\n"],
             headline: "x.yaml:3:9: error: 'train.seq_len' applies to task language_model and masked_lm, not translation (remove it)", caret: 9),
        Case(name: "attention on a language model", files: ["x.yaml": minimalSpec + "model: {kind: rnn_lm, attention: additive}\n"],
             headline: "x.yaml:2:23: error: 'model.attention' does not apply to model kind 'rnn_lm', which reads cell, "
                + "embedding, hidden, layers, bidirectional, dropout, dropout_between_layers, dropout_mode, word_dropout, tie_embeddings, init, init_scale (remove it; to change the kind from "
                + "the command line, give the whole section: --set 'model={kind: rnn_lm, …}')", caret: 23),
        Case(name: "a shared tokenizer key beside per-side blocks",
             files: ["x.yaml": "data: {corpus: multi30k, source: de, target: en}\nmodel: {kind: seq2seq}\n"
                + "tokenizer: {kind: word, source: {kind: word}, target: {kind: char}}\n"],
             headline: "x.yaml:3:13: error: 'tokenizer.kind' beside per-side blocks: give one tokenizer for both sides or a "
                + "'source' and a 'target' block (move 'kind' into both blocks)", caret: 13),
        Case(name: "a tokenizer for one side only",
             files: ["x.yaml": "data: {corpus: multi30k, source: de, target: en}\nmodel: {kind: seq2seq}\n"
                + "tokenizer: {source: {kind: word}}\n"],
             headline: "x.yaml:3:12: error: 'tokenizer' has a block for one side only (add 'tokenizer.target')", caret: 12),
        Case(name: "a per-side tokenizer error names its side",
             files: ["x.yaml": "data: {corpus: multi30k, source: de, target: en}\nmodel: {kind: seq2seq}\n"
                + "tokenizer: {source: {kind: word}, target: {kind: bpe}}\n"],
             headline: "x.yaml:3:50: error: a 'bpe' tokenizer needs 'tokenizer.target.vocab_size' (add 'vocab_size: 2000' "
                + "(special tokens included))", caret: 50),
        Case(name: "per-side tokenizers on a language model",
             files: ["x.yaml": minimalSpec + "tokenizer: {source: {kind: word}, target: {kind: word}}\n"],
             headline: "x.yaml:2:1: error: a tokenizer per side ('tokenizer.source', 'tokenizer.target') is for translation, "
                + "not language_model (give one tokenizer block)", caret: 1),
        Case(name: "unknown attention", files: ["x.yaml": minimalSpec + "model: {kind: seq2seq, attention: bahdanau}\n"],
             headline: "x.yaml:2:35: error: unknown attention 'bahdanau' (expected one of: none, additive, dot, general)",
             caret: 35),
        Case(name: "a beam too wide", files: ["x.yaml": minimalSpec + "eval: {decode: {beam: 5000}}\n"],
             headline: "x.yaml:2:23: error: 'eval.decode.beam' must be between 1 and 1024, found 5000", caret: 23),
        Case(name: "a beam of 0", files: ["x.yaml": minimalSpec + "eval: {decode: {beam: 0}}\n"],
             headline: "x.yaml:2:23: error: 'eval.decode.beam' must be between 1 and 1024, found 0", caret: 23),
        // The Transformer's sizes that cannot fit together.
        Case(name: "heads that do not divide the width",
             files: ["x.yaml": "data: {corpus: multi30k, source: de, target: en}\nmodel: {kind: transformer, width: 10, heads: 4}\n"],
             headline: "x.yaml:2:46: error: 'model.heads' (4) must divide 'model.width' (10)", caret: 46),
        Case(name: "positions fewer than the longest sentence",
             files: ["x.yaml": "data: {corpus: multi30k, source: de, target: en, max_length: 100}\n"
                + "model: {kind: transformer, positions: learned, max_positions: 100}\n"],
             headline: "x.yaml:2:63: error: 'model.max_positions' (100) is smaller than the 101 positions a sentence of "
                + "'data.max_length' (100) takes with its <bos> or <eos> (raise max_positions to 101 or lower data.max_length)",
             caret: 63),
        Case(name: "positions fewer than the longest source framed by <bos> and <eos>",
             files: ["x.yaml": "data: {corpus: multi30k, source: de, target: en, max_length: 99, source_bos: true}\n"
                + "model: {kind: transformer, positions: learned, max_positions: 100}\n"],
             headline: "x.yaml:2:63: error: 'model.max_positions' (100) is smaller than the 101 positions a sentence of "
                + "'data.max_length' (99) takes with the source's <bos> and <eos> (raise max_positions to 101 or lower "
                + "data.max_length)",
             caret: 63),
        Case(name: "the default positions fewer than the longest sentence",
             files: ["x.yaml": "data: {corpus: multi30k, source: de, target: en, max_length: 300}\nmodel: {kind: transformer}\n"],
             headline: "x.yaml:1:62: error: 'model.max_positions' (256) is smaller than the 301 positions a sentence of "
                + "'data.max_length' (300) takes with its <bos> or <eos> (raise max_positions to 301 or lower data.max_length)",
             caret: 62),
        Case(name: "a free-running Transformer",
             files: ["x.yaml": "data: {corpus: multi30k, source: de, target: en}\nmodel: {kind: transformer}\n"
                + "eval: {metrics: [loss, free_running]}\n"],
             headline: "x.yaml:3:17: error: eval metric 'free_running' needs a recurrent seq2seq model; a transformer reads "
                + "the whole target at once (remove it from eval.metrics)", caret: 17),
        Case(name: "all embeddings shared over two tokenizers",
             files: ["x.yaml": "data: {corpus: multi30k, source: de, target: en}\nmodel: {kind: transformer, share_embeddings: all}\n"
                + "tokenizer: {source: {kind: word}, target: {kind: char}}\n"],
             headline: "x.yaml:2:46: error: 'model.share_embeddings: all' needs one vocabulary for both sides, but 'tokenizer' "
                + "gives the source and the target their own (give one tokenizer block, or share decoder_output only)", caret: 46),
        Case(name: "inverse_sqrt without warm-up", files: ["x.yaml": minimalSpec + "train: {schedule: {kind: inverse_sqrt}}\n"],
             headline: "x.yaml:2:19: error: 'train.schedule.kind: inverse_sqrt' needs 'warmup_steps' > 0, the step its rate "
                + "peaks at (add 'warmup_steps: 4000' (fairseq's usual))", caret: 19),
        Case(name: "a width on a schedule that does not scale by it",
             files: ["x.yaml": minimalSpec + "train: {schedule: {kind: cosine, width: 512}}\n"],
             headline: "x.yaml:2:34: error: 'train.schedule.width' applies to kind noam, not 'cosine' (remove it)", caret: 34),
        // Word-level LMs: tied tables, milestones, plateaus, evaluation by epochs, line ends.
        Case(name: "tied tables of different widths",
             files: ["x.yaml": minimalSpec + "model: {kind: rnn_lm, embedding: 100, hidden: 200, tie_embeddings: true}\n"],
             headline: "x.yaml:2:68: error: 'model.tie_embeddings' needs 'embedding' (100) equal to 'hidden' (200): the "
                + "output layer multiplies by the embedding table (set 'embedding: 200' or remove tie_embeddings)", caret: 68),
        Case(name: "tied tables of a bidirectional model",
             files: ["x.yaml": minimalSpec + "model: {kind: rnn_lm, embedding: 8, hidden: 8, bidirectional: true, "
                + "tie_embeddings: true}\n"],
             headline: "x.yaml:2:85: error: 'model.tie_embeddings' needs 'embedding' (8) equal to 2 × 'hidden' (16), the "
                + "bidirectional output: the output layer multiplies by the embedding table (set 'embedding: 16' or remove "
                + "tie_embeddings)", caret: 85),
        Case(name: "milestones that do not increase",
             files: ["x.yaml": minimalSpec + "train: {schedule: {kind: multistep, milestones: [10, 5], unit: epoch}}\n"],
             headline: "x.yaml:2:49: error: 'train.schedule.milestones' must increase, but 5 follows 10 (list each milestone "
                + "once, in order)", caret: 49),
        Case(name: "milestones without a unit",
             files: ["x.yaml": minimalSpec + "train: {schedule: {kind: multistep, milestones: [10, 15]}}\n"],
             headline: "x.yaml:2:37: error: 'train.schedule.milestones' needs 'unit: epoch' or 'unit: step', what the "
                + "milestones count", caret: 37),
        Case(name: "multistep without milestones", files: ["x.yaml": minimalSpec + "train: {schedule: {kind: multistep}}\n"],
             headline: "x.yaml:2:19: error: 'train.schedule.kind: multistep' needs 'milestones', where the rate is "
                + "multiplied by gamma (e.g. milestones: [10, 15], unit: epoch)", caret: 19),
        Case(name: "a milestone below 1",
             files: ["x.yaml": minimalSpec + "train: {schedule: {kind: multistep, milestones: [0, 5], unit: step}}\n"],
             headline: "x.yaml:2:50: error: 'train.schedule.milestones[0]' must be ≥ 1, found 0", caret: 50),
        Case(name: "a plateau key on another kind",
             files: ["x.yaml": minimalSpec + "train: {schedule: {kind: cosine, patience: 3}}\n"],
             headline: "x.yaml:2:34: error: 'train.schedule.patience' applies to kind plateau, not 'cosine' (remove it)",
             caret: 34),
        Case(name: "a plateau factor of 1",
             files: ["x.yaml": minimalSpec + "train: {schedule: {kind: plateau, factor: 1}}\n"],
             headline: "x.yaml:2:43: error: 'train.schedule.factor' must be in (0, 1), found 1", caret: 43),
        Case(name: "a plateau metric the run does not log",
             files: ["x.yaml": minimalSpec + "train: {schedule: {kind: plateau, metric: valid.bleu}}\n"],
             headline: "x.yaml:2:43: error: 'train.schedule.metric' is 'valid.bleu', which this run does not log (use one "
                + "of train.loss, train.ppl, valid.loss, valid.ppl)", caret: 43),
        Case(name: "a plateau on a validation split the data lacks",
             files: ["x.yaml": "data: {corpus: timemachine, split: {train: 1.0, valid: 0.0}}\n"
                + "train: {schedule: {kind: plateau, metric: valid.loss}}\n"],
             headline: "x.yaml:2:43: error: 'train.schedule.metric' is 'valid.loss', which this run does not log (the data "
                + "has no validation split) (use one of train.loss, train.ppl)", caret: 43),
        Case(name: "a plateau metric without a split",
             files: ["x.yaml": minimalSpec + "train: {schedule: {kind: plateau, metric: loss}}\n"],
             headline: "x.yaml:2:43: error: 'train.schedule.metric' must name a split and a metric as metrics.jsonl does, "
                + "found 'loss' (e.g. valid.loss)", caret: 43),
        Case(name: "evaluation by steps and by epochs",
             files: ["x.yaml": minimalSpec + "eval: {every_steps: 100, every_epochs: 1}\n"],
             headline: "x.yaml:2:26: error: set either 'every_steps' or 'every_epochs' in 'eval', not both (write "
                + "'every_steps: null' to evaluate by epochs)", caret: 26),
        Case(name: "evaluation by neither steps nor epochs", files: ["x.yaml": minimalSpec + "eval: {every_steps: null}\n"],
             headline: "x.yaml:2:7: error: 'eval' needs 'every_steps' or 'every_epochs'", caret: 7),
        Case(name: "line ends on a translation",
             files: ["x.yaml": "data: {corpus: multi30k, source: de, target: en, line_end: eos}\nmodel: {kind: seq2seq}\n"],
             headline: "x.yaml:1:50: error: 'data.line_end' applies to task language_model, not translation (remove it)",
             caret: 50),
        Case(name: "read padding in a language model", files: ["x.yaml": "data: {corpus: timemachine, padding: read}\n"],
             headline: "x.yaml:1:29: error: 'data.padding' applies to task translation, not language_model (remove it)",
             caret: 29),
        Case(name: "random batches sized in tokens",
             files: ["x.yaml": "data: {corpus: multi30k, source: de, target: en, batching: random}\nmodel: {kind: seq2seq}\n"
                + "train: {epochs: 1, batch_tokens: 2000}\n"],
             headline: "x.yaml:3:20: error: 'train.batch_tokens' sizes batches of one length bucket; 'data.batching: random' "
                + "draws batches of train.batch_size examples from all of them (give train.batch_size, or use data.batching: "
                + "buckets)", caret: 20),
        Case(name: "a teacher forcing draw of neither kind",
             files: ["x.yaml": "data: {corpus: multi30k, source: de, target: en}\nmodel: {kind: seq2seq, teacher_forcing_draw: step}\n"],
             headline: "x.yaml:2:46: error: unknown teacher forcing draw 'step' (expected one of: sentence, batch)", caret: 46),
        // Model keys the chosen kind does not read.
        Case(name: "heads on a recurrent model", files: ["x.yaml": minimalSpec + "model:\n  kind: rnn_lm\n  heads: 8\n"],
             headline: "x.yaml:4:3: error: 'model.heads' does not apply to model kind 'rnn_lm', which reads cell, embedding, "
                + "hidden, layers, bidirectional, dropout, dropout_between_layers, dropout_mode, word_dropout, tie_embeddings, "
                + "init, init_scale (remove it; to change the kind from the command "
                + "line, give the whole section: --set 'model={kind: rnn_lm, …}')", caret: 3),
        Case(name: "hidden on a GPT", files: ["x.yaml": minimalSpec + "model: {kind: gpt, hidden: 64}\n"],
             headline: "x.yaml:2:20: error: 'model.hidden' does not apply to model kind 'gpt', which reads block_size, "
                + "layers, heads, width, dropout, bias, activation, norm, tie_embeddings, init, init_scale (remove it; to "
                + "change the kind from the command line, give the whole section: --set 'model={kind: gpt, …}')", caret: 20),
        Case(name: "a kind changed by --set keeps the file's keys",
             files: ["x.yaml": minimalSpec + "model: {kind: rnn_lm, cell: lstm}\n"], overrides: ["model.kind=ngram"],
             headline: "x.yaml:2:23: error: 'model.cell' does not apply to model kind 'ngram', which reads order, "
                + "smoothing (remove it; to change the kind from the command line, give the whole section: --set "
                + "'model={kind: ngram, …}')", caret: 23),
        Case(name: "WaveNet's channels are its own keys", files: ["x.yaml": minimalSpec + "model: {kind: wavenet, width: 64}\n"],
             headline: "x.yaml:2:24: error: 'model.width' does not apply to model kind 'wavenet', which reads embedding, "
                + "residual_channels, dilation_channels, skip_channels, kernel_size, layers, stacks, init, init_scale "
                + "(remove it; to change the kind from the command line, give the whole section: --set "
                + "'model={kind: wavenet, …}')", caret: 24),
        Case(name: "word dropout is the recurrent LM's", files: ["x.yaml": minimalSpec + "model: {kind: gpt, word_dropout: 0.1}\n"],
             headline: "x.yaml:2:20: error: 'model.word_dropout' does not apply to model kind 'gpt', which reads block_size, "
                + "layers, heads, width, dropout, bias, activation, norm, tie_embeddings, init, init_scale (remove it; to "
                + "change the kind from the command line, give the whole section: --set 'model={kind: gpt, …}')", caret: 20),
        Case(name: "word_language_model's init on a GPT", files: ["x.yaml": minimalSpec + "model: {kind: gpt, init: word_language_model}\n"],
             headline: "x.yaml:2:26: error: 'model.init: word_language_model' is not a recipe of model kind 'gpt' (use "
                + "default, pytorch, normal, uniform or xavier_uniform)", caret: 26),
        // Tokenizer keys the chosen kind would ignore.
        Case(name: "subword tokenizer without vocab_size", files: ["x.yaml": minimalSpec + "tokenizer:\n  kind: bpe\n"],
             headline: "x.yaml:3:9: error: a 'bpe' tokenizer needs 'tokenizer.vocab_size' (add 'vocab_size: 2000' "
                + "(special tokens included))", caret: 9),
        Case(name: "vocab_size on a char tokenizer", files: ["x.yaml": minimalSpec + "tokenizer:\n  vocab_size: 500\n"],
             headline: "x.yaml:3:3: error: 'tokenizer.vocab_size' applies to bpe, bpe_bytelevel and wordpiece tokenizers, "
                + "not to kind 'char' (remove it)", caret: 3),
        Case(name: "reserved on a wordpiece tokenizer",
             files: ["x.yaml": minimalSpec + "tokenizer: {kind: wordpiece, vocab_size: 900, reserved: [<pad>]}\n"],
             headline: "x.yaml:2:47: error: 'tokenizer.reserved' applies to char and word tokenizers, not to kind "
                + "'wordpiece' (remove it)", caret: 47),
        Case(name: "training key beside file",
             files: ["x.yaml": minimalSpec + "tokenizer:\n  file: tok.json\n  lowercase: true\n"],
             headline: "x.yaml:4:3: error: 'tokenizer.lowercase' has no effect with 'tokenizer.file': a loaded tokenizer "
                + "brings its own settings (remove 'lowercase', or remove 'file' to train one)", caret: 3),
        Case(name: "min_freq is now min_frequency", files: ["x.yaml": minimalSpec + "tokenizer:\n  min_freq: 2\n"],
             headline: "x.yaml:3:3: error: unknown key 'min_freq' in 'tokenizer' (did you mean 'min_frequency'?)", caret: 3),
        Case(name: "files with format lines", files: ["x.yaml": "data:\n  corpus: names\n  format: lines\n  max_chars: 5\n"],
             headline: "x.yaml:4:3: error: 'data.max_chars' does not apply to 'format: lines' (lines are shuffled and divided by 'split')",
             caret: 3),
        Case(name: "yes is not a boolean", files: ["x.yaml": minimalSpec + "tokenizer:\n  lowercase: yes\n"],
             headline: "x.yaml:3:14: error: expected true or false for 'tokenizer.lowercase', found 'yes' (did you mean 'true'?)",
             caret: 14),
        Case(name: "scalar where a list belongs", files: ["x.yaml": minimalSpec + "eval: {metrics: loss}\n"],
             headline: "x.yaml:2:17: error: expected a list for 'eval.metrics', found 'loss'", caret: 17),
        Case(name: "null where a value is required", files: ["x.yaml": minimalSpec + "sample:\n  prompt:\n"],
             headline: "x.yaml:3:10: error: expected a string for 'sample.prompt', found nothing (null)", caret: 10),
        Case(name: "top level is a list", files: ["x.yaml": "- data\n- model\n"],
             headline: "x.yaml:1:1: error: expected a mapping of sections at the top of the spec, found a list", caret: 1),
        // Out of range, and rules across keys.
        Case(name: "dropout of 1.5", files: ["x.yaml": minimalSpec + "model:\n  dropout: 1.5\n"],
             headline: "x.yaml:3:12: error: 'model.dropout' must be in [0, 1), found 1.5", caret: 12),
        Case(name: "hidden of 0", files: ["x.yaml": minimalSpec + "model:\n  hidden: 0\n"],
             headline: "x.yaml:3:11: error: 'model.hidden' must be between 1 and 65536, found 0", caret: 11),
        Case(name: "learning rate of 0", files: ["x.yaml": minimalSpec + "train:\n  optimizer: {kind: sgd, lr: 0}\n"],
             headline: "x.yaml:3:30: error: 'train.optimizer.lr' must be > 0, found 0", caret: 30),
        Case(name: "one beta", files: ["x.yaml": minimalSpec + "train:\n  optimizer: {kind: adam, betas: [0.9]}\n"],
             headline: "x.yaml:3:34: error: 'train.optimizer.betas' takes 2 numbers, found 1", caret: 34),
        Case(name: "split over 1", files: ["x.yaml": "data:\n  corpus: names\n  split: {train: 0.9, valid: 0.2}\n"],
             headline: "x.yaml:3:10: error: the fractions of 'data.split' sum to 1.1 (train 0.9 + valid 0.2 + test 0.0), more than 1",
             caret: 10),
        Case(name: "epochs and steps", files: ["x.yaml": minimalSpec + "train:\n  epochs: 5\n  steps: 100\n"],
             headline: "x.yaml:4:3: error: set either 'epochs' or 'steps' in 'train', not both (write 'epochs: null' to train by steps)",
             caret: 3),
        Case(name: "nesterov without momentum", files: ["x.yaml": minimalSpec + "train:\n  optimizer:\n    nesterov: true\n"],
             headline: "x.yaml:4:15: error: 'train.optimizer.nesterov' needs a momentum > 0", caret: 15),
        Case(name: "missing corpus", files: ["x.yaml": "data:\n  max_chars: 100\n"],
             headline: "x.yaml:2:3: error: missing required key 'corpus' in 'data' (a registry name such as 'timemachine', or a path)",
             caret: 3),
        Case(name: "missing data section", files: ["x.yaml": "seed: 1\n"],
             headline: "x.yaml:1:1: error: missing required section 'data' (it names the corpus: data: {corpus: timemachine})",
             caret: 1),
        // Unknown enum values.
        Case(name: "model kind, near miss", files: ["x.yaml": minimalSpec + "model:\n  kind: rnnlm\n"],
             headline: "x.yaml:3:9: error: unknown model kind 'rnnlm' (did you mean 'rnn_lm'?)", caret: 9),
        Case(name: "cell, near miss", files: ["x.yaml": minimalSpec + "model:\n  cell: lstn\n"],
             headline: "x.yaml:3:9: error: unknown recurrent cell 'lstn' (did you mean 'lstm'?)", caret: 9),
        Case(name: "optimizer, no near miss", files: ["x.yaml": minimalSpec + "train:\n  optimizer:\n    kind: lion\n"],
             headline: "x.yaml:4:11: error: unknown optimizer 'lion' (expected one of: sgd, adam, adamw, rmsprop)", caret: 11),
        Case(name: "metric inside a list", files: ["x.yaml": minimalSpec + "eval: {metrics: [loss, acuracy]}\n"],
             headline: "x.yaml:2:24: error: unknown metric 'acuracy' (did you mean 'accuracy'?)", caret: 24),
        // Malformed YAML, in libyaml's words.
        Case(name: "tab indentation", files: ["x.yaml": minimalSpec + "model:\n\thidden: 256\n"],
             headline: "x.yaml:3:1: error: while scanning for the next token, found character that cannot start any token "
                 + "(YAML indents with spaces; this line has a tab)", caret: 1),
        Case(name: "bad indentation", files: ["x.yaml": minimalSpec + "model:\n    hidden: 256\n  layers: 2\n"],
             headline: "x.yaml:4:3: error: while parsing a block mapping, did not find expected key", caret: 3),
        Case(name: "duplicate key", files: ["x.yaml": minimalSpec + "model:\n  hidden: 256\n  layers: 1\n  hidden: 512\n"],
             headline: "x.yaml:5:3: error: duplicate key 'hidden' in 'model' (first set on line 3)", caret: 3),
        Case(name: "duplicate section", files: ["x.yaml": minimalSpec + "seed: 1\ndata: {corpus: names}\n"],
             headline: "x.yaml:3:1: error: duplicate key 'data' (first set on line 1)", caret: 1),
        Case(name: "unclosed quote", files: ["x.yaml": minimalSpec + "sample:\n  prompt: \"time traveller\n"],
             headline: "x.yaml:3:11: error: while scanning a quoted scalar, found unexpected end of stream", caret: 11),
        Case(name: "anchor", files: ["x.yaml": minimalSpec + "model: &m {hidden: 3}\n"],
             headline: "x.yaml:2:8: error: anchors (&name) are not supported in specs; use 'extends:' to share settings",
             caret: 8),
        Case(name: "tag", files: ["x.yaml": minimalSpec + "model: {hidden: !!str 64}\n"],
             headline: "x.yaml:2:17: error: tags (!!str, !!float…) are not supported in specs; quote a value to make it a string",
             caret: 17),
        Case(name: "two documents", files: ["x.yaml": minimalSpec + "---\nseed: 1\n"],
             headline: "x.yaml:2:1: error: a spec is one YAML document; found a second one ('---')", caret: 1),
        Case(name: "nesting deeper than a stack", files: ["x.yaml": minimalSpec + "seed: " + String(repeating: "[", count: 10_000)],
             headline: "x.yaml:2:71: error: values nest deeper than 64 levels here; a spec needs a few", caret: 71),
        // Files.
        Case(name: "missing file", files: [:],
             headline: "x.yaml: error: cannot read spec file 'x.yaml': no such file", caret: nil, exit: 66),
        Case(name: "extends a missing file", files: ["x.yaml": "extends: base.yaml\n" + minimalSpec],
             headline: "x.yaml:1:10: error: cannot read 'base.yaml' named by 'extends': no such file", caret: 10, exit: 66),
        Case(name: "extends a list", files: ["x.yaml": "extends: [a.yaml, b.yaml]\n" + minimalSpec],
             headline: "x.yaml:1:10: error: expected a file path for 'extends', found a list", caret: 10),
        Case(name: "extends cycle", files: ["x.yaml": "extends: y.yaml\n" + minimalSpec, "y.yaml": "extends: x.yaml\n"],
             headline: "y.yaml:1:10: error: 'extends' makes a cycle: 'x.yaml' already extends this file", caret: 10),
        Case(name: "error inside the base file", files: ["x.yaml": "extends: sub/base.yaml\n", "sub/base.yaml": minimalSpec + "model: {hiden: 1}\n"],
             headline: "sub/base.yaml:2:9: error: unknown key 'hiden' in 'model' (did you mean 'hidden'?)", caret: 9),
        // Overrides: the N-th override is line N of `--set`, columns count within it.
        Case(name: "override, unknown key", files: ["x.yaml": minimalSpec], overrides: ["seed=1", "model.hiden=512"],
             headline: "--set:2:7: error: unknown key 'hiden' in 'model' (did you mean 'hidden'?)", caret: 7),
        Case(name: "override, unknown section", files: ["x.yaml": minimalSpec], overrides: ["trian.seq_len=5"],
             headline: "--set:1:1: error: unknown key 'trian' (did you mean 'train'?)", caret: 1),
        Case(name: "override, wrong type", files: ["x.yaml": minimalSpec], overrides: ["train.optimizer.lr=abc"],
             headline: "--set:1:20: error: expected a number for 'train.optimizer.lr', found 'abc'", caret: 20),
        Case(name: "override, enum near miss", files: ["x.yaml": minimalSpec], overrides: ["model.cell=lstn"],
             headline: "--set:1:12: error: unknown recurrent cell 'lstn' (did you mean 'lstm'?)", caret: 12),
        Case(name: "override, out of range", files: ["x.yaml": minimalSpec], overrides: ["checkpoint.keep=0"],
             headline: "--set:1:17: error: 'checkpoint.keep' must be ≥ 1, found 0", caret: 17),
        Case(name: "override, no equals sign", files: ["x.yaml": minimalSpec], overrides: ["model.hidden"],
             headline: "--set:1:1: error: an override is KEY=VALUE, found 'model.hidden' (e.g. --set train.optimizer.lr=0.3)",
             caret: 1),
        Case(name: "override, into a value", files: ["x.yaml": minimalSpec], overrides: ["model.hidden.size=3"],
             headline: "--set:1:14: error: 'model.hidden' is a value, not a section", caret: 14),
        Case(name: "override, empty key part", files: ["x.yaml": minimalSpec], overrides: ["model..hidden=3"],
             headline: "--set:1:7: error: an override key has an empty part in 'model..hidden=3'", caret: 7),
        Case(name: "override, malformed value", files: ["x.yaml": minimalSpec], overrides: ["eval.metrics=[loss"],
             headline: "--set:1:14: error: while parsing a flow sequence, did not find expected ',' or ']'", caret: 14),
        Case(name: "override, extends", files: ["x.yaml": minimalSpec], overrides: ["extends=y.yaml"],
             headline: "--set:1:1: error: 'extends' can only be set in a spec file", caret: 1),
    ]

    func testEveryErrorCase() throws {
        XCTAssertGreaterThanOrEqual(Self.cases.count, 30)
        for testCase in Self.cases {
            let fixtures = try SpecFixtures()
            for (name, text) in testCase.files { try fixtures.write(name, text) }
            guard let error = loadError(fixtures.path("x.yaml"), overrides: testCase.overrides) else {
                XCTFail("\(testCase.name): loaded without error")
                continue
            }
            let rendered = fixtures.relative(error.rendered)
            let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(lines[0], testCase.headline, testCase.name)
            XCTAssertEqual(caretColumn(rendered), testCase.caret, "\(testCase.name):\n\(rendered)")
            XCTAssertEqual(error.exitCode, testCase.exit, testCase.name)
            if let caret = testCase.caret {
                XCTAssertEqual(error.location.column, caret, testCase.name)
                XCTAssertEqual(lines.count, 3, testCase.name)
                // The line shown is the one the location names, in the file or among the overrides.
                let shown = lines.count > 1 ? String(lines[1].split(separator: "|", maxSplits: 1)[1].dropFirst()) : ""
                let expected = error.location.path == "--set"
                    ? testCase.overrides[error.location.line - 1]
                    : testCase.files[fixtures.relative(error.location.path)]?
                        .split(separator: "\n", omittingEmptySubsequences: false)[error.location.line - 1]
                        .description
                XCTAssertEqual(shown, expected, testCase.name)
            }
        }
    }

    func testRenderedDiagnosticLayout() throws {
        let fixtures = try SpecFixtures()
        let path = try fixtures.write("x.yaml", minimalSpec + "model:\n  hiden: 256\n")
        let error = try XCTUnwrap(loadError(path))
        XCTAssertEqual(fixtures.relative(error.rendered), """
            x.yaml:3:3: error: unknown key 'hiden' in 'model' (did you mean 'hidden'?)
                3 |   hiden: 256
                  |   ^
            """)
        XCTAssertEqual(error.kind, .invalidSpec)
        XCTAssertEqual(error.hint, "did you mean 'hidden'?")
        XCTAssertEqual(error.location, SourceLocation(path: path, line: 3, column: 3))
        // A file saved with CRLF line ends shows the same line, without its CR.
        let crlf = try fixtures.write("x.yaml", (minimalSpec + "model:\n  hiden: 256\n").replacingOccurrences(of: "\n", with: "\r\n"))
        XCTAssertEqual(try XCTUnwrap(loadError(crlf)).rendered, error.rendered)
    }

    /// Lines are counted where libyaml counts them: a lone CR, NEL and U+2028 end a line too, so the
    /// line shown under a message is the line the message names.
    func testTheLineShownIsTheLineNamed() throws {
        for text in ["seed: 1\rmodel:\n  hiden: 64\n", "sample: {prompt: \"a\u{2028}b\"}\nmodel:\n  hiden: 64\n",
                     "sample: {prompt: \"a\u{85}b\"}\r\nmodel:\r\n  hiden: 64\r\n"] {
            XCTAssertThrowsError(try ExperimentSpec.parse(minimalSpec + text, path: "x.yaml"), text.debugDescription) { error in
                XCTAssertEqual((error as? SpecError)?.sourceLine, "  hiden: 64", "\(error)")
                XCTAssertEqual((error as? SpecError)?.location.column, 3, "\(error)")
            }
        }
    }

    /// A caret under a column after a tab is padded with that tab, so it lines up in a terminal.
    func testCaretKeepsTabs() {
        let error = SpecError(at: SourceLocation(path: "f.yaml", line: 12, column: 3), "bad",
                              sourceLine: "\t x: 1")
        XCTAssertEqual(error.rendered, "f.yaml:12:3: error: bad\n   12 | \t x: 1\n      | \t ^")
    }

    func testMissingFileIsExit66WithoutCaret() throws {
        let fixtures = try SpecFixtures()
        let error = try XCTUnwrap(loadError(fixtures.path("nope/x.yaml")))
        XCTAssertEqual(error.kind, .missingFile)
        XCTAssertEqual(error.exitCode, 66)
        XCTAssertEqual(fixtures.relative(error.rendered), "nope/x.yaml: error: cannot read spec file 'nope/x.yaml': no such file")
        let directory = try XCTUnwrap(loadError(fixtures.directory.path))
        XCTAssertEqual(directory.exitCode, 66)
        XCTAssertTrue(directory.message.hasSuffix("it is a directory, not a file"), directory.message)
    }
}
