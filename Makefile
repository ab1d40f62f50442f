# The commands of the README. `make test` is what CI runs.
STATICCHECK ?= go run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: test vet lint unit fmt-check bench fuzz

test: fmt-check vet lint unit

fmt-check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	go vet ./...

lint:
	$(STATICCHECK) ./...

unit:
	go test -race ./...

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
