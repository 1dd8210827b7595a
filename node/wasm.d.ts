// Types of `mxdag/node` (node/wasm.js): mxdag's WebAssembly loaded in Node. The paths are
// those of the built package, where this file is pkg/node/wasm.d.ts next to pkg/mxdag.d.ts
// and pkg/tools/mxdag_tools.d.ts (scripts/build copies node/ into pkg/).
import type * as Library from "../mxdag.js";
import type * as Tools from "../tools/mxdag_tools.js";

/** The library's bindings (`validateEvents`, `KeyRing`, `RoomSession`, `RoomDag`,
 *  `GapPlanner`, `layoutDag`, …), instantiated when `mxdag/node` is imported. */
export declare const mxdag: typeof Library;

/** Where the library's wasm was loaded from (for `--version` and diagnostics): the build
 *  compiled for speed, `mxdag_speed_bg.wasm`, unless the package lacks it. */
export declare const wasmPath: string;

/** The tools build's bindings, loaded on first call: everything `mxdag` has plus
 *  `generateRoom`, `simulate`, `SimulatedFederation` and `ValidationBench`. Objects of one
 *  build cannot be passed to the other's functions; plain data (PDUs, requests, answers)
 *  can. Rejects with an `Error` whose `code` is `wasm_not_built` when the wasm is missing. */
export declare function loadTools(): Promise<typeof Tools>;

/** How `ingestParallel` splits the work (all optional). */
export interface ParallelOptions {
  /** Worker threads (default: `MXDAG_THREADS`, else one per core); 1 judges on this thread. */
  workers?: number;
  /** Called as slices are judged, with the events judged so far and in all. */
  onProgress?: (done: number, total: number) => void;
  /** Inputs with fewer events are taken by `session.ingest` alone (default 2,000). */
  minEvents?: number;
  /** Events per slice a worker judges (default 2,000). */
  sliceEvents?: number;
}

/** `session.ingest(input, options)`, with the signatures of a large input that is a list of
 *  events (NDJSON, an array, a transaction) judged on every core: `worker_threads`, each with
 *  its own wasm instance, whose judgements the session accepts only for these very bytes
 *  (`RoomSession.ingestJudged`). The report is the one `session.ingest` gives. */
export declare function ingestParallel(
  library: typeof Library | typeof Tools,
  session: Library.RoomSession | Tools.RoomSession,
  input: string | Uint8Array,
  options?: Library.IngestOptions,
  parallel?: ParallelOptions,
): Promise<Library.IngestReport>;

export default mxdag;
