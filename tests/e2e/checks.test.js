// The page's checks at work: a faulty peer's answers flagged, files loaded by the picker,
// hostile event content shown as text only.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mx from "../../pkg/node/wasm.js";
import { FLAG, clickNode, count, idle, lastRequest, launch, netlog, newestWith, open, withServer } from "./harness.js";

const browserReady = launch();
const dir = mkdtempSync(join(tmpdir(), "mxdag-e2e-"));
after(async () => (await browserReady).close());

test("a faulty peer's answer is flagged: contract broken, altered event not valid", async () => {
  const browser = await browserReady;
  await withServer(["--faulty"], async (server) => {
      const page = await open(browser, server.url);
      await clickNode(page, await newestWith(page, FLAG.gap));
      const last = await lastRequest(page, "backfill/");
      assert.match(last.path, /^backfill\//);
      assert.equal(last.cls, "bad", last.verdict);
      assert.match(last.verdict, /contract broken/);
      const notValid = await page.evaluate(() => {
        const s = window.mxdag.snapshot;
        let n = 0;
        for (let i = 0; i < s.n; i++) if (s.verdict[i] === 1 || s.verdict[i] === 2) n++;
        return n;
      });
      assert.ok(notValid >= 1, "the altered event is redacted or dropped");
      // The log entry explains itself in the panel.
      await page.click("#netlog-body tr:first-child");
      assert.match(await page.textContent("#panel"), /Contract: broken/);
      assert.deepEqual(page.errors, []);
      await page.close();
  });
});

test("a file loads by the picker: NDJSON of PDUs from a backfill answer", async () => {
  const browser = await browserReady;
  await withServer([], async (server) => {
      const info = await (await fetch(new URL("/_mxdag/demo", server.url))).json();
      const room = info.rooms[0];
      const v = room.latest_events.map((id) => `v=${encodeURIComponent(id)}`).join("&");
      const t = await (await fetch(new URL(`/_matrix/federation/v1/backfill/${encodeURIComponent(room.room_id)}?${v}&limit=40`, server.url))).json();
      const file = join(dir, "room.ndjson");
      writeFileSync(file, t.pdus.map((p) => JSON.stringify(p)).join("\n") + "\n");
      const page = await open(browser, server.url);
      await page.setInputFiles("#file-input", file);
      await page.waitForTimeout(50);
      await idle(page);
      assert.equal(await count(page, "events"), 40);
      assert.match(await page.textContent("#source-name"), /room\.ndjson/);
      assert.match(await page.textContent("#panel"), /Loaded room\.ndjson: 40 events \(ndjson\)/);
      const s = await page.evaluate(() => window.mxdag.snapshot.counts);
      assert.equal(s.events, 40);
      assert.ok(s.backward >= 1, "the oldest loaded events point at events not in the file");
      // The file's room is on the peer: its gaps can be backfilled from there.
      await clickNode(page, await newestWith(page, FLAG.gap));
      const last = await lastRequest(page, "backfill/");
      assert.ok(last.path.startsWith(`backfill/${room.room_id}`), last.path);
      assert.equal(last.cls, "ok", last.verdict);
      assert.ok((await count(page, "events")) > 40);
      assert.deepEqual(page.errors, []);
      await page.close();
  });
});

test("hostile content is shown as text and runs nothing; __proto__ pollutes nothing", async () => {
  const browser = await browserReady;
  await withServer([], async (server) => {
      const img = `<img src=x onerror="window.__pwned=1">`;
      const script = `<script>window.__pwned=2</script>`;
      const base = { room_id: "!evil:evil.test", depth: 2, origin_server_ts: 1, hashes: { sha256: "x" }, signatures: {}, auth_events: [] };
      const lines = [
        { ...base, type: "m.room.create", state_key: "", sender: "@a:evil.test", depth: 1, prev_events: [], content: { room_version: "10" } },
        { ...base, type: "m.room.message", sender: `@${img}:evil.test`, prev_events: ["$MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM"], content: { body: `${img} ${script}`, ["__proto__"]: { polluted: "yes" } } },
      ];
      const text = lines.map((l) => JSON.stringify(l)).join("\n");
      const file = join(dir, "evil.ndjson");
      writeFileSync(file, text);
      const page = await open(browser, server.url);
      await page.setInputFiles("#file-input", file);
      await page.waitForTimeout(50);
      await idle(page);
      const id = await page.evaluate(() => {
        const s = window.mxdag.snapshot;
        return s.ids[s.labels.findIndex((l) => l.includes("<img"))];
      });
      assert.ok(id, "the hostile event is drawn");
      await page.evaluate((x) => window.mxdag.select(x), id);
      await idle(page);
      await page.waitForTimeout(100);
      const json = await page.textContent("#panel pre.json");
      assert.ok(json.includes('onerror=\\"window.__pwned=1\\"'), json);
      assert.ok(json.includes("<script>window.__pwned=2</script>"));
      assert.ok(json.includes('"__proto__"'));
      // Problems name the event by its line in the file, as the page's own notices do.
      assert.match(await page.textContent("#panel ul.problems"), /Line 2: /);
      assert.doesNotMatch(await page.textContent("#panel ul.problems"), /Event #/);
      assert.equal(await page.evaluate(() => document.querySelectorAll("#panel img, #panel script, body img").length), 0);
      assert.equal(await page.evaluate(() => window.__pwned), undefined);
      assert.equal(await page.evaluate(() => ({}).polluted), undefined);
      assert.equal(await page.evaluate(() => Object.prototype.polluted), undefined);
      assert.deepEqual(page.errors, []);
      await page.close();
  });
});

test("the DAG's consistency findings show when nothing is selected", async () => {
  const browser = await browserReady;
  await withServer([], async (server) => {
    const base = { room_id: "!odd:odd.test", type: "m.room.message", sender: "@a:odd.test", origin_server_ts: 1, hashes: { sha256: "x" }, signatures: {}, auth_events: [], content: {} };
    // Room version 1: event IDs are the ones sent, so the depths can be made inconsistent.
    const lines = [
      { ...base, event_id: "$create:odd.test", type: "m.room.create", state_key: "", depth: 1, prev_events: [], content: { room_version: "1", creator: "@a:odd.test" } },
      { ...base, event_id: "$one:odd.test", depth: 5, prev_events: [["$create:odd.test", { sha256: "x" }]] },
      { ...base, event_id: "$two:odd.test", depth: 3, prev_events: [["$one:odd.test", { sha256: "x" }]] },
    ];
    const file = join(dir, "odd.ndjson");
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n"));
    const page = await open(browser, server.url);
    await page.setInputFiles("#file-input", file);
    await page.waitForTimeout(50);
    await idle(page);
    await page.waitForSelector("#panel .findings");
    assert.match(await page.textContent("#panel .findings"), /DAG findings \(1\)[\s\S]*dag_depth_not_increasing/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
