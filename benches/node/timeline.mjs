// Timeline benchmark of the wasm build under Node: the synthetic room of benches/node/dag.mjs
// (default 1,000,000 events, forks and merges) with every 1000th event left out (gaps), then
// the Timeline index built once, pages of 50 from random anchors (event IDs, tokens, dates;
// both directions) and jumps to a date, each timed around the one wasm call. Medians and
// 99th percentiles; the target is ≤ 1 ms for a page and for a jump.
//
//   scripts/build && node --expose-gc benches/node/timeline.mjs [N] [CALLS]
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

import { generate } from "./room.mjs";

const pkg = new URL("../../pkg/", import.meta.url);
const wasm = await import(new URL("mxdag.js", pkg));
wasm.initSync({ module: readFileSync(new URL("mxdag_bg.wasm", pkg)) });

const n = Number(process.argv[2] ?? 1_000_000);
const calls = Number(process.argv[3] ?? 2000);

const t0 = performance.now();
const { chunks, ids, timestamps } = generate(n, { leaveOut: 1000, keepIds: true });
console.log(`generated ${n} events in ${(performance.now() - t0).toFixed(0)} ms (not counted)`);
globalThis.gc?.();

const dag = new wasm.RoomDag("!bench:example.org");
dag.reserve(n);
let added = 0;
for (const c of chunks) added += dag.addColumns(c.ids, c.prevs, c.counts, c.depths, c.timestamps);
const built = performance.now();
const timeline = wasm.Timeline.ofDag(dag);
const indexed = performance.now();
const held = timeline.length;
console.log(`${added} events held (${n - added} left out as gaps); index built in ${(indexed - built).toFixed(0)} ms (once)`);

// A small deterministic generator for the anchors.
let state = 12345;
const random = (k) => {
  state = (state * 1103515245 + 12345) % 2147483648;
  return state % k;
};
const heldIds = ids.filter((_, i) => i % 1000 !== 999);
const first = timestamps[0];
const last = timestamps[n - 1];

function time(label, f) {
  const samples = [];
  let checksum = 0;
  for (let i = 0; i < calls; i++) {
    const arg = f.prepare();
    const s = performance.now();
    const out = f.run(arg);
    samples.push(performance.now() - s);
    checksum += f.size(out);
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  console.log(`${label}: median ${at(0.5).toFixed(3)} ms, p99 ${at(0.99).toFixed(3)} ms over ${calls} calls (${checksum} results)`);
  return at(0.5);
}

const tokens = [];
const medians = {
  "page of 50 from an event ID": time("page of 50 from an event ID (f/b)", {
    prepare: () => ({ eventId: heldIds[random(heldIds.length)], dir: random(2) ? "f" : "b", limit: 50 }),
    run: (o) => timeline.page(o),
    size: (p) => {
      tokens.push(p.end);
      return p.chunk.length + p.gaps.length;
    },
  }),
  "page of 50 from a token": time("page of 50 from a token (f/b)", {
    prepare: () => ({ from: tokens[random(tokens.length)], dir: random(2) ? "f" : "b", limit: 50 }),
    run: (o) => timeline.page(o),
    size: (p) => p.chunk.length,
  }),
  "page of 50 from a date": time("page of 50 from a date (f/b)", {
    prepare: () => ({ ts: first + random(Math.max(1, last - first)), dir: random(2) ? "f" : "b", limit: 50 }),
    run: (o) => timeline.page(o),
    size: (p) => p.chunk.length,
  }),
  "jump to a date": time("jump to a date (f/b)", {
    prepare: () => [first + random(Math.max(1, last - first)), random(2) ? "f" : "b"],
    run: ([ts, dir]) => timeline.jump(ts, dir),
    size: (id) => (id === null ? 0 : 1),
  }),
};
const over = Object.entries(medians).filter(([, ms]) => ms > 1);
console.log(over.length === 0 ? `all medians ≤ 1 ms on ${held} events` : `over 1 ms: ${over.map(([k]) => k).join(", ")}`);
timeline.free();
