# Laminar: a streaming SQL compiler for Go.
#   make install  go install laminarc (into $(go env GOPATH)/bin; put that on PATH)
#   make demo     build laminarc and run the VWAP example on shipped data
#   make test     everything CI checks, ending with a count of tests passed and failed
#   make tour     the README's tour, run verbatim from a fresh clone
#   make difftest-full  every random differential case (make test runs a fixed share)
#   make fuzz     every fuzz target for FUZZTIME (60s) each, FUZZ=name to pick (not in test);
#                 a failing input is minimized for at most FUZZMINIMIZE (10s)
GO      ?= go
BIN     := bin
DEMO    := .demo
GOFILES := $(shell git ls-files '*.go' 2>/dev/null | grep -v '^grammar/parser/')
# laminarc version prints the commit (the go command records none with -buildvcs=false)
LDFLAGS := -X main.commit=$(shell git rev-parse HEAD 2>/dev/null) -X main.checkoutRoot=$(CURDIR)
# every go test of make test goes through testsum, which adds up the counts here
TESTSUM := $(BIN)/testsum
COUNTS  := $(abspath $(BIN)/test-counts.json)
GOTEST  = $(GO) test -json
SUMMARIZE = 2>&1 | $(abspath $(TESTSUM)) -add $(COUNTS)

.PHONY: all laminarc install tour tour-quick testsum test-start test-end demo test crash-kafka crash-postgres crash-topn crash-session crash-ttl crash-iceberg crash-decimal fmt-check vet check-generated check-parser-full unit race embedded difftest difftest-full generate nexmark bench fuzz clean

all: laminarc

laminarc:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/laminarc ./cmd/laminarc

install:
	$(GO) install -ldflags "$(LDFLAGS)" ./cmd/laminarc
	@echo "installed laminarc in $$($(GO) env GOBIN || true)$$( [ -n "$$($(GO) env GOBIN)" ] || echo $$($(GO) env GOPATH)/bin)"

# The README's tour from a fresh clone of HEAD (commit first), every command as written.
tour:
	LAMINAR_TOUR=1 LAMINAR_TOUR_FULL=1 $(GO) test -count=1 -run TestREADMETour -v ./tests/tour/

# The same, with the long job interrupted twice rather than run to its end.
tour-quick:
	LAMINAR_TOUR=1 $(GOTEST) -count=1 -run TestREADMETour ./tests/tour/ $(SUMMARIZE)

# Compile the tumbling-window VWAP pipeline, build it, run it on shipped trades.
demo: laminarc
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	@cp generated_examples/vwap/query.sql $(DEMO)/vwap.sql
	@cp generated_examples/vwap/input.jsonl $(DEMO)/input.jsonl
	@echo "== pipeline ($(DEMO)/vwap.sql)"; cat $(DEMO)/vwap.sql; echo
	@echo "== laminarc run $(DEMO)/vwap.sql"
	cd $(DEMO) && ../$(BIN)/laminarc run -v vwap.sql
	@echo; echo "== output ($(DEMO)/output.jsonl)"; cat $(DEMO)/output.jsonl
	@echo; echo "== rows the job set aside: $(DEMO)/vwap.dead.jsonl (malformed), $(DEMO)/vwap.late.jsonl (late)"

test: test-start fmt-check vet check-generated unit race embedded difftest tour-quick test-end

testsum:
	@$(GO) build -o $(TESTSUM) ./internal/testsum

test-start: testsum
	@rm -f $(COUNTS)

test-end:
	@echo; $(TESTSUM) -add $(COUNTS) </dev/null | sed "s/== tests so far:/== make test:/"

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# The committed ANTLR parser matches the grammar (hash check; full regeneration
# with generate), and generated_examples match what laminarc emits now.
check-generated:
	$(GOTEST) -count=1 -run 'TestParserUpToDate|TestGeneratedFresh|TestCompiledFresh' ./grammar/ ./generated_examples/ ./benchmarks/vwap/ $(SUMMARIZE)

# Regenerate the parser into a temp dir and diff it with the committed one (needs npx).
check-parser-full:
	./grammar/check-generated.sh

unit:
	$(GOTEST) -count=1 ./... $(SUMMARIZE)

