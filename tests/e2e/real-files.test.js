// Files nobody here wrote, on the page: a real Synapse's export with `event_id` on every
// event, its key table, an export with a forged event, and a tardis scenario (JSON5), and
// the export and key table gzipped.
// The page must draw them whole, under the IDs Synapse computed.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { count, idle, launch, loadFile, open, verdictCounts, withServer } from "./harness.js";

const browserReady = launch();
after(async () => (await browserReady).close());
const fixture = (name) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "mxdag-e2e-real-"));
const exportFile = fixture("synapse/export-with-event-id.ndjson");
const exported = readFileSync(exportFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
const synapseIds = exported.map((e) => e.event_id).sort();

const load = loadFile;

/** The held events' IDs (gaps excluded) and how many nodes have each verdict code. */
const held = (page) =>
  page.evaluate(() => {
    const s = window.mxdag.snapshot;
    const ids = [];
    const verdicts = {};
    for (let i = 0; i < s.n; i++) {
      verdicts[s.verdict[i]] = (verdicts[s.verdict[i]] ?? 0) + 1;
      if (s.verdict[i] !== 4) ids.push(s.ids[i]);
    }
    return { ids: ids.sort(), verdicts };
  });

test("a Synapse export with event_id on every event: Synapse's IDs, one chain, valid with its key table", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    await load(page, exportFile);
    const before = await held(page);
    assert.deepEqual(before.ids, synapseIds, "the IDs computed without event_id are Synapse's");
    assert.equal(await count(page, "events"), 18);
    assert.equal(await count(page, "forward"), 1, "one forward extremity: the chain is whole");
    assert.equal(await count(page, "backward"), 0, "no gap");
    assert.deepEqual(before.verdicts, { 3: 18 }, "without A's key every event is unchecked, none invalid");
    // Synapse's own key table (server_keys_json as sqlite3 -json prints it) checks them all.
    await load(page, fixture("synapse/B.server_keys_json.json"));
    assert.deepEqual((await held(page)).verdicts, { 0: 18 });
    assert.match(await page.textContent("#notice"), /18 unchecked events judged again, 18 now checked/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("a forged event in an export (new content, old signature, an event_id of its own) is named as a clash", async () => {
  await withServer([], async (server) => {
    const topic = exported.find((e) => e.type === "m.room.topic");
    const claimed = "$" + "F".repeat(43);
    const forged = { ...topic, event_id: claimed, content: { topic: "forged" } };
    const file = join(dir, "forged.ndjson");
    writeFileSync(file, [...exported, forged].map((e) => JSON.stringify(e)).join("\n") + "\n");
    const page = await open(await browserReady, server.url);
    await load(page, fixture("synapse/B.server_keys_json.json"));
    await load(page, file);
    const notice = await page.textContent("#notice");
    assert.match(notice, new RegExp(`names the event \\${claimed}, but its content hashes to \\${topic.event_id}`), notice);
    const { ids } = await held(page);
    assert.deepEqual(ids, synapseIds, "the forgery is held under no ID of its own; the real events are all there");
    assert.equal(await count(page, "forward"), 1, "no fork from the forgery");
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("a tardis scenario (JSON5) is drawn under its made-up IDs with its title and annotations", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    await load(page, fixture("tardis/linear.json5"));
    const { ids } = await held(page);
    for (const id of ["$CREATE", "$ALICE_JOIN", "$JOIN_RULES", "$BOB_JOIN", "$BOB_SAYS"]) assert.ok(ids.includes(id), `${id} in ${ids}`);
    assert.equal(await count(page, "forward"), 1);
    assert.match(await page.textContent("#panel"), /Loaded linear\.json5 “Alice makes a room, Bob joins and talks\.”/);
    await page.evaluate(() => window.mxdag.select("$BOB_JOIN"));
    await idle(page);
    await page.waitForSelector("#panel .badge");
    assert.match(await page.textContent("#panel"), /Bob joins the public room\./);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("a gzipped export and key table load as the plain files do; a zstd file is named, not misread", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    const gz = (path, name) => {
      const out = join(dir, name);
      writeFileSync(out, gzipSync(readFileSync(path)));
      return out;
    };
    await load(page, gz(exportFile, "export.ndjson.gz"));
    assert.deepEqual((await held(page)).ids, synapseIds, "Synapse's IDs, from the text inside the gzip");
    assert.equal(await count(page, "forward"), 1);
    await load(page, gz(fixture("synapse/B.server_keys_json.json"), "keys.json.gz"));
    assert.deepEqual((await held(page)).verdicts, { 0: 18 }, "the gzipped key table checks them all");
    const zstd = join(dir, "room.ndjson.zst");
    writeFileSync(zstd, new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]));
    await load(page, zstd);
    assert.match(await page.textContent("#notice"), /room\.ndjson\.zst is compressed with zstd: decompress it first \(zstd -d FILE\)/);
    assert.deepEqual((await held(page)).ids, synapseIds, "the room shown is kept");
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("an Element chat export is listed apart from the DAG under its IDs, unchecked, with the room's name", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    await load(page, fixture("synapse/element-export.json"));
    const context = JSON.parse(readFileSync(fixture("synapse/context.json"), "utf8"));
    const timeline = [...context.events_before.toReversed(), context.event, ...context.events_after].map((e) => e.event_id);
    const panel = await page.textContent("#panel");
    assert.match(panel, /Loaded element-export\.json “mxdag linear”: 6 events \(element_export\); no room version needed/);
    assert.match(panel, /Held apart from the DAG \(6\)/, "client-format events have no place in the DAG: listed, not drawn empty");
    const listed = await page.$$eval("#panel .apart button", (bs) => bs.map((b) => [b.textContent, b.title]));
    assert.deepEqual(listed.map(([, title]) => title), timeline.map((id) => `${id} (unchecked)`), "in the export's order");
    assert.match(listed[0][0], /^messages\[0\]: m\.room\.message · @alice:127\.0\.0\.1:46329 · “linear 5”/, "with what each is");
    assert.equal(await count(page, "outliers"), 6);
    await page.click("#panel .apart button >> nth=1");
    await page.waitForSelector("#panel .badge");
    const details = await page.textContent("#panel");
    assert.match(details, new RegExp(`\\${timeline[1]}`));
    assert.match(details, /client-API format/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("an event listed twice in an answer (in its timeline and its state) is held apart once", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    await load(page, fixture("synapse/context.json"));
    const context = JSON.parse(readFileSync(fixture("synapse/context.json"), "utf8"));
    const distinct = new Set([...context.events_before, context.event, ...context.events_after, ...context.state].map((e) => e.event_id));
    assert.match(await page.textContent("#panel"), new RegExp(`Held apart from the DAG \\(${distinct.size}\\)`));
    const listed = await page.$$eval("#panel .apart button", (bs) => bs.map((b) => b.title));
    assert.equal(new Set(listed).size, listed.length, `no event listed twice: ${listed.join(", ")}`);
    assert.equal(listed.length, distinct.size);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("NDJSON whose first line holds keys and the rest events is taken as events, checked with those keys", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    const rows = JSON.parse(readFileSync(fixture("synapse/B.server_keys_json.json"), "utf8"));
    const file = join(dir, "keys-then-events.ndjson");
    writeFileSync(file, [rows[0].key_json, ...readFileSync(exportFile, "utf8").trim().split("\n")].join("\n") + "\n");
    await load(page, file);
    assert.match(await page.textContent("#panel"), /^Loaded keys-then-events\.ndjson: 18 events \(ndjson\)/);
    assert.deepEqual(await held(page), { ids: synapseIds, verdicts: { 0: 18 } }, "valid: the key line came with them");
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("Synapse's whole event_json table (8 rooms of versions 1 to 12): each room shown with its own version, every event valid with both servers' key tables", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    const dump = fixture("synapse/all-rooms/event_json.all-rooms.sqlite-json.json");
    const rows = JSON.parse(readFileSync(dump, "utf8"));
    const rooms = new Map();
    for (const row of rows) {
      const event = JSON.parse(row.json);
      const room = rooms.get(row.room_id) ?? { events: 0, version: null };
      room.events++;
      if (event.type === "m.room.create") room.version = event.content.room_version ?? "1";
      rooms.set(row.room_id, room);
    }
    for (const keys of ["A", "B"]) await load(page, fixture(`synapse/all-rooms/${keys}.server_keys_json.json`));
    await load(page, dump);
    const shown = async (roomId) => {
      const room = rooms.get(roomId);
      assert.equal(await page.evaluate(() => window.mxdag.snapshot.roomId), roomId);
      assert.equal(await count(page, "events"), room.events, roomId);
      assert.equal(await page.textContent("#room-version"), `v${room.version}`, roomId);
      assert.deepEqual(await verdictCounts(page), { 0: room.events }, `${roomId}: every event valid`);
    };
    const [first, ...others] = rooms.keys();
    await shown(first);
    for (const roomId of others) {
      await page.selectOption("#room-select", `fileroom:${roomId}`);
      await page.waitForTimeout(50);
      await idle(page);
      await shown(roomId);
    }
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
