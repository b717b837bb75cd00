# Plateward — two commands on a fresh Debian 12 machine with Go and root:
#   make demo   generate a synthetic shift, read it, ingest it, search it, plan retention
#   make test   run every test on the real OpenCV, Tesseract and DuckDB
# Both install what is missing first (Debian packages only when absent).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

# DuckDB's Arrow interface needs this tag in every build, test and vet.
TAGS := duckdb_arrow
export GOFLAGS := $(strip $(GOFLAGS) -tags=$(TAGS))
# Tesseract's OpenMP threads fight our workers for the cores.
export OMP_THREAD_LIMIT := 1

GO      ?= go
BIN     := bin/alpr
VAR     := var
DEMO    := $(VAR)/demo

# Debian packages the build and the tests need.
APT_PKGS := pkg-config libopencv-dev opencv-data libtesseract-dev libleptonica-dev tesseract-ocr tesseract-ocr-eng

.PHONY: all deps apt gomod build test vet fmt-check demo bench clean

all: build

deps: apt gomod

# Install only the packages that are missing; needs root (or sudo) then.
apt:
	@missing=""; for p in $(APT_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; else \
	    echo "need root to install:$$missing" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

gomod:
	$(GO) mod download

build: deps
	$(GO) build -o $(BIN) ./cmd/alpr

vet:
	$(GO) vet ./...

fmt-check:
	@bad=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$bad" ]; then echo "gofmt would change:"; echo "$$bad"; exit 1; fi

test: deps fmt-check vet
	$(GO) test -count=1 ./...

bench: build
	$(GO) test -run '^$$' -bench . -benchtime 3x ./...

# The demo: see scripts/demo.sh.
demo: build
	ALPR=$(BIN) DEMO=$(DEMO) scripts/demo.sh

clean:
	rm -rf bin $(VAR)
