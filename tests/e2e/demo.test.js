// The page on the demo peer: counts from the DAG, gaps that close when clicked, a
// screenshot of the demo view.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import mx from "../../pkg/node/wasm.js";
import { ARTIFACTS, FLAG, clickNode, count, idle, lastRequest, launch, netlog, newestWith, open, withServer } from "./harness.js";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Each test on its own `mxdag serve`. */
const served = (name, fn) => test(name, () => withServer([], fn));

/** What a server holding only the latest events knows: computed here from the peer's answers. */
async function expectedStart(url) {
  const info = await (await fetch(new URL("/_mxdag/demo", url))).json();
  const room = info.rooms[0];
  const held = new Set(room.latest_events);
  const referenced = new Set();
  const dag = new mx.RoomSession(room.room_id, room.room_version);
  for (const id of room.latest_events) {
    const text = await (await fetch(new URL(`/_matrix/federation/v1/event/${encodeURIComponent(id)}`, url))).text();
    for (const p of JSON.parse(text).pdus[0].prev_events) referenced.add(Array.isArray(p) ? p[0] : p);
    assert.equal(dag.ingest(text, { source: `event ${id}` }).added, 1);
  }
  const forward = room.latest_events.filter((id) => !referenced.has(id)).length;
  const backward = [...referenced].filter((id) => !held.has(id)).length;
  // By hand and by the crate's RoomSession alike.
  assert.equal(dag.forwardExtremities().length, forward);
  assert.equal(dag.gaps().length, backward);
  return { events: held.size, forward, backward };
}

