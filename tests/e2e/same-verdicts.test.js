// The page and the CLI judge the same bytes alike: one file with the inputs that a JS
// object would hide (a duplicate key, `1.0` where an integer belongs, a lone surrogate) and
// a PDU over 65,536 bytes, fed to `mxdag check --json` and to the page; every event gets
// the same ID, verdict and problem codes in both.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { idle, launch, loadFile, open, verdictCounts, withServer } from "./harness.js";

const browserReady = launch();
after(async () => (await browserReady).close());
const example = (name) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
const cli = fileURLToPath(new URL("../../pkg/node/cli.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "mxdag-e2e-same-"));

/** examples/backfill.json as NDJSON lines, four of them altered as text (not as objects). */
function hostileFile() {
  const lines = JSON.parse(readFileSync(example("backfill.json"), "utf8")).pdus.map((p) => JSON.stringify(p));
  const messages = lines.map((l, i) => [l, i]).filter(([l]) => l.includes('"m.room.message"')).map(([, i]) => i);
  const [a, b, c, d] = messages.slice(-4);
  lines[a] = lines[a].replace(/^\{/, '{"depth":1,'); // a duplicate key: the last one wins in JS
  lines[b] = lines[b].replace(/"depth":(\d+)/, '"depth":$1.0'); // 1.0 where an integer belongs
  lines[c] = lines[c].replace(/"body":"/, '"body":"\\ud800'); // a lone surrogate
  lines[d] = lines[d].replace(/"body":"/, `"body":"${"x".repeat(70_000)}`); // over 65,536 bytes
  const file = join(dir, "hostile.ndjson");
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

test("the page and mxdag check give every event the same ID, verdict and problem codes", async () => {
  const file = hostileFile();
  let out;
  try {
    out = execFileSync("node", [cli, "check", "--json", file, "--keys", example("keys.json")], { encoding: "utf8", maxBuffer: 64 << 20 });
  } catch (e) {
    out = e.stdout; // exit 1: some events are invalid, as intended
  }
  const cliEvents = JSON.parse(out).events;
  assert.equal(cliEvents.length, 60);
  const judged = cliEvents.filter((e) => e.verdict !== "valid");
  assert.ok(judged.length >= 4, `the four altered events are not all valid: ${JSON.stringify(judged.map((e) => [e.index, e.verdict]))}`);
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    for (const f of [example("keys.json"), file]) {
      await page.setInputFiles("#file-input", f);
      await page.waitForTimeout(50);
      await idle(page);
    }
    const notDrawn = await page.$$eval("#panel .not-drawn-event", (items) =>
      Object.fromEntries(items.map((i) => [i.dataset.label, [...i.querySelectorAll("code.code")].map((c) => c.textContent).sort()])),
    );
    let compared = 0;
    const undrawn = [];
    for (const e of cliEvents) {
      const codes = e.problems.map((p) => p.code).sort();
      const d = e.event_id ? await page.evaluate((id) => window.mxdag.worker.call("details", { id }), e.event_id) : null;
      if (d?.held) {
        assert.equal(d.verdict, e.verdict, `${e.label}: the same verdict`);
        assert.deepEqual(d.problems.map((p) => p.code).sort(), codes, `${e.label}: the same problem codes`);
      } else {
        assert.equal(e.verdict, "dropped", `${e.label}: only dropped events go undrawn`);
        undrawn.push(e.label);
        assert.deepEqual(notDrawn[e.label], codes, `${e.label}: listed as not drawn, with the same problem codes`);
      }
      compared += e.verdict !== "valid";
    }
    assert.equal(compared, judged.length);
    assert.deepEqual(Object.keys(notDrawn).sort(), undrawn.sort(), "the panel lists exactly the events not drawn");
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("a file large enough to be judged on every core (Web Workers) gets the verdicts mxdag check gives", async () => {
  const { loadTools } = await import("../../pkg/node/wasm.js");
  const tools = await loadTools();
  const room = tools.generateRoom({ roomVersion: "12", events: 2_500, servers: 3, seed: 8, concurrency: 0.3, damage: { pruned: 2, tampered: true, badSignature: true } });
  const lines = room.pdus.map((p) => JSON.stringify(p));
  const messages = lines.map((l, i) => [l, i]).filter(([l]) => l.includes('"m.room.message"')).map(([, i]) => i);
  const [a, b, c] = messages.slice(-3);
  lines[a] = lines[a].replace(/^\{/, '{"depth":1,');
  lines[b] = lines[b].replace(/"depth":(\d+)/, '"depth":$1.0');
  lines[c] = lines[c].replace(/"body":"/, `"body":"${"x".repeat(70_000)}`);
  const file = join(dir, "large.ndjson");
  writeFileSync(file, lines.join("\n") + "\n");
  const keys = join(dir, "large-keys.json");
  writeFileSync(keys, JSON.stringify(room.serverKeys));
  let out;
  try {
    out = execFileSync("node", [cli, "check", "--json", file, "--keys", keys], { encoding: "utf8", maxBuffer: 256 << 20 });
  } catch (e) {
    out = e.stdout;
  }
  const cli_ = JSON.parse(out);
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    const judges = [];
    page.on("request", (r) => r.url().endsWith("/judge-worker.js") && judges.push(r.url()));
    await loadFile(page, keys);
    await loadFile(page, file);
    const counts = await verdictCounts(page);
    assert.deepEqual({ valid: counts[0] ?? 0, redacted: counts[1] ?? 0 }, { valid: cli_.counts.valid, redacted: cli_.counts.redacted });
    for (const e of cli_.events.filter((x) => x.verdict !== "valid" && x.event_id)) {
      const d = await page.evaluate((id) => window.mxdag.worker.call("details", { id }), e.event_id);
      if (!d.held) continue;
      assert.equal(d.verdict, e.verdict, `${e.label}: the same verdict`);
      assert.deepEqual(d.problems.map((p) => p.code).sort(), e.problems.map((p) => p.code).sort(), `${e.label}: the same codes`);
    }
    assert.ok(judges.length >= 1, "the page started judge workers");
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
