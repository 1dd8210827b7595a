// Text that cannot lie: a right-to-left override, zero-width characters and a 10 KB event
// ID in a file are shown visibly marked and shortened, never reordering the page's text.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { idle, launch, open, withServer } from "./harness.js";

const browserReady = launch();
after(async () => (await browserReady).close());
const dir = mkdtempSync(join(tmpdir(), "mxdag-e2e-text-"));
const RLO = "\u202E";
const ZWSP = "\u200B";

test("bidirectional controls and invisible characters are shown as marks; long IDs are shortened in messages", async () => {
  const room = `!${RLO}live:evil.test`;
  const base = { room_id: room, origin_server_ts: 1, hashes: { sha256: "x" }, signatures: {}, auth_events: [] };
  const longId = "$" + "A".repeat(10_000);
  const lines = [
    { ...base, type: "m.room.create", state_key: "", sender: "@a:evil.test", depth: 1, prev_events: [], content: { room_version: "1" }, event_id: "$create:evil.test" },
    { ...base, type: "m.room.message", sender: "@a:evil.test", depth: 2, prev_events: [["$create:evil.test", {}]], content: { body: `${RLO}evil${ZWSP}` }, event_id: "$msg:evil.test" },
    { ...base, type: "m.room.message", sender: "@a:evil.test", depth: 3, prev_events: [[longId, {}]], content: { body: "long" }, event_id: "$long:evil.test" },
  ];
  const file = join(dir, "bidi.ndjson");
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n"));
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    await page.setInputFiles("#file-input", file);
    await page.waitForTimeout(50);
    await idle(page);
    const shown = await page.evaluate(() => document.body.innerText);
    assert.ok(!shown.includes(RLO) && !shown.includes(ZWSP), "no hidden character reaches the page's text");
    assert.ok(shown.includes("!⟨U+202E⟩live:evil.test"), "the room ID is shown with its override marked");
    assert.ok(!shown.includes("A".repeat(200)), "the 10 KB ID is never shown whole");
    await page.evaluate(() => window.mxdag.select("$msg:evil.test"));
    await idle(page);
    await page.waitForSelector("#panel pre.json");
    const json = await page.textContent("#panel pre.json");
    assert.ok(json.includes("⟨U+202E⟩evil⟨U+200B⟩"), json.slice(0, 400));
    // Rendered left to right as written: the mark comes before "evil", not reversed.
    const order = await page.evaluate(() => {
      const pre = document.querySelector("#panel pre.json");
      const text = pre.textContent;
      const at = text.indexOf("evil");
      const range = document.createRange();
      const node = [...pre.childNodes].find((n) => n.nodeType === 3);
      range.setStart(node, at);
      range.setEnd(node, at + 1);
      const e = range.getBoundingClientRect().left;
      range.setStart(node, at + 3);
      range.setEnd(node, at + 4);
      return { e, l: range.getBoundingClientRect().left };
    });
    assert.ok(order.e < order.l, `"e" is drawn left of "l": ${JSON.stringify(order)}`);
    // The event naming the 10 KB ID is not drawn; its problem names the ID shortened.
    await page.setInputFiles("#file-input", file);
    await page.waitForTimeout(50);
    await idle(page);
    const notDrawn = await page.textContent("#panel .not-drawn");
    assert.match(notDrawn, /AAAA…A+" \(10003 characters\)/, notDrawn.slice(0, 400));
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
