# SeqLab — `make run` and `make test` are all a new machine needs.
SWIFT       ?= swift
# An import of a target that Package.swift does not list (one DESIGN.md forbids) fails the build.
IMPORTS      = --explicit-target-dependency-import-check error
# On an x86-64 with Haswell's instructions (AVX2, FMA, BMI2, MOVBE, F16C: every server CPU since
# 2013) Swift compiles for them: an eight-lane SIMD value is one register instead of two SSE halves,
# which makes the recurrent cells, GELU and softmax 1.2-1.6x faster. Elsewhere, or with `make NATIVE=`,
# the portable x86-64 baseline. Results are the same bits either way (Swift does not fuse a·b + c).
NATIVE      ?= $(shell for flag in avx2 fma bmi2 movbe f16c; do grep -qw $$flag /proc/cpuinfo 2>/dev/null || exit; done; \
                 echo -Xswiftc -target-cpu -Xswiftc haswell)
RELEASE      = -c release $(IMPORTS) $(NATIVE)
TESTFLAGS    = -c release -Xswiftc -enable-testing $(NATIVE)
# Open MPI for data-parallel training (`mpirun -np N runner SPEC`): linked always, used when launched by mpirun.
PACKAGES     = libyaml-dev libopenblas-dev libopenmpi-dev openmpi-bin pkg-config
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps slurm-deps build test faults fuzz bench report-check loc run reproduce reproduce-mt reproduce-wordlm reproduce-word2vec reproduce-sst2 clean

# Installs the C libraries only when pkg-config cannot find them.
deps:
	@if ! command -v pkg-config >/dev/null || ! pkg-config --exists yaml-0.1 openblas ompi-c || ! command -v mpirun >/dev/null; then \
		echo "installing $(PACKAGES)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $(PACKAGES); \
	fi

build: deps
	$(SWIFT) build $(RELEASE)

# A single-node Slurm for the test of `runner sweep --scheduler slurm`, installed when missing; where
# it cannot be, that one test is skipped and says so.
SLURM_PACKAGES = slurmctld slurmd slurm-client munge
SLURM_DIR      = .build/slurm
slurm-deps:
	@if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null \
		|| ! command -v munged >/dev/null; then \
		echo "installing $(SLURM_PACKAGES)"; \
		{ $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $(SLURM_PACKAGES); } \
		|| echo "WARNING: could not install $(SLURM_PACKAGES); the Slurm sweep test will be SKIPPED"; \
	fi

# The whole suite at release speed; -enable-testing keeps @testable imports working. Its last line
# counts the XCTest results (`N passed, N failed, N skipped`), and a run that executed no test fails.
# The local Slurm runs for the length of the suite (Tests/RunnerTests/slurm_localhost.sh).
XUNIT        = .build/test-results.xml
test: deps slurm-deps
	$(SWIFT) build $(TESTFLAGS) $(IMPORTS) --build-tests
	@rm -f $(XUNIT); status=0; \
	conf=$$(bash Tests/RunnerTests/slurm_localhost.sh start $(SLURM_DIR)) \
		|| { conf=; echo "WARNING: no local Slurm ($(SLURM_DIR)/log): the Slurm sweep test will be SKIPPED"; }; \
	SLURM_CONF=$$conf $(SWIFT) test $(TESTFLAGS) --skip-build --parallel --num-workers 2 --xunit-output $(XUNIT) || status=$$?; \
	bash Tests/RunnerTests/slurm_localhost.sh stop $(SLURM_DIR); \
	total=$$(grep -o '<testcase ' $(XUNIT) 2>/dev/null | wc -l); \
	failed=$$(grep -o '<failure' $(XUNIT) 2>/dev/null | wc -l); \
	skipped=$$(grep -o '<skipped' $(XUNIT) 2>/dev/null | wc -l); \
	echo "$$((total - failed - skipped)) passed, $$failed failed, $$skipped skipped"; \
	[ $$status -eq 0 ] && [ $$total -gt 0 ] && [ $$failed -eq 0 ]

# Faults beyond make test's short versions: a run killed (SIGKILL) at 20 random moments and resumed
# each time must end as an uninterrupted one, byte for byte; signals, a held run, a filled disk.
faults: deps
	$(SWIFT) build $(TESTFLAGS) $(IMPORTS) --build-tests
	SEQLAB_FAULT_KILLS=20 $(SWIFT) test $(TESTFLAGS) --skip-build \
	  --filter 'testKilledAndResumed|testASignalCheckpoints|testARunThatFillsTheDisk|testARunOnAFullTmpfs|testAKilledSweep|DirectoryLock'

