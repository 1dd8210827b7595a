#!/usr/bin/env bash
# Builds the package of another commit, to benchmark this code against it in the same run:
#   dir=$(benches/build-anchor.sh 32606ef)
#   MXDAG_BENCH_ANCHOR=$dir MXDAG_BENCH_PARALLEL_ONLY=1 node benches/node/validate.mjs
#   node benches/browser/load-file.mjs --file ROOM.ndjson --anchor "$dir" --rounds 3
# (32606ef: the code before "one ingest, one store" was begun, the issue's "now" figures.)
# A git worktree in .cache/anchor/COMMIT (git-ignored) with its own target directory, built
# by that commit's own scripts/build (about 5 minutes the first time; the wasm-bindgen CLI
# installed must match that commit's Cargo.lock). Prints the built pkg/ directory.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
commit="$(git -C "$root" rev-parse --short "${1:?usage: benches/build-anchor.sh COMMIT}")"
dir="$root/.cache/anchor/$commit"
if [ ! -f "$dir/pkg/mxdag_bg.wasm" ]; then
  [ -d "$dir" ] || git -C "$root" worktree add --detach -f "$dir" "$commit" >&2
  ln -sfn "$root/node_modules" "$dir/node_modules"
  (cd "$dir" && scripts/build) >&2
fi
echo "$dir/pkg"
