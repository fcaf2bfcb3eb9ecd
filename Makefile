# EventFlux for Go. `make help` lists the targets.

GO       ?= go
BIN      := bin/eventflux
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS  := -s -w -X main.version=$(VERSION)
FUZZTIME ?= 10s

.PHONY: all build test bench lint demo fuzz clean help

all: lint test build

## build: a static binary in bin/eventflux
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/eventflux

## test: vet, unit tests, then the .test semantic suite through the CLI
test:
	$(GO) vet ./...
	$(GO) test ./...
	$(GO) run ./cmd/eventflux test testdata/scripts

## bench: every benchmark, with allocations
bench:
	$(GO) test -run=NONE -bench=. -benchmem ./...

## lint: gofmt must have nothing to say, and go vet
lint:
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## demo: build, then replay the example app over its sample events
demo: build
	./$(BIN) replay --sql testdata/examples/trades.sql --input testdata/examples/trades.jsonl

## fuzz: run each fuzz target for FUZZTIME (default 10s)
fuzz:
	@set -e; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' .); do \
		dir=$$(dirname $$f); \
		for t in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
			echo "$(GO) test -run=NONE -fuzz=^$$t\$$ -fuzztime=$(FUZZTIME) ./$$dir"; \
			$(GO) test -run=NONE -fuzz="^$$t\$$" -fuzztime=$(FUZZTIME) ./$$dir; \
		done; \
	done

clean:
	rm -rf bin

help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)