# libFuzzer on the readers of files users hand us (Sources/Fuzzing), FUZZ_SECONDS each, starting from
# Tests/FuzzTests/Corpus; the inputs that reached new code are merged back there (make test replays
# them). A finding stops it with the input in .build/fuzz/TARGET-crash-*; rerun that with
# `swift run seqlab-fuzz TARGET FILE`. lld links it (gold fails on the sanitizer's symbols).
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= spec sweep tokenizer checkpoint safetensors
FUZZ_BUILD    = .build/fuzz
fuzz: deps
	$(SWIFT) build -c release --build-path $(FUZZ_BUILD) --product seqlab-fuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld
	for target in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$target && \
	  SWIFT_BACKTRACE=enable=no SEQLAB_FUZZ_TARGET=$$target $(FUZZ_BUILD)/release/seqlab-fuzz $(FUZZ_BUILD)/corpus/$$target \
	    Tests/FuzzTests/Corpus/$$target -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	    -artifact_prefix=$(FUZZ_BUILD)/$$target- -print_final_stats=1 || exit 1; \
	  SEQLAB_FUZZ_TARGET=$$target $(FUZZ_BUILD)/release/seqlab-fuzz -merge=1 \
	    Tests/FuzzTests/Corpus/$$target $(FUZZ_BUILD)/corpus/$$target || exit 1; \
	done

# Speed against the PyTorch reference (measured now when torch imports, else the figures on file).
bench: deps
	$(SWIFT) build $(RELEASE) --product seqlab-bench
	$(SWIFT) run $(RELEASE) --skip-build seqlab-bench

# `runner report` rendered by Debian's headless Chromium (installed if missing): a short run and a
# sweep, screenshots in runs/report-check/, any console message a failure. Outside CI: Chromium is big.
report-check: build
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends chromium; }
	bash Tests/StudiesTests/check_report_in_browser.sh

loc:
	@for d in Sources/* Tests/*; do \
		printf '%-24s %6d\n' "$$d" "$$(find $$d -name '*.swift' -exec cat {} + 2>/dev/null | wc -l)"; \
	done

# Trains the default experiment: d2l's GRU on The Time Machine.
run: build
	.build/release/runner experiments/gru_charlm.yaml

# Every reproduction that fits in 30 minutes here, then their table in docs/reproduced.md, and the
# WaveNet on tinyshakespeare (no published number: its loss, receptive field and a sample).
TRANSLATIONS  = $(wildcard experiments/reproduce/*multi30k.yaml)
WORDLMS       = $(wildcard experiments/reproduce/*wordlm*.yaml)
REPRODUCTIONS = experiments/gru_charlm.yaml experiments/lstm_charlm.yaml \
                $(filter-out $(TRANSLATIONS) $(WORDLMS),$(wildcard experiments/reproduce/*.yaml))
reproduce: build
	rm -rf runs/reproduce runs/zoo
	for spec in $(REPRODUCTIONS); do .build/release/runner $$spec --runs-dir runs/reproduce || exit 1; done
	.build/release/runner experiments/wavenet_shakespeare.yaml --runs-dir runs/zoo
	mkdir -p docs
	{ echo "# Reproduced results"; echo; \
	  echo "Written by \`make reproduce\` on $$(date -u +%Y-%m-%d): $$(nproc) cores, $$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')."; \
	  echo "\`ok\` is ✓ when our number is within the spec's tolerance of the published one."; echo; \
	  .build/release/runner table runs/reproduce --markdown; echo; \
	  echo "## WaveNet on tinyshakespeare"; echo; \
	  echo "No published number; \`runner check\` says:"; echo; \
	  echo '```'; .build/release/runner check experiments/wavenet_shakespeare.yaml | head -1; echo '```'; echo; \
	  .build/release/runner table runs/zoo --metrics valid.loss,valid.bpc --markdown; echo; \
	  echo "Its last sample:"; echo; echo '```'; tac runs/zoo/*/samples.txt | sed '/^--- step/q' | tac; echo '```'; \
	} > docs/reproduced.md

# REPRODUCE.md §4: the three recurrent encoder-decoders and the Transformer on Multi30k (30 to 70 minutes
# each here), then their table with test BLEU beside the published numbers in docs/reproduced-mt.md.
reproduce-mt: build
	rm -rf runs/reproduce-mt
	for spec in $(TRANSLATIONS); do .build/release/runner $$spec --runs-dir runs/reproduce-mt || exit 1; done
	mkdir -p docs
	{ echo "# Reproduced translation results"; echo; \
	  echo "Written by \`make reproduce-mt\` on $$(date -u +%Y-%m-%d): $$(nproc) cores. Test BLEU of the best-validation"; \
	  echo "checkpoint, greedy decoding; test loss and ppl teacher-forced, free_loss and free_ppl free-running (the"; \
	  echo "decoder fed its own argmax, as the published losses are)."; echo; \
	  .build/release/runner table runs/reproduce-mt --metrics test.bleu,test.loss,test.ppl,test.free_loss,test.free_ppl --markdown; \
	} > docs/reproduced-mt.md

