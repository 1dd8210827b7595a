// Room DAG benchmark of the wasm build under Node: a synthetic room of N events (default
// 1,000,000; 1–3 prev events each, forks and merges, room version 4+ event IDs), then
// ingest + forward extremities + linear order, timed around the wasm calls only.
//
//   scripts/build && node --expose-gc benches/node/dag.mjs [N]
//
// Memory: RoomDag.heapBytes() sums the allocated capacity of every vector and table the DAG
// holds (IDs, nodes, edges, ID index), divided by N. The wasm linear memory size is printed
// too (it includes the input strings copied in and the allocator's free space).
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

import { generate } from "./room.mjs";

const pkg = new URL("../../pkg/", import.meta.url);
const wasm = await import(new URL("mxdag.js", pkg));
const exports = wasm.initSync({ module: readFileSync(new URL("mxdag_bg.wasm", pkg)) });

const n = Number(process.argv[2] ?? 1_000_000);

const t0 = performance.now();
const { chunks, prevEach } = generate(n);
console.log(`generated ${n} events in ${(performance.now() - t0).toFixed(0)} ms (not counted); ${prevEach.toFixed(2)} prev events each`);

// Collect the generator's garbage first, so that its GC pauses are not timed as ingest.
globalThis.gc?.();
const cpu0 = process.cpuUsage();
const start = performance.now();
const dag = new wasm.RoomDag("!bench:example.org");
dag.reserve(n);
let added = 0;
for (const c of chunks) added += dag.addColumns(c.ids, c.prevs, c.counts, c.depths, c.timestamps);
const ingest = performance.now();
const tips2 = dag.forwardExtremities();
const extremities = performance.now();
const ordered = dag.linearOrderLength();
const end = performance.now();
const cpu = process.cpuUsage(cpu0);
if (added !== n || ordered !== n) throw new Error(`added ${added}, ordered ${ordered}, expected ${n}`);
console.log(
  `wasm: ingest ${(ingest - start).toFixed(0)} ms, extremities ${(extremities - ingest).toFixed(0)} ms (${tips2.length}), ` +
    `linear order ${(end - extremities).toFixed(0)} ms, total ${(end - start).toFixed(0)} ms wall, ` +
    `${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU (on a shared machine the CPU time is the fairer figure)`,
);
const bytes = dag.heapBytes();
console.log(`DAG memory: ${bytes} bytes allocated = ${(bytes / n).toFixed(1)} bytes/event; wasm linear memory ${exports.memory.buffer.byteLength} bytes`);
dag.free();
