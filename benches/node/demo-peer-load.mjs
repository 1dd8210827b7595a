#!/usr/bin/env node
// Load on `mxdag serve`'s demo peer: N requests at concurrency C (default 500 at 50), the
// mix the page sends — /backfill (limit 100), /get_missing_events (limit 50), forwards fill
// (limit 50), /event, the server key and the notary query — first to the demo peer
// directly, then the same through the signing proxy (its own page's cookie, the demo peer
// as destination: the checks, signing and routing, without a network hop). Prints
// throughput, latency percentiles, errors, and the server's CPU time and peak memory.
//
//   scripts/build && node benches/node/demo-peer-load.mjs [--requests N] [--concurrency C]
//
// The server is a separate process (`mxdag serve --port 0`); client and server share the
// machine's cores, so the figures are a lower bound on a loaded machine.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../pkg/node/cli.js", import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const REQUESTS = arg("--requests", 500);
const CONCURRENCY = arg("--concurrency", 50);

/** Starts `mxdag serve --port 0`; resolves `{url, pid, stop()}` once it prints its address. */
function serve() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "serve", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.once("exit", (code) => reject(new Error(`mxdag serve exited with ${code}: ${out}`)));
    child.stdout.on("data", (d) => {
      out += d;
      const m = /(http:\/\/\S+\/)/.exec(out);
      if (!m) return;
      child.removeAllListeners("exit");
      resolve({ url: m[1], pid: child.pid, stop: () => new Promise((done) => child.once("exit", done).kill("SIGTERM")) });
    });
  });
}

/** CPU seconds used so far and peak resident bytes of a process (Linux `/proc`). */
function usageOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const ticks = Number(stat[11]) + Number(stat[12]); // utime + stime, in clock ticks (100 Hz)
  const peak = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) * 1024;
  return { cpu: ticks / 100, peak };
}

/** The request mix, built from what `/_mxdag/demo` says: `[method, path, body?]`, cycled. */
function requestMix(info) {
  const room = info.rooms[0];
  const id = encodeURIComponent(room.room_id);
  const latest = room.latest_events;
  const v = latest.map((e) => `v=${encodeURIComponent(e)}`).join("&");
  return [
    ["GET", `/_matrix/federation/v1/backfill/${id}?${v}&limit=100`],
    ["POST", `/_matrix/federation/v1/get_missing_events/${id}`, { latest_events: latest, earliest_events: [], limit: 50, min_depth: 0 }],
    ["GET", `/_matrix/federation/v1/event/${encodeURIComponent(latest[0])}`],
    ["GET", `/_matrix/federation/v1/forwards_fill/${id}?from_event_id=${encodeURIComponent(latest[0])}&limit=50`],
    ["GET", "/_matrix/key/v2/server"],
    ["POST", "/_matrix/key/v2/query", { server_keys: Object.fromEntries([[info.server_name, {}]]) }],
  ];
}

/** Sends `REQUESTS` requests, `CONCURRENCY` at a time; returns latencies (ms), errors, wall time. */
async function load(base, mix, headers) {
  const latencies = [];
  let errors = 0;
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      const [method, path, body] = mix[next++ % mix.length];
      const t0 = performance.now();
      try {
        const res = await fetch(base + path, {
          method,
          headers: { ...headers, ...(body ? { "content-type": "application/json" } : {}) },
          body: body && JSON.stringify(body),
        });
        bytes += (await res.arrayBuffer()).byteLength;
        if (res.status !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { latencies, errors, bytes, seconds: (performance.now() - start) / 1000 };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

function report(name, r, cpu) {
  const s = [...r.latencies].sort((a, b) => a - b);
  const ms = (x) => `${x.toFixed(1)} ms`;
  console.log(`${name.padEnd(26)} ${(REQUESTS / r.seconds).toFixed(0).padStart(5)} req/s  p50 ${ms(percentile(s, 50))}  ` +
    `p99 ${ms(percentile(s, 99))}  max ${ms(s.at(-1))}  errors ${r.errors}  ` +
    `${(r.bytes / 1e6).toFixed(1)} MB  server CPU ${cpu.toFixed(2)} s (${(REQUESTS / cpu).toFixed(0)} req per CPU-second)`);
}

const server = await serve();
try {
  const base = server.url.replace(/\/$/, "");
  const info = await (await fetch(`${base}/_mxdag/demo`)).json();
  const mix = requestMix(info);
  const page = await fetch(`${base}/`);
  await page.arrayBuffer();
  const cookie = page.headers.get("set-cookie").split(";")[0];
  console.log(`${REQUESTS} requests at concurrency ${CONCURRENCY}, mix of ${mix.length} endpoints, room of ${info.rooms[0].room_id}`);
  // One warm-up round, not counted.
  await load(base, mix, {});
  for (const [name, prefix, headers] of [
    ["demo peer, directly", base, {}],
    ["demo peer via the proxy", `${base}/_mxdag/proxy/${encodeURIComponent(info.server_name)}`, { cookie, "sec-fetch-site": "same-origin" }],
  ]) {
    const before = usageOf(server.pid);
    const r = await load(prefix, mix, headers);
    report(name, r, usageOf(server.pid).cpu - before.cpu);
  }
  console.log(`server peak resident memory: ${(usageOf(server.pid).peak / 2 ** 20).toFixed(0)} MiB`);
} finally {
  await server.stop();
}
