#!/usr/bin/env node
// Benchmark: `mxdag check` of a large room file as a user runs it, under /usr/bin/time:
// wall time, CPU time and the process's peak resident memory. Not a test.
//   node benches/node/check-file.mjs --file ROOM.ndjson [--rounds N] [--anchor DIR]
// ROOM.ndjson: the benchmarks' demo room written natively (benches/demo-room.mjs says how;
// a million events is 981 MB); the demo peer's keys are given with --keys. --rounds N runs it
// N times (default 1) and keeps the median; --anchor DIR alternates each run with another
// build's CLI (DIR/node/cli.js: an older commit's pkg/, built by benches/build-anchor.sh).
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDemoRooms } from "../../pkg/node/server/demo-rooms.js";
import { loadTools, mxdag } from "../../pkg/node/wasm.js";

const option = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const file = option("--file");
if (file === undefined) throw new Error("usage: check-file.mjs --file ROOM.ndjson [--rounds N] [--anchor DIR]");
const rounds = Number(option("--rounds") ?? 1);
const anchor = option("--anchor");
const keys = join(mkdtempSync(join(tmpdir(), "mxdag-bench-")), "keys.json");
// The keys the demo peer serves, which the page's benchmark fetches from it.
writeFileSync(keys, JSON.stringify([...buildDemoRooms(mxdag, await loadTools()).serverKeys.values()]));

/** One `mxdag check --json` of the file by the CLI at `cli`: seconds of wall and CPU, peak MB. */
function run(cli) {
  const done = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", process.execPath, cli, "check", file, "--keys", keys, "--json"], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  const [wall, user, system, kb] = done.stderr.trim().split("\n").pop().split(" ").map(Number);
  if (!(wall > 0) || done.stdout.length === 0) throw new Error(`${cli} check failed: ${done.stderr.slice(-2000)}`);
  const report = JSON.parse(done.stdout);
  return { wall, cpu: user + system, mb: kb / 1024, total: report.counts.total, valid: report.counts.valid };
}

const median = (runs) => [...runs].sort((a, b) => a.wall - b.wall)[Math.floor((runs.length - 1) / 2)];
const show = (name, runs) => {
  const m = median(runs);
  console.log(`${name}: ${m.wall.toFixed(1)} s wall (${runs.map((r) => r.wall.toFixed(1)).join(" / ")}), ${m.cpu.toFixed(1)} s CPU, peak ${Math.round(m.mb)} MB resident; ${m.valid} of ${m.total} valid`);
  return m;
};
const here = fileURLToPath(new URL("../../node/cli.js", import.meta.url));
const mine = [];
const theirs = [];
for (let r = 0; r < rounds; r++) {
  mine.push(run(here));
  if (anchor) theirs.push(run(join(anchor, "node/cli.js")));
}
const m = show("mxdag check, this build", mine);
if (anchor) {
  const a = show(`mxdag check, the anchor build (${anchor})`, theirs);
  console.log(`this build ${(a.wall / m.wall).toFixed(2)}× faster (medians)`);
}
