// Validation on every core in Node: `worker_threads` for www/judge-pool.js (which says how
// an input is split and merged, and why the session lets nothing unvalidated in).
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { ingestOnWorkers } from "../www/judge-pool.js";

export { PARALLEL_MIN_EVENTS, SLICE_EVENTS } from "../www/judge-pool.js";

/** A worker thread running node/judge-worker.js, as judge-pool.js drives it. */
function spawn() {
  const worker = new Worker(new URL("./judge-worker.js", import.meta.url));
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    onMessage: (fn) => worker.on("message", fn),
    onError: (fn) => worker.on("error", fn),
    terminate: () => worker.terminate(),
  };
}

/**
 * Takes `input` (text or UTF-8 bytes) into `session` as `session.ingest(input, options)`
 * does, its events' signatures judged on `workers` threads (default: `MXDAG_THREADS` from
 * the environment, else one per core; 1 judges on this thread alone), in slices of
 * `sliceEvents` events, when it holds at least `minEvents`. `onProgress(done, total)` is
 * called as slices are judged. Resolves to the IngestReport, the one `session.ingest` gives.
 *
 * The workers get a context holding the session's secret (`judgeContext`) and run only this
 * package's code; the session accepts their judgements only for these very bytes.
 */
export function ingestParallel(mxdag, session, input, options = {}, { workers, ...rest } = {}) {
  const threads = workers ?? (Number(process.env.MXDAG_THREADS) || availableParallelism());
  return ingestOnWorkers(mxdag, session, input, options, { spawn, threads, ...rest });
}
