# clustergan: `make test` is the test command CI runs; `make run` the main job.
GO ?= go
# Tests pick the pure-Go backend themselves; this keeps any program a test starts off XLA too.
TEST_ENV = GOMLX_BACKEND=go:parallelism=-1
TEST_TIMEOUT ?= 30m

.PHONY: test run bench bench-compare bench-matmuls fmt fmt-check vet fuzz docs

test: fmt-check vet
	$(TEST_ENV) $(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...

run:
	$(GO) run ./experiments/mnist

# One iteration of every benchmark; see docs/benchmarks.md for recorded numbers.
bench:
	$(TEST_ENV) $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./...

# Training iteration, Go vs the PyTorch reference on this machine (needs python3-torch); settings
# such as CASES, GO_ITERS, TORCH_ITERS, THREADS are described in benchmarks/compare.sh.
bench-compare:
	$(TEST_ENV) GO=$(GO) benchmarks/compare.sh

# The matrix products of one iteration alone, in Go and in PyTorch (benchmarks/matmuls.sh).
bench-matmuls:
	$(TEST_ENV) GO=$(GO) benchmarks/matmuls.sh

# docs/parameters.md, the reference list of every parameter; a test in experiments/mnist fails
# when it is stale.
docs:
	$(GO) run ./experiments/mnist -params=markdown > docs/parameters.md.tmp && mv docs/parameters.md.tmp docs/parameters.md

fmt:
	gofmt -w $$(git ls-files '*.go')

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi

vet:
	$(GO) vet ./...

# At least 1M executions of the IDX reader fuzzer; crashers land in datasets/testdata/fuzz.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseIDX -fuzztime 1000000x ./datasets/

# Notebooks (README, "Notebooks"), executed with GoNB, the Go Jupyter kernel. `make notebooks`
# (CI) executes every notebook into NB_OUT, with its runs there too, leaving notebooks/ as it
# is; `make notebooks-update` executes them with their runs in runs/notebooks and, when every
# cell passed, writes the executed notebooks (outputs included) back into notebooks/. Both fail
# when any cell fails. They run in this order, the quickstart first.
NOTEBOOKS_FIRST = notebooks/quickstart.ipynb notebooks/latent_space.ipynb notebooks/ablation.ipynb
NOTEBOOKS = $(NOTEBOOKS_FIRST) $(filter-out $(NOTEBOOKS_FIRST),$(wildcard notebooks/*.ipynb))
NB_OUT ?= .notebooks-out
NB_CELL_TIMEOUT ?= 1200
NB_ENV ?= $(TEST_ENV)
TOOLS_BIN = $(CURDIR)/.tools/bin
JUPYTER_PACKAGES = jupyter-nbconvert python3-nbclient python3-ipykernel

.PHONY: notebooks notebooks-update notebook-tools

notebooks: notebook-tools
	rm -rf $(NB_OUT) && mkdir -p $(NB_OUT)
	$(call execute-notebooks,$(NB_OUT),CLUSTERGAN_NOTEBOOK_RUNS=$(abspath $(NB_OUT))/runs)

notebooks-update: notebook-tools
	rm -rf $(NB_OUT)/update && mkdir -p $(NB_OUT)/update
	$(call execute-notebooks,$(NB_OUT)/update,)
	cp $(addprefix $(NB_OUT)/update/,$(notdir $(NOTEBOOKS))) notebooks/

# Jupyter from Debian when missing (apt-get, with sudo unless root); GoNB and goimports built
# from tools/gonb into .tools/bin; GoNB registered as the current user's "gonb" kernel (gopls,
# which only serves auto-completion, is not built: --force_deps).
notebook-tools: $(TOOLS_BIN)/gonb
	@if ! command -v jupyter-nbconvert >/dev/null 2>&1 || \
	    { command -v dpkg >/dev/null 2>&1 && ! dpkg -s $(JUPYTER_PACKAGES) >/dev/null 2>&1; }; then \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "installing $(JUPYTER_PACKAGES) with apt-get"; \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    -o DPkg::Lock::Timeout=600 $(JUPYTER_PACKAGES); \
	fi
	@out=$$(PATH="$(TOOLS_BIN):$$PATH" gonb --install --force_deps 2>&1) || { echo "$$out"; exit 1; }; \
	  echo "gonb --install: registered the Go (gonb) Jupyter kernel"

$(TOOLS_BIN)/gonb: tools/gonb/go.mod tools/gonb/go.sum
	mkdir -p $(TOOLS_BIN)
	cd tools/gonb && $(GO) build -o $(TOOLS_BIN)/ github.com/janpfeifer/gonb golang.org/x/tools/cmd/goimports

# execute-notebooks(output dir, environment): runs every notebook in order into the output dir,
# each with its log there, stops at the first that fails (nbconvert's error, or a failed cell
# found by tools/gonb/check_notebooks.py) and prints the end of its log.
define execute-notebooks
	@export PATH="$(TOOLS_BIN):$$PATH" $(NB_ENV) $(2); \
	for nb in $(NOTEBOOKS); do \
	  name=$$(basename $$nb .ipynb); start=$$(date +%s); \
	  echo "notebook $$nb: executing"; \
	  if jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=$(NB_CELL_TIMEOUT) \
	       --ExecutePreprocessor.record_timing=False --output-dir $(1) $$nb >$(1)/$$name.log 2>&1 && \
	     python3 tools/gonb/check_notebooks.py $(1)/$$name.ipynb; then \
	    echo "notebook $$nb: passed in $$(( $$(date +%s) - start )) s"; \
	  else \
	    tail -n 40 $(1)/$$name.log; echo "notebook $$nb: FAILED (log: $(1)/$$name.log)"; exit 1; \
	  fi; \
	done
endef
