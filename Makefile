# The commands of the README. `make test` is what CI runs.
STATICCHECK ?= go run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: test vet lint unit fmt-check bench fuzz demo demo-assets

test: fmt-check vet lint unit

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	go vet ./...

lint:
	$(STATICCHECK) ./...

# Test artifacts (the browser test's screenshots) are kept in ARTIFACTS.
ARTIFACTS ?= $(CURDIR)/test-artifacts
unit:
	mkdir -p $(ARTIFACTS)
	go test -race -artifacts -outputdir=$(ARTIFACTS) ./...

# The demo portal on the embedded fakes: installs its player (hls.js,
# from npm with the committed lockfile), then runs it. DEMO_FLAGS passes
# flags, e.g. make demo DEMO_FLAGS="-addr 127.0.0.1:9000".
demo: demo-assets
	go run ./examples/demo $(DEMO_FLAGS)

demo-assets:
	npm ci --prefix examples/demo --no-audit --no-fund

# Benchmarks recorded in BENCHMARKS.md.
bench:
	go test -run='^$$' -bench=. -benchmem -count=5 ./...

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