# SST-2 dev accuracy of a biLSTM from scratch, BERT's encoder from scratch, the same encoder
# pretrained on WikiText-2 (masked LM + next sentence) then fine-tuned, and a biLSTM over the features
# of an ELMo biLM pretrained on the same file; GLUE's baselines beside them.
SST2 = experiments/sst2_bilstm.yaml experiments/sst2_bert_scratch.yaml experiments/sst2_bert.yaml experiments/sst2_elmo.yaml
reproduce-sst2: build
	rm -rf runs/reproduce-sst2
	.build/release/runner experiments/bert_wikitext2.yaml --run-dir runs/reproduce-sst2/bert_wikitext2
	.build/release/runner experiments/elmo_wikitext2.yaml --run-dir runs/reproduce-sst2/elmo_wikitext2
	for spec in $(SST2); do .build/release/runner $$spec --runs-dir runs/reproduce-sst2 || exit 1; done
	mkdir -p docs
	{ echo "# SST-2: what pretraining bought"; echo; \
	  echo "Written by \`make reproduce-sst2\` on $$(date -u +%Y-%m-%d): $$(nproc) cores. Dev accuracy (872 sentences): of the"; \
	  echo "checkpoint with the best dev accuracy as test.accuracy (checkpoint.best_by), of the last one as valid.accuracy."; \
	  echo "Published, trained on far more data: GLUE's CBOW 80.0, BiLSTM 85.9 (GloVe vectors), BERT-base 93.5."; echo; \
	  .build/release/runner table runs/reproduce-sst2/sst2_* --metrics test.accuracy,test.macro_f1,valid.accuracy --markdown; echo; \
	  echo "The pretraining runs (WikiText-2 valid.txt; scored on test.txt):"; echo; \
	  .build/release/runner table runs/reproduce-sst2/bert_wikitext2 --metrics valid.mlm_accuracy,valid.nsp_accuracy,valid.mlm_loss --markdown; echo; \
	  .build/release/runner table runs/reproduce-sst2/elmo_wikitext2 --metrics test.forward_ppl,test.backward_ppl,test.ppl --markdown; \
	} > docs/reproduced-sst2.md

# The word-level LSTM against PyTorch's own word_language_model on the same files (issue: WikiText-2's
# training file is not on these machines): train on its valid.txt, validate and test on the two halves
# of its test.txt, which this target cuts into data/wikitext2-halves/. The reference's run:
# experiments/reproduce/reference/word_language_model.sh (its output is committed beside it).
WIKITEXT2 ?= ../shared/data/wikitext2
data/wikitext2-halves/test.txt: $(WIKITEXT2)/valid.txt $(WIKITEXT2)/test.txt
	mkdir -p data/wikitext2-halves
	cp $(WIKITEXT2)/valid.txt data/wikitext2-halves/train.txt
	half=$$(( ($$(wc -l < $(WIKITEXT2)/test.txt) + 1) / 2 )); \
	  head -n $$half $(WIKITEXT2)/test.txt > data/wikitext2-halves/valid.txt; \
	  tail -n +$$((half + 1)) $(WIKITEXT2)/test.txt > data/wikitext2-halves/test.txt

reproduce-wordlm: build data/wikitext2-halves/test.txt
	rm -rf runs/reproduce-wordlm
	for spec in $(WORDLMS); do .build/release/runner $$spec --runs-dir runs/reproduce-wordlm || exit 1; done
	mkdir -p docs
	{ echo "# Reproduced word-level language models"; echo; \
	  echo "Written by \`make reproduce-wordlm\` on $$(date -u +%Y-%m-%d): $$(nproc) cores. SeqLab's runs beside PyTorch's own"; \
	  echo "word_language_model on the same files (train: WikiText-2 valid.txt; valid and test: the halves of its test.txt)."; \
	  echo; .build/release/runner table runs/reproduce-wordlm --metrics test.ppl,valid.ppl,train.ppl --markdown; echo; \
	  echo "The reference (experiments/reproduce/reference/word_language_model.sh, its output beside it):"; echo; \
	  echo '```'; grep -E "^\| End of training|^real" experiments/reproduce/reference/word_language_model.out; echo '```'; \
	} > docs/reproduced-wordlm.md

# The four word-vector specs against gensim 4.4 (../shared/bench/word2vec_reference.md): seeds 1 to 4 of each
# on Multi30k (the specs' corpus, m) and WikiText-2 valid+test (c), by SeqLab and by
# experiments/reproduce/reference/word2vec_gensim.py, then the table in docs/reproduced-word2vec.md.
WORD2VEC = sgns:word2vec_sgns cbow_ns:word2vec_cbow sg_hs:word2vec_sg_hs fasttext_sgns:fasttext_sgns
reproduce-word2vec: build
	rm -rf runs/reproduce-word2vec
	for pair in $(WORD2VEC); do for corpus in m c; do for seed in 1 2 3 4; do \
	  .build/release/runner experiments/reproduce/$${pair#*:}.yaml --runs-dir runs/reproduce-word2vec \
	    --name $${pair%%:*}-$$corpus-s$$seed --set seed=$$seed $$([ $$corpus = c ] && echo --set data.corpus=wikitext2) \
	    || exit 1; done; done; done
	python3 experiments/reproduce/reference/word2vec_gensim.py --seeds 1,2,3,4 > runs/reproduce-word2vec/gensim.jsonl
	mkdir -p docs
	python3 experiments/reproduce/reference/word2vec_table.py runs/reproduce-word2vec runs/reproduce-word2vec/gensim.jsonl \
	  > docs/reproduced-word2vec.md

clean:
	rm -rf .build
