// The timeline pane: the demo room's events in the timeline's linear order with gap rows,
// filling a gap from its row (the rows above stay where they were), the date jump, the
// selection kept in step with the DAG's, and the demo entered in the middle of its history
// (/timestamp_to_event), from where both backwards and forwards fill have something to fetch.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { clickNode, count, idle, launch, netlog, open, withServer } from "./harness.js";

const browserReady = launch();
after(async () => (await browserReady).close());

/** Waits until the page and the timeline pane are quiet. */
async function quiet(page) {
  await page.waitForTimeout(50);
  await idle(page);
  await page.evaluate(() => window.mxdag.pane.queue);
  await idle(page);
  await page.evaluate(() => window.mxdag.pane.queue);
}

/**
 * The pane's rows, oldest first: `{gap, filled, id, top, selected}` (`id`: the event, or the
 * event a gap row precedes; `filled`: the row where a gap above the window was).
 */
const rows = (page) =>
  page.$$eval("#timeline-pane .tl-list > li", (lis) =>
    lis.map((li) => ({ gap: li.classList.contains("tl-gap"), filled: li.classList.contains("tl-filled"), id: li.dataset.eventId ?? li.dataset.gapBefore, top: li.getBoundingClientRect().top, selected: li.classList.contains("selected") })),
  );

/** The whole held timeline as the worker's Timeline pages it, oldest first. */
const timeline = (page) => page.evaluate(async () => (await window.mxdag.worker.call("timelinePage", { options: { dir: "f", limit: 10000 } })).page);

/** Checks the rows against the held timeline: the same order, a gap row before each event with a gap entry. */
async function assertInOrder(page) {
  const shown = (await rows(page)).filter((r) => !r.filled);
  const held = await timeline(page);
  const events = shown.filter((r) => !r.gap).map((r) => r.id);
  assert.ok(events.length > 0);
  const ids = held.chunk.map((e) => e.event_id);
  const at = ids.indexOf(events[0]);
  assert.ok(at >= 0, "the first row is a held event");
  assert.deepEqual(events, ids.slice(at, at + events.length), "rows in the timeline's order");
  const gaps = new Set(held.gaps.map((g) => g.event_id));
  for (const [i, r] of shown.entries()) {
    if (r.gap) assert.equal(shown[i + 1]?.id, r.id, "a gap row precedes its event");
    else assert.equal(shown[i - 1]?.gap === true, gaps.has(r.id), `gap row before ${r.id} iff it has a gap entry`);
  }
  return shown;
}

