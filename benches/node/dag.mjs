// Room DAG benchmark of the wasm build under Node: a synthetic room of N events (default
// 1,000,000; 1–3 prev events each, forks and merges, room version 4+ event IDs), then
// ingest + forward extremities + linear order, timed around the wasm calls only.
//
//   scripts/build && node --expose-gc benches/node/dag.mjs [N]
//
// Memory: RoomDag.heapBytes() sums the allocated capacity of every vector and table the DAG
// holds (IDs, nodes, edges, ID index), divided by N. The wasm linear memory size is printed
// too (it includes the input strings copied in and the allocator's free space).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const pkg = new URL("../../pkg/", import.meta.url);
const wasm = await import(new URL("mxdag.js", pkg));
const exports = wasm.initSync({ module: readFileSync(new URL("mxdag_bg.wasm", pkg)) });

const n = Number(process.argv[2] ?? 1_000_000);

// The same shape as src/dag/synthetic.rs: prev events among the forward extremities and the
// last eight events, 70% one, 20% two, 10% three. Returns the input as encoded chunks only,
// so that the generator's million strings are garbage before the timed part.
function generate(n) {
  let state = 7n;
  const rand = (k) => {
    state ^= (state << 13n) & 0xffffffffffffffffn;
    state ^= state >> 7n;
    state ^= (state << 17n) & 0xffffffffffffffffn;
    return Number(state % BigInt(Math.max(k, 1)));
  };
  const ids = new Array(n);
  const prevIds = [];
  const prevCounts = new Uint8Array(n);
  const depths = new Float64Array(n);
  const timestamps = new Float64Array(n);
  let tips = [];
  for (let i = 0; i < n; i++) {
    const r = rand(10);
    const wanted = Math.min(r <= 6 ? 1 : r <= 8 ? 2 : 3, i);
    const prevs = [];
    while (prevs.length < wanted) {
      const pick = tips.length && rand(4) !== 0 ? tips[rand(tips.length)] : i - 1 - rand(Math.min(8, i));
      if (!prevs.includes(pick)) prevs.push(pick);
    }
    tips = tips.filter((t) => !prevs.includes(t));
    tips.push(i);
    ids[i] = "$" + createHash("sha256").update(`${i}`).digest("base64url");
    let depth = 0;
    for (const p of prevs) {
      prevIds.push(ids[p]);
      depth = Math.max(depth, depths[p]);
    }
    prevCounts[i] = prevs.length;
    depths[i] = depth + 1;
    timestamps[i] = 1_700_000_000_000 + i * 1000 + rand(1500);
  }
  // Fed in chunks, as responses arrive: each chunk's input is copied into wasm memory, used
  // and freed, so the allocator reuses the space instead of growing memory for all of it.
  const CHUNK = 100_000;
  const encoder = new TextEncoder();
  const chunks = [];
  for (let start = 0, prevAt = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    let prevEnd = prevAt;
    for (let i = start; i < end; i++) prevEnd += prevCounts[i];
    chunks.push({
      ids: encoder.encode(ids.slice(start, end).join("\n")),
      prevs: encoder.encode(prevIds.slice(prevAt, prevEnd).join("\n")),
      counts: prevCounts.slice(start, end),
      depths: depths.slice(start, end),
      timestamps: timestamps.slice(start, end),
    });
    prevAt = prevEnd;
  }
  return { chunks, prevEach: prevIds.length / n };
}

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
