# Sourced by the other scripts: paths and the pinned tool versions, in one place.
# shellcheck shell=bash
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Tools we build ourselves live outside the clone so that later clones reuse them.
MXDAG_TOOLS="${MXDAG_TOOLS:-$HOME/.cache/mxdag/tools}"
export PATH="$MXDAG_TOOLS/bin:$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# The CLI must equal the wasm-bindgen crate in Cargo.lock, or the generated glue breaks.
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock")"
export ROOT MXDAG_TOOLS WASM_BINDGEN_VERSION
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
