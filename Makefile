# The commands of the README. `make test` is what CI runs.
STATICCHECK ?= go run honnef.co/go/tools/cmd/staticcheck@v0.8.2

# Every package of the repository's modules (see go.work): the core module
# at the root, then the modules that bring heavy dependencies.
PKGS = ./... ./store/sqlite/... ./store/postgres/... ./examples/...

.PHONY: test hygiene vet lint unit fmt-check modules bench fuzz demo

test: hygiene fmt-check vet lint modules unit

# No build output, executable or large file may be tracked.
hygiene:
	@bash .ci/hygiene.sh

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	go vet $(PKGS)

lint:
	$(STATICCHECK) $(PKGS)

# Each module builds on its own, and the core module stays light: a
# consumer of bbb and bbbtest on Go 1.25 gets no SQLite, pgx or chromedp.
modules:
	@bash .ci/modules.sh

# The browser test keeps its screenshots in ARTIFACTS; nothing else is
# written, so Go's test cache serves a second run with nothing changed.
ARTIFACTS ?= $(CURDIR)/test-artifacts
unit:
	@if [ -z "$$BBBCAST_POSTGRES_DSN" ]; then \
		echo "note: BBBCAST_POSTGRES_DSN is not set: store/postgres's tests will be skipped (reported as ok)."; \
		echo "      To run them: export BBBCAST_POSTGRES_DSN=\$$(bash .ci/postgres.sh /tmp/bbbcast-pg 55432)"; \
	fi
	mkdir -p $(ARTIFACTS)
	BBBCAST_ARTIFACTS=$(ARTIFACTS) go test -race $(PKGS)

# The demo portal on the embedded fakes: installs its player (hls.js,
# from npm with the committed lockfile) when the lockfile changed, builds
# the demo, then runs it. DEMO_FLAGS passes flags, e.g.
# make demo DEMO_FLAGS="-addr 127.0.0.1:9000".
DEMO_NODE = examples/demo/node_modules/.installed-from-lockfile
demo: $(DEMO_NODE)
	@if [ ! -x bin/demo ]; then \
		echo "Building the demo. The first build compiles the pure-Go SQLite driver and takes a few minutes;"; \
		echo "later builds take seconds. Each package is named as it compiles:"; \
	fi
	@go build -v -o bin/demo ./examples/demo
	./bin/demo $(DEMO_FLAGS)

$(DEMO_NODE): examples/demo/package-lock.json
	npm ci --prefix examples/demo --no-audit --no-fund
	touch $@

# Benchmarks recorded in BENCHMARKS.md.
bench:
	go test -run='^$$' -bench=. -benchmem -count=5 $(PKGS)

# A short run of every fuzz target (FUZZTIME per target).
FUZZTIME ?= 30s
fuzz:
	go test -run='^$$' -fuzz='^FuzzParseResponse$$' -fuzztime=$(FUZZTIME) ./bbb/
	go test -run='^$$' -fuzz='^FuzzVerify$$' -fuzztime=$(FUZZTIME) ./bbb/
	go test -run='^$$' -fuzz='^FuzzVerifyRaw$$' -fuzztime=$(FUZZTIME) ./bbb/
	go test -run='^$$' -fuzz='^FuzzVerifyRecordingReady$$' -fuzztime=$(FUZZTIME) ./bbb/
	go test -run='^$$' -fuzz='^FuzzParseMatchesEncodingXML$$' -fuzztime=$(FUZZTIME) ./bbb/internal/xmltree/
	go test -run='^$$' -fuzz='^FuzzAnswers$$' -fuzztime=$(FUZZTIME) ./sipmediagw/
	go test -run='^$$' -fuzz='^FuzzSanitizeChat$$' -fuzztime=$(FUZZTIME) ./sipmediagw/
	go test -run='^$$' -fuzz='^FuzzPlaylist$$' -fuzztime=$(FUZZTIME) ./examples/demo/internal/teststream/