served("the page starts from the latest events and shows the DAG's extremity counts", async (server) => {
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

served("clicking a gap backfills from it, the answer keeps its contract, and the gap closes", async (server) => {
  const page = await open(browser, server.url);
  const gap = await newestWith(page, FLAG.gap);
  const gapId = await page.evaluate((i) => window.mxdag.snapshot.ids[i], gap);
  const before = await count(page, "events");
  await clickNode(page, gap);
  const last = await lastRequest(page, "backfill/");
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

served("a screenshot of the demo view after a few backfills", async (server) => {
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

served("switching to the old-format room starts over from its latest events", async (server) => {
  const info = await (await fetch(new URL("/_mxdag/demo", server.url))).json();
  const old = info.rooms.find((r) => r.room_version === "3");
  const page = await open(browser, server.url);
  await page.selectOption("#room-select", `demo:${info.rooms.indexOf(old)}`);
  await page.waitForTimeout(50);
  await idle(page);
  assert.equal(await page.textContent("#room-version"), "v3");
  assert.equal(await count(page, "events"), old.latest_events.length);
  await clickNode(page, await newestWith(page, FLAG.gap));
  const last = await lastRequest(page, "backfill/");
  assert.ok(last.path.startsWith(`backfill/${old.room_id}`), last.path);
  assert.equal(last.cls, "ok", last.verdict);
  const valid = await page.evaluate(() => window.mxdag.snapshot.verdict.every((v, i) => v === 0 || (window.mxdag.snapshot.flags[i] & 2) !== 0));
  assert.ok(valid, "every event of the v3 room validates (IDs are reference hashes, standard base64)");
  assert.deepEqual(page.errors, []);
  await page.close();
});

served("the keyboard walks the rows and Enter backfills from a gap", async (server) => {
  const page = await open(browser, server.url);
  const { n, gap } = await page.evaluate(() => {
    const s = window.mxdag.snapshot;
    let g = -1;
    for (let i = s.n - 1; i >= 0; i--) if (s.flags[i] & 2) { g = i; break; }
    return { n: s.n, gap: g };
  });
  for (let k = 0; k < n - gap; k++) await page.keyboard.press("ArrowDown");
  await idle(page);
  assert.equal(await page.textContent("#panel .badge"), "missing (backward extremity)");
  const before = await count(page, "events");
  await page.keyboard.press("Enter");
  await page.waitForTimeout(50);
  await idle(page);
  assert.ok((await count(page, "events")) > before);
  assert.equal((await lastRequest(page, "backfill/")).cls, "ok");
  await page.keyboard.press("Escape");
  assert.match(await page.textContent("#panel"), /Click an event/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

served("keys work after clicking a toolbar button, and not while typing in a field", async (server) => {
  const page = await open(browser, server.url);
  const selected = () => page.evaluate(() => document.querySelector("#panel .event-id")?.textContent ?? null);
  await page.click("#fit");
  await page.keyboard.press("ArrowUp");
  await page.waitForSelector("#panel .event-id");
  const newest = await page.evaluate(() => window.mxdag.snapshot.ids.at(-1));
  assert.equal(await selected(), newest, "↑ with nothing selected picks the newest event, focus on the Fit button");
  // F fits after a button click too.
  await page.evaluate(() => {
    window.mxdag.view.scale = 4;
    window.mxdag.view.ox = -3000;
  });
  await page.click("#reset");
  await idle(page);
  await page.evaluate(() => (window.mxdag.view.scale = 4));
  await page.keyboard.press("f");
  assert.ok((await page.evaluate(() => window.mxdag.view.scale)) <= 1.5);
  // Typed into the homeserver form, keys stay there.
  await page.click("#connect summary");
  await page.evaluate(() => (window.mxdag.view.scale = 4));
  await page.click("#connect input[name=proxy]");
  await page.keyboard.type("kf");
  await page.keyboard.press("ArrowUp");
  await page.waitForTimeout(100);
  assert.equal(await page.inputValue("#connect input[name=proxy]"), "kf");
  assert.equal(await page.evaluate(() => window.mxdag.view.scale), 4, "f typed in the field does not fit");
  assert.equal(await selected(), null, "Restart cleared the selection and typing selected nothing");
  assert.deepEqual(page.errors, []);
  await page.close();
});

/** Whether every node of the snapshot is on the canvas. */
const allOnScreen = (page) =>
  page.evaluate(() => {
    const { snapshot: s, view } = window.mxdag;
    for (let i = 0; i < s.n; i++) {
      const { x, y } = view.screenOf(i);
      if (x < 0 || y < 0 || x > view.w || y > view.h) return false;
    }
    return s.n > 0;
  });

served("zoom and pan do not carry over: a new room or Restart starts fitted", async (server) => {
  const info = await (await fetch(new URL("/_mxdag/demo", server.url))).json();
  const page = await open(browser, server.url);
  const zoomIn = () =>
    page.evaluate(() => {
      const v = window.mxdag.view;
      v.scale = 4;
      v.ox = -2000;
      v.oy = -5000;
    });
  await zoomIn();
  assert.equal(await allOnScreen(page), false);
  const old = info.rooms.findIndex((r) => r.room_version === "3");
  await page.selectOption("#room-select", `demo:${old}`);
  await page.waitForTimeout(50);
  await idle(page);
  assert.equal(await allOnScreen(page), true, "switching rooms fits the new room");
  await zoomIn();
  await page.click("#reset");
  await page.waitForTimeout(50);
  await idle(page);
  assert.equal(await allOnScreen(page), true, "Restart fits");
  assert.deepEqual(page.errors, []);
  await page.close();
});

served("a label is clicked like its event, and the hover line follows a filled gap", async (server) => {
  const page = await open(browser, server.url);
  const gap = await newestWith(page, FLAG.gap);
  const gapId = await page.evaluate((i) => window.mxdag.snapshot.ids[i], gap);
  await page.evaluate((k) => window.mxdag.view.focus(k), gap);
  await page.waitForTimeout(50);
  const { x, y } = await page.evaluate((k) => ({ x: window.mxdag.view.labelX + 60, y: window.mxdag.view.screenOf(k).y }), gap);
  const box = await page.locator("#dag").boundingBox();
  await page.mouse.move(box.x + x, box.y + y);
  assert.match(await page.textContent("#hover"), /missing · \d events? points? here/);
  await page.mouse.click(box.x + x, box.y + y);
  await page.waitForTimeout(50);
  await idle(page);
  assert.equal((await lastRequest(page, "backfill/")).cls, "ok", "clicking the gap's label backfills from it");
  const i = await page.evaluate((id) => window.mxdag.snapshot.ids.indexOf(id), gapId);
  assert.equal(await page.evaluate((k) => window.mxdag.snapshot.flags[k] & 2, i), 0);
  const expected = await page.evaluate(([px, py]) => {
    const { snapshot: s, view } = window.mxdag;
    const k = view.hit(px, py);
    return k < 0 ? "" : `${s.ids[k]}  ${s.labels[k]}`;
  }, [x, y]);
  assert.equal(await page.textContent("#hover"), expected, "the hover line says what is under the pointer now");
  assert.doesNotMatch(expected, new RegExp(`^\\${gapId}  missing`));
  assert.deepEqual(page.errors, []);
  await page.close();
});

served("Enter after a toolbar button is clicked fetches for the event; Tab and Enter still press a button", async (server) => {
  const page = await open(browser, server.url);
  const active = () => page.evaluate(() => document.activeElement?.id ?? "");
  await page.click("#fit");
  assert.notEqual(await active(), "fit", "a clicked button gives the focus back");
  const gapId = await page.evaluate((i) => window.mxdag.snapshot.ids[i], await newestWith(page, FLAG.gap));
  await page.evaluate((id) => window.mxdag.select(id), gapId);
  await idle(page);
  const before = await count(page, "events");
  await page.keyboard.press("Enter");
  await page.waitForTimeout(50);
  await idle(page);
  assert.ok((await count(page, "events")) > before, "Enter backfilled from the selected gap");
  assert.equal((await lastRequest(page, "backfill/")).cls, "ok");
  // From the keyboard, a focused button is pressed by Enter and keeps the focus.
  await page.focus("#fit");
  await page.evaluate(() => (window.mxdag.view.ox = -3000));
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => window.mxdag.view.ox), 28);
  assert.equal(await active(), "fit");
  // With the pointer still over the DAG, F refreshes the hover line for what is under it now.
  await page.evaluate(() => document.activeElement?.blur());
  const at = await page.evaluate(() => window.mxdag.view.screenOf(window.mxdag.snapshot.n - 1));
  await page.evaluate(() => {
    const v = window.mxdag.view;
    v.ox = -5000;
    v.oy = -5000;
    v.request();
  });
  const box = await page.locator("#dag").boundingBox();
  await page.mouse.move(box.x + at.x, box.y + at.y);
  assert.equal(await page.textContent("#hover"), "", "nothing under the pointer while scrolled away");
  await page.keyboard.press("f");
  const expected = await page.evaluate(([px, py]) => {
    const { snapshot: s, view } = window.mxdag;
    const k = view.hit(px, py);
    return k < 0 ? "" : `${s.ids[k]}  ${s.labels[k]}`;
  }, [at.x, at.y]);
  assert.notEqual(expected, "", "after F a node is under the pointer");
  assert.equal(await page.textContent("#hover"), expected);
  assert.deepEqual(page.errors, []);
  await page.close();
});

served("URL parameters that cannot be used are named in the notice, with what is done instead", async (server) => {
  const info = await (await fetch(new URL("/_mxdag/demo", server.url))).json();
  const first = info.rooms[0];
  const at = async (query) => {
    const page = await open(browser, `${server.url}?${query}`);
    const text = (await page.textContent("#notice")) ?? "";
    const hidden = await page.evaluate(() => document.getElementById("notice").hidden);
    assert.deepEqual(page.errors, []);
    await page.close();
    return hidden ? "" : text;
  };
  assert.ok((await at(`room=${encodeURIComponent("!nope:demo.mxdag.test")}`)).includes(`?room=!nope:demo.mxdag.test is no room of the demo peer: its first room, ${first.room_id}, is opened instead`));
  assert.match(await at("date=yesterday"), /\?date=yesterday is not a date: give one as 2026-01-01T12:00Z/);
  assert.match(await at(`event=${encodeURIComponent("$nonexistent:foo")}`), /The server gave no event for \$nonexistent:foo \(HTTP 404[^)]*\): nothing starts from it/);
});
