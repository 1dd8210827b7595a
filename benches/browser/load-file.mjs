// Benchmark: loading a large room file in the page — the worker parses and validates it
// (with the keys fetched from the demo peer), builds the DAG and lays it out, while the page
// keeps drawing frames. Prints the load time, the longest gap between frames on the main
// thread during the load, and the model and layout times. Not a test.
//   node benches/browser/load-file.mjs [--events N]      (default 20,000)
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadTools } from "../../pkg/node/wasm.js";
import { idle, launch, open, serve } from "../../tests/e2e/harness.js";

const arg = process.argv.indexOf("--events");
const N = arg > 0 ? Number(process.argv[arg + 1]) : 20_000;

// The demo room's seed and servers, so the demo peer's notary holds the right keys.
const room = (await loadTools()).generateRoom({
  seed: 4000, events: N, servers: 4, serverNames: ["demo.mxdag.test", "matrix.example.org", "chat.example.net", "hs.example.com"],
  roomVersion: "10", concurrency: 0.35, maxPrevEvents: 4, partitions: 2,
});
const file = join(mkdtempSync(join(tmpdir(), "mxdag-bench-")), "room.ndjson");
writeFileSync(file, room.pdus.map((p) => JSON.stringify(p)).join("\n"));

const server = await serve();
const browser = await launch();
try {
  const page = await open(browser, server.url);
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
  const idleWorst = await page.evaluate(() => {
    const f = window.frames_;
    let worst = 0;
    for (let k = 1; k < f.length; k++) worst = Math.max(worst, f[k] - f[k - 1]);
    window.frames_ = [];
    return worst;
  });
  const t0 = Date.now();
  await page.setInputFiles("#file-input", file);
  await page.waitForTimeout(50);
  await idle(page);
  const ms = Date.now() - t0;
  const r = await page.evaluate(() => {
    const f = window.frames_;
    let worst = 0;
    for (let k = 1; k < f.length; k++) worst = Math.max(worst, f[k] - f[k - 1]);
    const s = window.mxdag.snapshot;
    const valid = s.verdict.filter((v) => v === 0).length;
    return { worst, frames: f.length, valid, events: s.counts.events, modelMs: s.modelMs, layoutMs: s.layoutMs };
  });
  console.log(`${N} events (file of ${(JSON.stringify(room.pdus).length / 1e6).toFixed(0)} MB): loaded, validated (${r.valid} valid), drawn in ${(ms / 1000).toFixed(1)} s`);
  console.log(`main thread during the load: ${r.frames} frames, longest gap ${r.worst.toFixed(0)} ms (idle page before: ${idleWorst.toFixed(0)} ms)`);
  console.log(`drawing model ${r.modelMs.toFixed(0)} ms, layoutDag ${r.layoutMs.toFixed(1)} ms (in the worker)`);
} finally {
  await browser.close();
  await server.stop();
}