test("the timeline pane lists the demo's events in order with gap rows; a gap row fills, the rows above staying put", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    await quiet(page);
    const before = await assertInOrder(page);
    assert.equal(before.filter((r) => !r.gap).length, await count(page, "events"));
    // Every event shown: the pane's gaps are the header's (missing events), gap rows the spots before which they are missing.
    const status = await page.textContent("#timeline-pane .tl-status");
    assert.match(status, new RegExp(`· ${await count(page, "backward")} gap\\(s\\), missing before ${before.filter((r) => r.gap).length} of them$`), status);
    const gapAt = before.findIndex((r, i) => r.gap && i > 0);
    assert.ok(gapAt > 0, `a gap row below another row: ${JSON.stringify(before)}`);
    const above = before.slice(0, gapAt);
    const held = await count(page, "events");
    await page.click(`#timeline-pane .tl-list > li:nth-child(${gapAt + 1}) button`);
    await quiet(page);
    assert.ok((await count(page, "events")) > held, "the fill brought events");
    const afterRows = await assertInOrder(page);
    // Event rows above stay where they were (a gap above that the fill closed too keeps its
    // place as a row that shows the history fetched there).
    const eventsAbove = above.filter((r) => !r.gap);
    assert.ok(eventsAbove.length > 0);
    const now = new Map(afterRows.filter((r) => !r.gap && !r.filled).map((r) => [r.id, Math.round(r.top)]));
    assert.deepEqual(eventsAbove.map((r) => [r.id, now.get(r.id)]), eventsAbove.map((r) => [r.id, Math.round(r.top)]), "the rows above stay where they were");
    assert.ok(!afterRows.some((r) => r.gap && r.id === before[gapAt].id) || afterRows.length > before.length, "the gap's history came in its place");
    const planned = (await netlog(page)).filter((r) => /^(backfill|get_missing_events)/.test(r.path));
    assert.ok(planned.length > 0);
    assert.match(await page.textContent("#notice"), /request\(s\) for the gap: \d+ event\(s\) inserted/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("the date field jumps to the first event at the date; the selection follows the DAG's both ways", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    await page.click("#fill");
    await quiet(page);
    assert.equal(await count(page, "backward"), 0);
    // Scrolled to its top, the pane pages older events in, the rows shown staying on screen.
    const shownBefore = (await rows(page)).filter((r) => !r.gap);
    const topRow = shownBefore[0];
    // Where the reader sees the first row once scrolled to the top.
    const seenAt = await page.$eval("#timeline-pane .tl-scroll", (s) => s.getBoundingClientRect().top + s.querySelector(".tl-list > li").offsetTop - s.offsetTop);
    await page.$eval("#timeline-pane .tl-scroll", (s) => (s.scrollTop = 0));
    await quiet(page);
    const paged = (await rows(page)).filter((r) => !r.gap);
    assert.ok(paged.length > shownBefore.length, `older events paged in (${shownBefore.length} → ${paged.length})`);
    assert.equal(paged.findIndex((r) => r.id === topRow.id), paged.length - shownBefore.length);
    assert.ok(Math.abs(paged.find((r) => r.id === topRow.id).top - seenAt) < 30, `the rows shown stay where they were (${seenAt}, ${paged.find((r) => r.id === topRow.id).top})`);
    await assertInOrder(page);
    const held = await timeline(page);
    const mid = held.chunk[Math.floor(held.chunk.length / 2)];
    const date = new Date(mid.origin_server_ts).toISOString().slice(0, 19);
    const expected = await page.evaluate(async (ts) => (await window.mxdag.worker.call("timelineJump", { ts, dir: "f" })).eventId, Date.parse(`${date}Z`));
    await page.fill("#timeline-pane input[name=date]", date);
    await page.click("#timeline-pane .tl-head button");
    await quiet(page);
    const selected = (await rows(page)).filter((r) => r.selected);
    assert.deepEqual(selected.map((r) => r.id), [expected]);
    assert.ok(await page.locator(`#timeline-pane li.selected`).isVisible());
    const box = await page.locator("#timeline-pane .tl-scroll").boundingBox();
    const row = await page.locator("#timeline-pane li.selected").boundingBox();
    assert.ok(row.y >= box.y - 1 && row.y + row.height <= box.y + box.height + 1, "the row is scrolled into view");
    assert.equal(await page.evaluate(() => window.mxdag.snapshot.ids[window.mxdag.view.selected]), expected, "the DAG selects it too");
    await assertInOrder(page);
    // A row clicked selects the event on the canvas and in the panel.
    const other = (await rows(page)).find((r) => !r.gap && r.id !== expected);
    await page.click(`#timeline-pane li[data-event-id="${other.id}"]`);
    await quiet(page);
    assert.equal(await page.evaluate(() => window.mxdag.snapshot.ids[window.mxdag.view.selected]), other.id);
    assert.equal(await page.textContent("#panel .event-id"), other.id);
    // A node clicked on the canvas scrolls the pane to its row.
    const far = 5;
    const farId = await page.evaluate((i) => window.mxdag.snapshot.ids[i], far);
    await clickNode(page, far);
    await quiet(page);
    assert.deepEqual((await rows(page)).filter((r) => r.selected).map((r) => r.id), [farId]);
    assert.ok(await page.locator(`#timeline-pane li.selected`).isVisible());
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("the demo entered in the middle of its history by a date fills backwards and forwards", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, `${server.url}?demo=middle`);
    await quiet(page);
    const asked = (await netlog(page)).filter((r) => r.path.startsWith("timestamp_to_event"));
    assert.equal(asked.length, 3, "first, last and middle events asked by date");
    assert.ok(asked.every((r) => r.status === "200" && r.cls === "ok"), JSON.stringify(asked));
    assert.equal(await page.inputValue("#room-select"), "middle:0");
    const start = (await timeline(page)).chunk.length;
    assert.ok(start > 1);
    // Backwards: the oldest held event's gap row.
    let shown = await rows(page);
    while (!shown[0].gap && (await page.locator("#timeline-pane .tl-more >> nth=0").isEnabled())) {
      await page.click("#timeline-pane .tl-more >> nth=0");
      await quiet(page);
      shown = await rows(page);
    }
    assert.ok(shown[0].gap, "a gap row above the oldest event");
    await page.click("#timeline-pane .tl-list > li:first-child button");
    await quiet(page);
    const afterBack = (await timeline(page)).chunk.length;
    assert.ok(afterBack > start, `backwards fill brought events (${start} → ${afterBack})`);
    // Forwards: page to the newest held event, then once more asks for newer ones.
    const newer = page.locator("#timeline-pane .tl-more >> nth=1");
    for (let i = 0; i < 20 && !/forwards fill/.test(await newer.textContent()); i++) {
      await newer.click();
      await quiet(page);
    }
    assert.match(await newer.textContent(), /forwards fill/);
    const fills = (await netlog(page)).filter((r) => r.path.startsWith("forwards_fill/")).length;
    await newer.click();
    await quiet(page);
    const ff = (await netlog(page)).filter((r) => r.path.startsWith("forwards_fill/"));
    assert.equal(ff.length, fills + 1);
    assert.equal(ff.at(-1).status, "200");
    const afterForwards = (await timeline(page)).chunk.length;
    assert.ok(afterForwards > afterBack, `forwards fill brought events (${afterBack} → ${afterForwards})`);
    await assertInOrder(page);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
