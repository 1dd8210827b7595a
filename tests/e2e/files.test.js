// Files on the page: key server responses join the key ring and the file is judged again;
// events lacking keys are "unchecked"; the room version of a file without m.room.create;
// the room select's file entries; fetching is off for a room that is only in a file.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FLAG, clickNode, count, idle, launch, loadFile, newestWith, open, verdictCounts, withServer } from "./harness.js";

const browserReady = launch();
after(async () => (await browserReady).close());
const example = (name) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "mxdag-e2e-files-"));
const backfill = JSON.parse(readFileSync(example("backfill.json"), "utf8"));
const ROOM = backfill.pdus[0].room_id;
/** examples/backfill.json without its m.room.create: 59 events of the same v12 room. */
const nocreate = join(dir, "nocreate.json");
writeFileSync(nocreate, JSON.stringify({ ...backfill, pdus: backfill.pdus.filter((p) => p.type !== "m.room.create") }));
/** An array whose first item is no event: items are numbered from 1, as lines are. */
const badFirst = join(dir, "bad-first.json");
writeFileSync(badFirst, JSON.stringify(["not an event", ...backfill.pdus.slice(1, 4)]));

const load = loadFile;
const verdicts = verdictCounts;

test("events whose keys are missing are unchecked; a keys file dropped on the page makes them valid", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    const queries = [];
    page.on("request", (r) => r.url().endsWith("/_matrix/key/v2/query") && queries.push(JSON.parse(r.postData())));
    await load(page, example("backfill.json"));
    assert.deepEqual(await verdicts(page), { 3: 60 }, "every event is unchecked, none dropped");
    const text = await page.textContent("#notice");
    for (const k of ["chat.example.net (ed25519:a_kFOS)", "hs.example.com (ed25519:a_YjZy)", "matrix.example.org (ed25519:a_nojO)"]) assert.ok(text.includes(k), text);
    assert.match(text, /60 events are unchecked; load those servers' keys as a file/);
    // The peer was asked for those keys by key ID, though it holds other keys of those servers.
    const asked = queries.at(-1).server_keys;
    assert.deepEqual(asked["chat.example.net"], { "ed25519:a_kFOS": {} });
    assert.deepEqual(asked["hs.example.com"], { "ed25519:a_YjZy": {} });
    assert.match(await page.textContent("#panel"), /Loaded backfill\.json: 60 events \(transaction\), 60 unchecked; judged as room version 12 \(its m\.room\.create\)/);
    await page.evaluate(() => window.mxdag.select(window.mxdag.snapshot.ids[0]));
    await idle(page);
    await page.waitForSelector("#panel .badge");
    assert.equal(await page.textContent("#panel .badge"), "unchecked");
    // Dropped on the page, the key server responses are recognised as keys, not events.
    const keys = readFileSync(example("keys.json"), "utf8");
    await page.evaluate((text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], "keys.json", { type: "application/json" }));
      dispatchEvent(new DragEvent("drop", { dataTransfer: data, cancelable: true }));
    }, keys);
    await page.waitForTimeout(50);
    await idle(page);
    assert.deepEqual(await verdicts(page), { 0: 60 }, "judged again with the keys: all valid");
    assert.equal(await count(page, "events"), 60);
    assert.match(await page.textContent("#notice"), /keys\.json: 3 key\(s\) of matrix\.example\.org, chat\.example\.net, hs\.example\.com added; 60 unchecked events judged again, 60 now checked/);
    assert.equal(await page.textContent("#panel .badge"), "valid", "the event selected is shown judged again");
    assert.equal(await page.$$eval("#room-select option", (o) => o.filter((x) => x.value.startsWith("file:")).length), 1, "keys.json is no room");
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("a file without m.room.create: the version is chosen, or the room's when it is the room shown", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    await load(page, example("keys.json"));
    await load(page, nocreate);
    assert.equal(await page.textContent("#room-version"), "v10");
    assert.ok(await page.isVisible("#version-select"), "the version can be chosen");
    assert.match(await page.textContent("#notice"), /nocreate\.json: judged as room version 10 \(chosen under Version: the file has no m\.room\.create\)/);
    await page.selectOption("#version-select", "12");
    await page.waitForTimeout(50);
    await idle(page);
    assert.equal(await page.textContent("#room-version"), "v12");
    assert.match(await page.textContent("#panel"), /59 events \(transaction\); judged as room version 12 \(chosen/);
    const v12 = await verdicts(page);
    assert.equal(v12[0], 59, JSON.stringify(v12));
    // With the room (from its m.room.create) shown, a file of its events takes its version.
    await load(page, example("backfill.json"));
    assert.equal(await page.isVisible("#version-select"), false);
    // The (hidden) choice is not what decides now.
    await page.evaluate(() => (document.querySelector("#version-select").value = "10"));
    await load(page, nocreate);
    assert.equal(await page.textContent("#room-version"), "v12");
    assert.equal(await page.isVisible("#version-select"), false);
    assert.match(await page.textContent("#notice"), /judged as room version 12 \(the room's version\)/);
    assert.deepEqual(await verdicts(page), v12);
      await load(page, badFirst);
    assert.match(await page.textContent("#notice"), /bad-first\.json: .*Event #0: an event must be a JSON object, found string/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("the room select holds each file and the demo rooms, and returns to any of them", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    const info = await (await fetch(new URL("/_mxdag/demo", server.url))).json();
    await load(page, example("backfill.json"));
    await load(page, example("damaged.json"));
    const options = await page.$$eval("#room-select option", (o) => o.map((x) => x.value));
    assert.deepEqual(options, ["file:damaged.json", "file:backfill.json", "demo:0", "demo:1", "middle:0", "middle:1"]);
    const shown = () => page.evaluate(() => ({ room: window.mxdag.snapshot.roomId, n: window.mxdag.snapshot.counts.events, value: document.querySelector("#room-select").value }));
    await page.selectOption("#room-select", "file:backfill.json");
    await page.waitForTimeout(50);
    await idle(page);
    assert.deepEqual(await shown(), { room: ROOM, n: 60, value: "file:backfill.json" });
    await page.click("#reset");
    await page.waitForTimeout(50);
    await idle(page);
    assert.deepEqual(await shown(), { room: ROOM, n: 60, value: "file:backfill.json" }, "Restart reloads the file shown");
    await page.selectOption("#room-select", "demo:0");
    await page.waitForTimeout(50);
    await idle(page);
    assert.deepEqual(await shown(), { room: info.rooms[0].room_id, n: info.rooms[0].latest_events.length, value: "demo:0" });
    await page.click("#reset");
    await page.waitForTimeout(50);
    await idle(page);
    assert.equal((await shown()).value, "demo:0");
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("a room only in a file fetches nothing: gaps and Fill all gaps say why", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    // The file's room (a room ID with no server name) is of room version 12.
    await page.evaluate(() => (document.querySelector("#version-select").value = "12"));
    await load(page, nocreate);
    const fetched = [];
    page.on("request", (r) => fetched.push(r.url()));
    const gap = await newestWith(page, FLAG.gap);
    assert.ok(gap >= 0, "the file's oldest events point at the create event it lacks");
    await clickNode(page, gap);
    assert.match(await page.textContent("#notice"), /comes from the file nocreate\.json and is not on the demo peer/);
    assert.equal(await page.locator("#panel .actions button").first().isDisabled(), true);
    await page.click("#fill");
    await page.waitForTimeout(50);
    await idle(page);
    assert.match(await page.textContent("#notice"), /is not on the demo peer: there is nothing to fetch it from/);
    assert.deepEqual(fetched, [], "nothing was asked of the peer");
    assert.ok((await count(page, "backward")) > 0);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

/** A file of the demo room's `n` newest events (NDJSON, no m.room.create); resolves to its path and the room. */
async function demoFile(server, name, n, k = 0) {
  const info = await (await fetch(new URL("/_mxdag/demo", server.url))).json();
  const room = info.rooms[k];
  const v = room.latest_events.map((id) => `v=${encodeURIComponent(id)}`).join("&");
  const t = await (await fetch(new URL(`/_matrix/federation/v1/backfill/${encodeURIComponent(room.room_id)}?${v}&limit=${n}`, server.url))).json();
  const file = join(dir, name);
  writeFileSync(file, t.pdus.filter((p) => p.type !== "m.room.create").map((p) => JSON.stringify(p)).join("\n") + "\n");
  return { file, room };
}

test("a key file keeps the events fetched since a file was loaded", async () => {
  await withServer([], async (server) => {
    const { file } = await demoFile(server, "demo40.ndjson", 40);
    const page = await open(await browserReady, server.url);
    await load(page, file);
    assert.equal(await count(page, "events"), 40);
    await page.click("#fill");
    await page.waitForTimeout(50);
    await idle(page);
    const held = await count(page, "events");
    assert.ok(held > 40, `fill fetched more (${held})`);
    const before = await verdicts(page);
    await load(page, example("keys.json"));
    assert.equal(await count(page, "events"), held, "nothing fetched is lost");
    assert.deepEqual(await verdicts(page), before);
    const text = await page.textContent("#notice");
    assert.match(text, /keys\.json: 3 key\(s\) of matrix\.example\.org, chat\.example\.net, hs\.example\.com added/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("a file chosen again in the room select is judged with the version it was judged with", async () => {
  await withServer([], async (server) => {
    const { file, room } = await demoFile(server, "demo10.ndjson", 20);
    const page = await open(await browserReady, server.url);
    await load(page, file);
    assert.equal(await page.textContent("#room-version"), `v${room.room_version}`);
    const first = await verdicts(page);
    await load(page, nocreate);
    await page.selectOption("#version-select", room.room_version === "12" ? "11" : "12");
    await page.waitForTimeout(50);
    await idle(page);
    const entries = await page.$$eval("#room-select option", (o) => o.filter((x) => x.value.startsWith("file:")).map((x) => x.textContent));
    assert.deepEqual(entries, [`nocreate.json — ${ROOM}`, `demo10.ndjson — ${room.room_id}`], "file names first");
    assert.equal(await page.getAttribute("#room-select", "title"), `Shown: file nocreate.json (room ${ROOM})`);
    await page.selectOption("#room-select", "file:demo10.ndjson");
    await page.waitForTimeout(50);
    await idle(page);
    assert.notEqual(await page.evaluate(() => document.activeElement?.id), "room-select", "focus left the select");
    assert.equal(await page.textContent("#room-version"), `v${room.room_version}`);
    assert.deepEqual(await verdicts(page), first);
    assert.match(await page.textContent("#panel"), /judged as room version \d+ \(the room's version\)/);
    // ↓ now moves through the DAG instead of switching rooms.
    await page.keyboard.press("ArrowDown");
    await idle(page);
    assert.equal(await page.evaluate(() => document.querySelector("#room-select").value), "file:demo10.ndjson");
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("a key file re-judges the events fetched for the room shown, from the JSON as received", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    // The room of examples/backfill.json as if fetched from a peer: its events' keys are not held.
    const text = readFileSync(example("backfill.json"), "utf8");
    await page.evaluate(async ([room, text]) => {
      const w = window.mxdag.worker;
      await w.call("init", { roomId: room, roomVersion: "12" });
      await w.call("answer", { request: { method: "GET", path: `/_matrix/federation/v1/backfill/${room}` }, text, status: 200, check: false });
    }, [ROOM, text]);
    await load(page, example("keys.json"));
    assert.deepEqual(await verdicts(page), { 0: 60 }, "every fetched event checked and valid with the keys");
    assert.match(await page.textContent("#notice"), /keys\.json: 3 key\(s\) of matrix\.example\.org, chat\.example\.net, hs\.example\.com added; 60 unchecked events judged again, 60 now checked/);
    assert.match(await page.textContent("#panel"), /60 unchecked events judged again, 60 now checked/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("a file that yields no event is refused with its reason; the room shown and its fetched events stay", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    await clickNode(page, await newestWith(page, FLAG.gap));
    const held = await count(page, "events");
    const shown = () => page.evaluate(() => ({ ids: window.mxdag.snapshot.ids, options: [...document.querySelectorAll("#room-select option")].map((o) => o.value), value: document.querySelector("#room-select").value }));
    const before = await shown();
    const files = {
      "truncated.json": ['{"pdus":[{"type":"m.room', /not usable JSON/],
      "empty.json": ["", /empty/],
      "garbage.bin": [Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256)), /garbage\.bin is not UTF-8 text/],
      "zero.json": ["[]", /holds no event/],
    };
    for (const [name, [text, reason]] of Object.entries(files)) {
      writeFileSync(join(dir, name), text);
      await load(page, join(dir, name));
      const notice = await page.textContent("#notice");
      assert.match(notice, new RegExp(`${name.replace(".", "\\.")} .*not loaded`), notice);
      assert.match(notice, reason, notice);
      assert.equal(await count(page, "events"), held, `${name}: the events fetched are kept`);
      assert.deepEqual(await shown(), before, `${name}: the room shown and the room select are as they were`);
    }
    const saved = await page.evaluate(() => window.mxdag.worker.call("save"));
    assert.equal(saved.file.events, held, "Save room still saves the room shown");
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("at 800 × 600 the room select, the version pill and the version select all show whole", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    await page.setViewportSize({ width: 800, height: 600 });
    await load(page, nocreate);
    const boxes = await page.evaluate(() => Object.fromEntries(["#room-select", "#room-version", "#version-select", ".source", "header.top"].map((s) => [s, document.querySelector(s).getBoundingClientRect().toJSON()])));
    const source = boxes[".source"];
    for (const s of ["#room-select", "#room-version", "#version-select"]) {
      const b = boxes[s];
      assert.ok(b.width > 20, `${s} is shown: ${JSON.stringify(b)}`);
      assert.ok(b.left >= source.left - 0.5 && b.right <= source.right + 0.5 && b.right <= 800, `${s} lies whole in its header part: ${JSON.stringify(b)} in ${JSON.stringify(source)}`);
    }
    assert.ok(boxes["#room-select"].width >= 80, `the room select stays usable: ${boxes["#room-select"].width}px`);
    await page.selectOption("#version-select", "12");
    await page.waitForTimeout(50);
    await idle(page);
    assert.equal(await page.textContent("#room-version"), "v12");
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("from the keyboard: Tab reaches Load file… and Enter opens the picker; Enter on a network log row shows it; Escape closes Keys…", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    // Listened for first: Playwright intercepts file choosers only once it has said so to the browser.
    const chosen = page.waitForEvent("filechooser", { timeout: 10_000 });
    await page.focus("#room-select");
    const focused = () => page.evaluate(() => document.activeElement?.textContent.trim());
    for (let i = 0; i < 6 && (await focused()) !== "Load file…"; i++) await page.keyboard.press("Tab");
    assert.equal(await focused(), "Load file…", "Load file… is reached by Tab");
    await page.keyboard.press("Enter");
    const chooser = await chosen;
    await chooser.setFiles(nocreate);
    await page.waitForTimeout(50);
    await idle(page);
    assert.match(await page.textContent("#panel"), /Loaded nocreate\.json/, "the file chosen is loaded");
    // A network log row, focused, shows its request on Enter.
    await page.focus("#netlog-body tr:last-child");
    await page.keyboard.press("Enter");
    assert.match(await page.textContent("#panel .event-id"), /key\/v2\/server/);
    // Escape closes the Keys… popup, the focus back on its summary.
    await page.click("#keys summary");
    await page.focus("#keys-form textarea");
    await page.keyboard.press("Escape");
    assert.equal(await page.evaluate(() => document.querySelector("#keys").open), false);
    assert.equal(await page.evaluate(() => document.activeElement === document.querySelector("#keys summary")), true);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("a file of two rooms: counts and missing keys are the room shown's; the other room is listed in the room select and shown when chosen", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    // The keys of examples/backfill.json's room, its events, then examples/damaged.json's
    // room signed with a key no one has.
    const damaged = JSON.parse(readFileSync(example("damaged.json"), "utf8")).pdus;
    const trusted = JSON.parse(readFileSync(example("keys.json"), "utf8")).map((k) => ({
      server_name: k.server_name,
      verify_keys: Object.fromEntries(Object.entries(k.verify_keys).map(([id, v]) => [id, v.key])),
    }));
    const elsewhere = (pdu) => ({ ...pdu, signatures: Object.fromEntries(Object.keys(pdu.signatures).map((s) => [s, { "ed25519:elsewhere": "AAAA" }])) });
    const mixed = join(dir, "mixed.ndjson");
    const lines = [{ trusted_key_servers: trusted }, ...backfill.pdus, ...damaged.map(elsewhere)];
    writeFileSync(mixed, lines.map((line) => JSON.stringify(line)).join("\n") + "\n");
    await load(page, mixed);
    assert.equal(await count(page, "events"), 60);
    const text = await page.textContent("#panel");
    assert.ok(text.startsWith("Loaded mixed.ndjson: 60 events (ndjson)"), text);
    assert.ok(text.includes(`also holds 60 events of 1 other room(s), each listed under the room select`) && text.includes(`${damaged[0].room_id} (60)`), text);
    const notice = await page.textContent("#notice");
    assert.ok(notice.includes("also holds 60 events of 1 other room(s)"), notice);
    assert.doesNotMatch(notice, /no keys for|unchecked/, "the other room's missing keys are not the room shown's");
    const options = () => page.$$eval("#room-select option", (o) => o.map((x) => x.value));
    assert.deepEqual((await options()).slice(0, 2), ["file:mixed.ndjson", `fileroom:${damaged[0].room_id}`]);
    // The other room, from the session that holds it (the file is not read again).
    const shown = () => page.evaluate(() => ({ room: window.mxdag.snapshot.roomId, value: document.querySelector("#room-select").value }));
    await page.selectOption("#room-select", `fileroom:${damaged[0].room_id}`);
    await page.waitForTimeout(50);
    await idle(page);
    assert.deepEqual(await shown(), { room: damaged[0].room_id, value: "file:mixed.ndjson" });
    assert.ok((await count(page, "events")) > 0);
    const other = await page.textContent("#panel");
    assert.ok(other.startsWith("Loaded mixed.ndjson: 60 events (ndjson)") && other.includes(`${ROOM} (60)`), other);
    assert.match(await page.textContent("#notice"), /Line \d+: the signature of \S+ with ed25519:elsewhere/, "the notice names the file's first error");
    assert.deepEqual((await options()).slice(0, 2), ["file:mixed.ndjson", `fileroom:${ROOM}`]);
    // And back.
    await page.selectOption("#room-select", `fileroom:${ROOM}`);
    await page.waitForTimeout(50);
    await idle(page);
    assert.deepEqual(await shown(), { room: ROOM, value: "file:mixed.ndjson" });
    assert.equal(await count(page, "events"), 60);
    assert.ok((await page.textContent("#panel")).includes(`${damaged[0].room_id} (60)`));
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("every load replaces the notice; the panel names the keys missing", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    await load(page, example("backfill.json"));
    assert.match(await page.textContent("#panel"), /No keys for .*hs\.example\.com \(ed25519:a_YjZy\)/);
    const empty = join(dir, "zero.json");
    writeFileSync(empty, "[]");
    await load(page, empty);
    const notice = await page.textContent("#notice");
    assert.ok(notice.includes("zero.json"), notice);
    assert.doesNotMatch(notice, /unchecked/);
    await load(page, nocreate);
    assert.doesNotMatch(await page.textContent("#notice"), /zero\.json/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
