#!/usr/bin/env node
// The state benchmark in wasm under Node: the room `cargo bench --bench state` builds (a
// generated version 12 room of 100,000 events, 10% state changes, forks and partitions;
// MXDAG_BENCH_EVENTS=N to change N), taken by a session with checks 1–6, then the states
// alone computed again (state resolution at every merge, check 5 for every event, check 6)
// — the figure of issue 12's target (≤ 2 s) — and the memory the states hold per event
// (target ≤ 200 bytes), with the wasm memory's growth beside it.
//
//   scripts/build && node benches/node/state.mjs
import { readFileSync } from "node:fs";

const pkg = new URL("../../pkg/tools/", import.meta.url);
const tools = await import(new URL("mxdag_tools.js", pkg));
const exports = tools.initSync({ module: readFileSync(new URL("mxdag_tools_bg.wasm", pkg)) });
const events = Number(process.env.MXDAG_BENCH_EVENTS ?? 100_000);
const TARGET_SECONDS = 2;
const TARGET_BYTES = 200;

function timed(name, fn) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = fn();
  const wall = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  console.log(`${name.padEnd(58)} ${wall.toFixed(3)} s wall, ${((used.user + used.system) / 1e6).toFixed(3)} s CPU`);
  return { result, wall };
}

const memory = () => exports.memory.buffer.byteLength;
const { result: bench } = timed(`generate ${events} events (shape, hash, sign)`, () => new tools.StateBench(events));
const before = memory();
const { result: valid } = timed("ingest, checks 1-6 (the states of every event)", () => bench.ingest());
const grown = memory() - before;
const { wall } = timed(`states before and after every event again (${bench.merges} merges)`, () => bench.resolveAgain());
const { result: entries } = timed("stateAt(before) of every event", () => bench.stateBeforeEvery());
const perEvent = Math.round(bench.stateBytes() / bench.events);
console.log(`${valid} of ${bench.events} events valid; ${entries} state entries in all`);
console.log(`states: ${wall.toFixed(3)} s (target ≤ ${TARGET_SECONDS} s): ${wall <= TARGET_SECONDS ? "met" : "NOT met"}`);
console.log(`memory of the states and auth edges: ${perEvent} bytes per event (target ≤ ${TARGET_BYTES}): ${perEvent <= TARGET_BYTES ? "met" : "NOT met"}; the wasm memory grew by ${Math.round(grown / bench.events)} bytes per event while the session took the room (events, DAG, states)`);
