#!/usr/bin/env bash
# Installs what the Makefile's targets need, from package registries only, and only
# what is missing or at the wrong version (so a warm re-run takes a second).
#   scripts/tools.sh build   rust wasm target, trunk, wasm-bindgen-cli, wasm-opt
#   scripts/tools.sh test    the above + chromium/chromedriver, playwright-core, mlflow venv
set -euo pipefail
cd "$(dirname "$0")/.."
want=${1:-build}
TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
MLFLOW_VERSION=3.17.2
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock)
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
say() { echo "tools: $*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"; rustup target add wasm32-unknown-unknown
fi
if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (about 5 minutes)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --locked trunk --version "$TRUNK_VERSION"
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB_VERSION"; then
  # Not --locked: the CLI's own lockfile names a crate version the registry lacks.
  say "installing wasm-bindgen-cli $WB_VERSION (about 3 minutes)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi
if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION)"
  (cd .tools && npm ci --no-audit --no-fund --silent)
fi
if [ ! -f target/.fetched ] || [ Cargo.lock -nt target/.fetched ]; then
  cargo fetch --locked >/dev/null && mkdir -p target && touch target/.fetched
fi
[ "$want" = build ] && exit 0

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "installing chromium and chromium-driver (Debian)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if [ ! -d tests/e2e/node_modules/playwright-core ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  say "installing playwright-core (npm, lockfile)"
  (cd tests/e2e && npm ci --no-audit --no-fund --silent)
fi
if ! .venv/bin/python -c "import mlflow, sys; sys.exit(mlflow.__version__ != '$MLFLOW_VERSION')" 2>/dev/null; then
  say "creating .venv with mlflow==$MLFLOW_VERSION (about a minute)"
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check "mlflow==$MLFLOW_VERSION"
fi
