# clustergan: `make test` is the test command CI runs; `make run` the main job.
GO ?= go
# Tests pick the pure-Go backend themselves; this keeps any program a test starts off XLA too.
TEST_ENV = GOMLX_BACKEND=go:parallelism=-1
TEST_TIMEOUT ?= 30m

.PHONY: test run bench fmt fmt-check vet fuzz

test: fmt-check vet
	$(TEST_ENV) $(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...

run:
	$(GO) run ./experiments/mnist

# One iteration of every benchmark; see docs/benchmarks.md for recorded numbers.
bench:
	$(TEST_ENV) $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi

vet:
	$(GO) vet ./...

# At least 1M executions of the IDX reader fuzzer; crashers land in datasets/testdata/fuzz.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseIDX -fuzztime 1000000x ./datasets/
