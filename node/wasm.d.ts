// Types of `mxdag/node` (node/wasm.js): mxdag's WebAssembly loaded in Node. The paths are
// those of the built package, where this file is pkg/node/wasm.d.ts next to pkg/mxdag.d.ts
// and pkg/tools/mxdag_tools.d.ts (scripts/build copies node/ into pkg/).
import type * as Library from "../mxdag.js";
import type * as Tools from "../tools/mxdag_tools.js";

/** The library's bindings (`validateEvents`, `KeyRing`, `RoomSession`, `RoomDag`,
 *  `GapPlanner`, `layoutDag`, …), instantiated when `mxdag/node` is imported. */
export declare const mxdag: typeof Library;

/** Where the library's wasm was loaded from (for `--version` and diagnostics). */
export declare const wasmPath: string;

/** The tools build's bindings, loaded on first call: everything `mxdag` has plus
 *  `generateRoom`, `simulate`, `SimulatedFederation` and `ValidationBench`. Objects of one
 *  build cannot be passed to the other's functions; plain data (PDUs, requests, answers)
 *  can. Rejects with an `Error` whose `code` is `wasm_not_built` when the wasm is missing. */
export declare function loadTools(): Promise<typeof Tools>;

export default mxdag;
