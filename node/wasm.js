// Loads mxdag's WebAssembly in Node. Three builds sit in the package: the library
// (validation, the room DAG, contract checks, layout, the gap planner), loaded when this
// module is imported, as compiled for speed (mxdag_speed_bg.wasm; mxdag_bg.wasm, the same
// code sized for browsers to download, when the speed build is absent), and the tools build
// (tools/mxdag_tools_bg.wasm: the library plus the room generator and the simulated
// federation), loaded on demand by `loadTools()`.
// From the built package (pkg/node/wasm.js) the files are under ../; from the repository
// (node/wasm.js) under ../pkg/, built by scripts/build.
import { existsSync, readFileSync } from "node:fs";
import { WASM_NOT_BUILT } from "./codes.js";

const packaged = new URL("../", import.meta.url);
const repository = new URL("../pkg/", import.meta.url);
const base = existsSync(new URL("mxdag_bg.wasm", packaged)) ? packaged : repository;

/** Imports wasm-bindgen's glue `glue` and instantiates its module `wasm` (paths under the package). */
async function load(glue, wasm) {
  const wasmUrl = new URL(wasm, base);
  if (!existsSync(wasmUrl)) {
    const error = new Error(`mxdag's wasm is not built (no ${wasmUrl.pathname}): run scripts/build`);
    error.code = WASM_NOT_BUILT;
    throw error;
  }
  const bindings = await import(new URL(glue, base).href);
  bindings.initSync({ module: readFileSync(wasmUrl) });
  return { bindings, path: wasmUrl.pathname };
}

const speed = existsSync(new URL("mxdag_speed_bg.wasm", base));
const library = await load("mxdag.js", speed ? "mxdag_speed_bg.wasm" : "mxdag_bg.wasm");

/** The library's bindings (`validateEvents`, `KeyRing`, `RoomDag`, `GapPlanner`, …), ready to use. */
export const mxdag = library.bindings;

/** Where the library's wasm was loaded from (for `--version` and diagnostics). */
export const wasmPath = library.path;

let tools;

/**
 * The tools build's bindings, loaded on first call: everything `mxdag` has plus
 * `generateRoom`, `simulate` and `SimulatedFederation`. Objects of one build cannot be
 * passed to the other's functions; plain data (PDUs, requests, answers) can.
 */
export function loadTools() {
  tools ??= load("tools/mxdag_tools.js", "tools/mxdag_tools_bg.wasm").then((loaded) => loaded.bindings);
  return tools;
}

/**
 * `session.ingest(input, options)` with the signatures of a large input judged on every
 * core (`worker_threads`, each with its own wasm instance); the same report. See
 * node/parallel.js.
 */
export { ingestParallel } from "./parallel.js";

export default mxdag;
