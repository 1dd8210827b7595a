// Benchmark: loading a large room file in the page — the worker parses and validates it
// (with the keys fetched from the demo peer), builds the DAG and lays it out, while the page
// keeps drawing frames. Prints the load time, the longest gap between frames on the main
// thread during the load, the model and layout times, and the memory the loaded room costs
// (resident memory of Chromium's processes after the load minus before it, the worker and
// its wasm included, and the main thread's JS heap; then again once the page and the worker
// collected their garbage, with the size of the worker's wasm memory). Not a test.
//   node benches/browser/load-file.mjs [--events N]      (default 20,000)
//   node benches/browser/load-file.mjs --file ROOM.ndjson  a file made beforehand, e.g. of a
//     million events, which the wasm generator cannot hold: write it natively with
//     cargo run --release --example write_room -- '{"seed":4000,"events":1000000,"servers":4,
//       "serverNames":["demo.mxdag.test","matrix.example.org","chat.example.net","hs.example.com"],
//       "roomVersion":"10","concurrency":0.35,"maxPrevEvents":4,"partitions":2}' ROOM.ndjson
//     (the demo room, benches/demo-room.mjs, so that the demo peer holds its keys);
//     the file may be gzip-compressed (ROOM.ndjson.gz), as the page reads it
//   --rounds N         loads the file N times (the first with the memory figures) and
//                      prints the median load time
//   --anchor DIR       also loads it in another build's page (DIR/node/cli.js serves it:
//                      an older commit's pkg/, built by benches/build-anchor.sh),
//                      alternated with this one, and prints how much faster this one is
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decompressed } from "../../pkg/node/input.js";
import { loadTools } from "../../pkg/node/wasm.js";
import { idle, launch, open, withServer } from "../../tests/e2e/harness.js";
import { DEMO_ROOM } from "../demo-room.mjs";

const option = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
let file = option("--file");
let N = Number(option("--events") ?? 20_000);
if (file === undefined) {
  // The demo room's seed and servers, so the demo peer's notary holds the right keys.
  const room = (await loadTools()).generateRoom({ ...DEMO_ROOM, events: N });
  file = join(mkdtempSync(join(tmpdir(), "mxdag-bench-")), "room.ndjson");
  writeFileSync(file, room.pdus.map((p) => JSON.stringify(p)).join("\n"));
} else {
  N = 0;
  const bytes = decompressed(file, readFileSync(file));
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) N++;
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 10) N++;
}
const fileBytes = statSync(file).size;

/** Resident bytes of the Chromium processes this process started (Linux /proc). */
function chromiumRss() {
  const processes = new Map();
  for (const entry of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      processes.set(Number(entry), { name, parent: Number(fields[1]), rss: Number(fields[21]) * 4096 });
    } catch {
      // The process ended while we read.
    }
  }
  const descends = (pid) => {
    for (let p = pid; p > 1; p = processes.get(p)?.parent ?? 0) if (p === process.pid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, { name, rss }] of processes) if (name.startsWith("chrom") && descends(pid)) total += rss;
  return total;
}

/** Used JS heap of the page's main thread in bytes, after a garbage collection (DevTools Protocol). */
async function pageHeap(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  await cdp.detach();
  return usedSize;
}

/**
 * Runs `fn(page)` on a page of its own, served by `cli` (this build's by default), in a
 * browser of its own: every round is measured in the same conditions.
 */
function withPage(cli, fn) {
  return withServer(
    [],
    async (server) => {
      const browser = await launch({ args: ["--js-flags=--expose-gc"] });
      try {
        return await fn(await open(browser, server.url));
      } finally {
        await browser.close();
      }
    },
    { cli },
  );
}

/** Milliseconds `page` takes to load, validate and draw the file. */
async function loadIn(page) {
  const t0 = Date.now();
  await page.setInputFiles("#file-input", file);
  await page.waitForTimeout(50);
  await idle(page, { timeout: 600_000 });
  return Date.now() - t0;
}

/** The longest gap between the frames recorded since the last reset, and how many there were. */
function frameGaps(page, { reset = false } = {}) {
  return page.evaluate((reset) => {
    const f = window.frames_;
    let worst = 0;
    for (let k = 1; k < f.length; k++) worst = Math.max(worst, f[k] - f[k - 1]);
    if (reset) window.frames_ = [];
    return { worst, frames: f.length };
  }, reset);
}

const anchor = option("--anchor");
const rounds = Math.max(1, Number(option("--rounds") ?? 1));
const anchorTimes = [];
const times = [
  await withPage(undefined, async (page) => {
    // Record every frame's start on the main thread from now on.
    await page.evaluate(() => {
      window.frames_ = [];
      const tick = (t) => {
        window.frames_.push(t);
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    // The same measure on the idle page first: on a busy machine, gaps come from elsewhere too.
    await page.waitForTimeout(2000);
    const idleWorst = (await frameGaps(page, { reset: true })).worst;
    const rssBefore = chromiumRss();
    const ms = await loadIn(page);
    // The frames of the load alone: the garbage collections forced below stop the page too.
    const gaps = await frameGaps(page);
    // Let the worker's garbage settle before reading memory.
    await page.waitForTimeout(1000);
    const rssAfter = chromiumRss();
    const heap = await pageHeap(page);
    const { wasmBytes } = await page.evaluate(() => window.mxdag.worker.call("memory"));
    await page.waitForTimeout(1000);
    const rssCollected = chromiumRss();
    const r = await page.evaluate(() => {
      const s = window.mxdag.snapshot;
      const valid = s.verdict.filter((v) => v === 0).length;
      return { valid, events: s.counts.events, modelMs: s.modelMs, layoutMs: s.layoutMs };
    });
    console.log(`${N} events (file of ${(fileBytes / 1e6).toFixed(0)} MB): loaded, validated (${r.valid} valid), drawn in ${(ms / 1000).toFixed(1)} s`);
    console.log(`main thread during the load: ${gaps.frames} frames, longest gap ${gaps.worst.toFixed(0)} ms (idle page before: ${idleWorst.toFixed(0)} ms)`);
    const mb = (b) => (b / 1e6).toFixed(0);
    console.log(`memory: Chromium's processes ${mb(rssBefore)} MB before the load, ${mb(rssAfter)} MB after (+${mb(rssAfter - rssBefore)} MB, ${((rssAfter - rssBefore) / N).toFixed(0)} B per event); main thread JS heap ${mb(heap)} MB (the worker's memory is in the processes' figure)`);
    console.log(`after collecting garbage in the page and the worker: +${mb(rssCollected - rssBefore)} MB; the worker's wasm memory reserves ${mb(wasmBytes)} MB (its pages never written are not resident)`);
    console.log(`drawing model ${r.modelMs.toFixed(0)} ms, layoutDag ${r.layoutMs.toFixed(1)} ms (in the worker)`);
    return ms;
  }),
];

const medianOf = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const seconds = (list) => list.map((ms) => (ms / 1000).toFixed(1)).join(" / ");
for (let round = 0; round < rounds; round++) {
  if (anchor) anchorTimes.push(await withPage(`${anchor}/node/cli.js`, loadIn));
  if (round > 0) times.push(await withPage(undefined, loadIn));
}
if (rounds > 1) console.log(`this build: ${seconds(times)} s, median ${(medianOf(times) / 1000).toFixed(1)} s`);
if (anchor) {
  const ratio = medianOf(anchorTimes) / medianOf(times);
  console.log(`the anchor build (${anchor}): ${seconds(anchorTimes)} s, median ${(medianOf(anchorTimes) / 1000).toFixed(1)} s; this build ${ratio.toFixed(2)}× faster`);
}