race:
	@if [ "$$($(GO) env CGO_ENABLED)" = 1 ]; then \
		$(GOTEST) -count=1 -race ./runtime/... $(SUMMARIZE); \
		$(GOTEST) -count=1 -race -run TestWorkersRace ./generated_examples/ $(SUMMARIZE); \
	else \
		printf '%s\n' '{"Action":"output","Package":"race","Output":"skipped: the race detector needs cgo (a C compiler such as gcc; go env CGO_ENABLED is 0)\n"}' '{"Action":"skip","Package":"race","Test":"-race ./runtime/..."}' '{"Action":"skip","Package":"race"}' $(SUMMARIZE); \
	fi

# The example user module: its generated package is fresh and its tests pass.
embedded:
	cd generated_examples/embedded && $(GO) run github.com/laminar-sql/laminar/cmd/laminarc compile --lib --check -o ./pipeline pipeline.sql
	cd generated_examples/embedded && $(GO) run github.com/laminar-sql/laminar/cmd/laminarc compile --lib --check -o ./counts counts.sql
	cd generated_examples/embedded && $(GO) vet ./... && $(GOTEST) -count=1 ./... $(SUMMARIZE)

# The differential tests link DuckDB through cgo. Without a C compiler (the go
# command then turns cgo off) they are counted as skipped, with a message.
# make test runs a fixed share of the random cases (DIFFTEST_SHARE: the largest
# suites at about half, 7.5 of their 11 minutes on 2 cores go to building the
# case binaries); make difftest-full runs the module's defaults, the whole set.
DIFFTEST_SHARE ?= -cases=100 -mcases=150 -jcases=150 -tcases=100 -wcases=100 -acases=75 -jdcases=50 -jucases=50
NOCGO_SKIP = printf '%s\n' '{"Action":"output","Package":"$(1)","Output":"skipped: $(1) compares against DuckDB, which needs cgo (a C compiler such as gcc; go env CGO_ENABLED is 0)\n"}' '{"Action":"skip","Package":"$(1)","Test":"DuckDB"}' '{"Action":"skip","Package":"$(1)"}' $(SUMMARIZE)
difftest:
	@if [ "$$($(GO) env CGO_ENABLED)" = 1 ]; then \
		cd tests/difftest && $(GOTEST) -count=1 -timeout 30m ./... -args $(DIFFTEST_SHARE) $(SUMMARIZE) && \
		cd ../nexmarkdiff && $(GOTEST) -count=1 -timeout 30m ./... $(SUMMARIZE); \
	else \
		$(call NOCGO_SKIP,tests/difftest) && $(call NOCGO_SKIP,tests/nexmarkdiff); \
	fi

# Every random case of the differential tests, as the module's defaults give them.
difftest-full:
	$(MAKE) difftest DIFFTEST_SHARE=

# Regenerate the parser (needs npx), the example jobs and the embedded module's packages
# (make embedded checks them with --check).
generate:
	$(GO) generate ./grammar/... ./benchmarks/vwap/...
	$(GO) test -count=1 -run 'TestGeneratedFresh|TestRunExamples' ./generated_examples/ -update
	cd generated_examples/embedded && $(GO) run github.com/laminar-sql/laminar/cmd/laminarc compile --lib -o ./pipeline pipeline.sql
	cd generated_examples/embedded && $(GO) run github.com/laminar-sql/laminar/cmd/laminarc compile --lib -o ./counts counts.sql

# Nexmark: every supported query compiled and run (GOMAXPROCS=1 and all cores) beside
# its hand-written baseline, then the bids of 1M events as one JSON-lines file read by the
# compiled jobs, DuckDB and eKuiper; writes docs/benchmarks.md's
# nexmark section and docs/nexmark.svg. NEXMARK_FLAGS adds harness flags.
nexmark:
	NEXMARK_COMMAND="make nexmark $(NEXMARK_FLAGS)" $(GO) run ./benchmarks/nexmark -ekuiper -duckdb $(NEXMARK_FLAGS)

# Kafka -> windowed aggregate -> Kafka (exactly-once) killed with SIGKILL 60 times
# on the in-process broker kfake; make test kills it 6 times.
crash-kafka:
	LAMINAR_KAFKA_KILLS=60 $(GO) test -count=1 -v -run 'TestCrashKafka' -timeout 30m ./tests/crash/

