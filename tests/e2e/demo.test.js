// The page on the demo peer: counts from the DAG, gaps that close when clicked, a
// screenshot of the demo view.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { ARTIFACTS, FLAG, clickNode, count, idle, launch, netlog, newestWith, open, serve } from "./harness.js";

let server;
let browser;
before(async () => {
  [server, browser] = await Promise.all([serve(), launch()]);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** What a server holding only the latest events knows: computed here from the peer's answers. */
async function expectedStart(url) {
  const info = await (await fetch(new URL("/_mxdag/demo", url))).json();
  const room = info.rooms[0];
  const held = new Set(room.latest_events);
  const referenced = new Set();
  for (const id of room.latest_events) {
    const t = await (await fetch(new URL(`/_matrix/federation/v1/event/${encodeURIComponent(id)}`, url))).json();
    for (const p of t.pdus[0].prev_events) referenced.add(Array.isArray(p) ? p[0] : p);
  }
  const forward = room.latest_events.filter((id) => !referenced.has(id)).length;
  const backward = [...referenced].filter((id) => !held.has(id)).length;
  return { events: held.size, forward, backward };
}

test("the page starts from the latest events and shows the DAG's extremity counts", async () => {
  const expected = await expectedStart(server.url);
  const page = await open(browser, server.url);
  assert.equal(await count(page, "events"), expected.events);
  assert.equal(await count(page, "forward"), expected.forward);
  assert.equal(await count(page, "backward"), expected.backward);
  assert.ok(expected.backward > 0, "the latest events point at events not held yet");
  const rows = await netlog(page);
  assert.equal(rows.filter((r) => r.path.startsWith("event/")).length, expected.events);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("clicking a gap backfills from it, the answer keeps its contract, and the gap closes", async () => {
  const page = await open(browser, server.url);
  const gap = await newestWith(page, FLAG.gap);
  const gapId = await page.evaluate((i) => window.mxdag.snapshot.ids[i], gap);
  const before = await count(page, "events");
  await clickNode(page, gap);
  const last = (await netlog(page)).at(-1);
  assert.match(last.path, /^backfill\//);
  assert.equal(last.status, "200");
  assert.equal(last.cls, "ok", `verdict: ${last.verdict}`);
  const after = await page.evaluate((id) => {
    const s = window.mxdag.snapshot;
    const i = s.ids.indexOf(id);
    return { gap: Boolean(s.flags[i] & 2), events: s.counts.events };
  }, gapId);
  assert.equal(after.gap, false, "the clicked gap is now a held event");
  assert.ok(after.events > before);
  assert.equal(await count(page, "events"), after.events);
  // The panel shows the event the gap was, with its verdict.
  await page.evaluate((id) => window.mxdag.select(id), gapId);
  await idle(page);
  assert.equal(await page.textContent("#panel .event-id"), gapId);
  assert.notEqual(await page.textContent("#panel .badge"), "missing (backward extremity)");
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("a screenshot of the demo view after a few backfills", async () => {
  const page = await open(browser, server.url);
  await page.setViewportSize({ width: 1500, height: 1000 });
  for (let k = 0; k < 2; k++) await clickNode(page, await newestWith(page, FLAG.gap));
  await page.evaluate(() => {
    const v = window.mxdag.view;
    v.ox = 28;
    v.oy = 28;
    v.request();
  });
  const first = await newestWith(page, FLAG.forward);
  await page.evaluate((i) => window.mxdag.select(window.mxdag.snapshot.ids[i]), first);
  await idle(page);
  await page.mouse.move(5, 5);
  await page.waitForTimeout(100);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}demo.png` });
  assert.deepEqual(page.errors, []);
  await page.close();
});
