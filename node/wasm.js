// Loads mxdag's WebAssembly in Node and exports the initialised bindings.
// From the built package (pkg/node/wasm.js) the module is ../mxdag_bg.wasm; from the
// repository (node/wasm.js) it is ../pkg/mxdag_bg.wasm, built by scripts/build.
import { existsSync, readFileSync } from "node:fs";

const packaged = new URL("../", import.meta.url);
const repository = new URL("../pkg/", import.meta.url);
const base = existsSync(new URL("mxdag_bg.wasm", packaged)) ? packaged : repository;
const wasmUrl = new URL("mxdag_bg.wasm", base);

if (!existsSync(wasmUrl)) {
  const error = new Error(`mxdag's wasm is not built (no ${wasmUrl.pathname}): run scripts/build`);
  error.code = "wasm_not_built";
  throw error;
}

/** The wasm-bindgen bindings (`validateEvents`, `KeyRing`, `generateRoom`, …), ready to use. */
export const mxdag = await import(new URL("mxdag.js", base).href);
mxdag.initSync({ module: readFileSync(wasmUrl) });

/** Where the wasm module was loaded from (for `--version` and diagnostics). */
export const wasmPath = wasmUrl.pathname;

export default mxdag;