# Session-window pipelines (on window close; EMIT CHANGES with allowed
# lateness, whose merges retract; EMIT AFTER WATERMARK) and an EMIT PERIODICALLY
# tumbling window, each killed with SIGKILL at least 60 times over 60,000
# trades; make test kills each a few times over 3,000.
crash-session:
	LAMINAR_SESSION_KILLS=60 $(GO) test -count=1 -v -run 'TestCrashSession|TestCrashPeriodic' -timeout 30m ./tests/crash/

# File -> windowed and updating aggregates -> PostgreSQL, and PostgreSQL CDC ->
# aggregate -> PostgreSQL, each killed 60 times; needs LAMINAR_TEST_PG (.ci/run
# starts a server); make test kills each 6 times.
crash-postgres:
	LAMINAR_PG_KILLS=60 $(GO) test -count=1 -v -run 'TestCrashPostgres' -timeout 30m ./tests/crash/

# A top-N over an updating input (and a deduplication) killed with SIGKILL at
# least 60 times; make test kills it 6 times.
crash-topn:
	LAMINAR_TOPN_KILLS=60 $(GO) test -count=1 -v -run 'TestCrashTopN' -timeout 30m ./tests/crash/

# A regular join with state retention (state_ttl), killed at least 60 times;
# make test kills it 6 times.
crash-ttl:
	LAMINAR_TTL_KILLS=60 $(GO) test -count=1 -v -run 'TestCrashTTL' -timeout 30m ./tests/crash/

# File -> tumbling aggregate -> Iceberg table (Hadoop catalog), killed with SIGKILL
# at least 60 times over 30,000 trades; make test kills it 6 times over 3,000.
crash-iceberg:
	LAMINAR_ICEBERG_KILLS=60 $(GO) test -count=1 -v -run 'TestCrashIceberg' -timeout 40m ./tests/crash/

# DECIMAL(38, s) aggregate state (128-bit sums, extremes, retracted sums) in a
# windowed and an updating aggregate, each killed at least 60 times; make test
# kills each 6 times.
crash-decimal:
	LAMINAR_DECIMAL_KILLS=60 $(GO) test -count=1 -v -run 'TestCrashWideDecimal' -timeout 30m ./tests/crash/

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./benchmarks/...

# Every fuzz target for FUZZTIME each, one at a time (not part of test: long,
# and CPU-hungry). Seed corpora are in each package's testdata/fuzz; `go test`
# runs them as ordinary tests. A failing input is written there: commit it
# with the fix. FUZZ=Manifest (a grep pattern) limits the run to matching targets.
# A failure is minimized for at most FUZZMINIMIZE (Go's default, 60s, looks
# like a stall after the failure is printed), so a run takes about
# FUZZTIME + FUZZMINIMIZE per target at worst.
FUZZTIME ?= 60s
FUZZMINIMIZE ?= 10s
FUZZ     ?= .
FUZZ_TARGETS := \
	./runtime/checkpoint:FuzzManifest \
	./runtime/wal:FuzzReader \
	./runtime/connector:FuzzDecodeBatch \
	./runtime/connector:FuzzReaderSource \
	./runtime/connector:FuzzCSVRecords \
	./runtime/format/jsonl:FuzzScanner \
	./runtime/format/jsonl:FuzzAppendString \
	./runtime/format/csvrow:FuzzSplit \
	./runtime/format/csvrow:FuzzParsers \
	./runtime/format/internal/num:FuzzParseInt64 \
	./runtime/snapshot:FuzzDecoder \
	./runtime/timestamp:FuzzParse \
	./runtime/value:FuzzLike \
	./runtime/value:FuzzSubstring \
	./runtime/nexmark:FuzzParseOptions \
	./runtime/nexmark:FuzzFill \
	./grammar:FuzzParse \
	./compiler:FuzzCompile \
	./codegen:FuzzGenerate

fuzz:
	@for f in $$(grep -rhoE '^func Fuzz[A-Za-z0-9_]+' --include='*_test.go' --exclude-dir=parser . | sed 's/func //' | sort -u); do \
		echo "$(FUZZ_TARGETS)" | grep -qw "$$f" || echo "warning: $$f is not in FUZZ_TARGETS"; \
	done
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		if echo "$$name" | grep -q -- "$(FUZZ)"; then \
			echo "== $$name ($$pkg, $(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) $$pkg; \
		fi; \
	done

clean:
	rm -rf $(BIN) $(DEMO)
