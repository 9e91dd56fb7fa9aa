# Ferroflow. Every target installs what it needs first (scripts/tools.sh: idempotent,
# version-checked, registries only), so `make test` passes on a fresh machine.
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
PUBLIC_URL ?= /
DIST ?= dist
# The e2e suite also proves a sub-path build (GitHub Pages' /<repo>/).
SUB_URL := /ferroflow/
SUB_DIST := target/dist-subpath

.PHONY: tools tools-test serve build build-subpath test test-native test-browser test-e2e bench clean

tools:
	@scripts/tools.sh build

tools-test:
	@scripts/tools.sh test

serve: tools
	@echo "Ferroflow dev server: http://127.0.0.1:8080/"
	trunk serve --address 127.0.0.1 --port 8080

build: tools
	trunk build --release --public-url "$(PUBLIC_URL)" --dist "$(DIST)"
	@# GitHub Pages serves 404.html for unknown paths: the app itself, so deep links load.
	cp "$(DIST)/index.html" "$(DIST)/404.html"
	@echo "built $(DIST)/ for $(PUBLIC_URL)"

build-subpath:
	@$(MAKE) --no-print-directory build PUBLIC_URL=$(SUB_URL) DIST=$(SUB_DIST)

test: tools-test test-native test-browser test-e2e

test-native:
	ORACLE_PYTHON=$(CURDIR)/.venv/bin/python cargo test --locked --workspace

test-browser:
	cargo test --locked --target wasm32-unknown-unknown --test browser

test-e2e: build build-subpath
	cd tests/e2e && DIST=$(CURDIR)/$(DIST) SUB_DIST=$(CURDIR)/$(SUB_DIST) SUB_URL=$(SUB_URL) \
		ORACLE_PYTHON=$(CURDIR)/.venv/bin/python node --test --test-concurrency=1 --test-reporter=spec *.test.mjs

bench: tools-test build
	cd tests/e2e && DIST=$(CURDIR)/$(DIST) ORACLE_PYTHON=$(CURDIR)/.venv/bin/python node bench.mjs

clean:
	rm -rf dist target/dist-subpath
