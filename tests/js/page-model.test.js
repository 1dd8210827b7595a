// The page's drawing model (www/model.js) over a real RoomSession, as www/engine.js hands it
// the session's rows: gaps sit just before their first child, verdicts, kinds, flags and
// counts come from the session, the layout arrays line up with the nodes, and the rows draw
// exactly what a path by event IDs (linear order, gaps, prev_events) draws.
import { test } from "node:test";
import assert from "node:assert/strict";
import mx, { loadTools } from "../../pkg/node/wasm.js";
import { FLAG, KIND, VERDICT, buildSnapshot as buildPacked, transferables } from "../../pkg/www/model.js";
import { PackedStrings, packStrings } from "../../pkg/www/strings.js";

const tools = await loadTools();

/** The snapshot as the page reads it, its IDs and labels (posted packed) as arrays. */
function buildSnapshot(engine) {
  const s = buildPacked(engine);
  return { ...s, ids: new PackedStrings(s.ids).toArray(), labels: new PackedStrings(s.labels).toArray(), packed: s };
}

/** What www/engine.js gives buildSnapshot, over `session`. */
function engineOf(session) {
  return {
    roomId: session.roomId ?? null,
    roomVersion: session.roomVersion ?? null,
    rows: () => session.rows(),
    layout: (offsets, parents, depths) => mx.layoutDag(offsets, parents, depths),
  };
}

/** A session of room `!r:x.test` (version 1) holding `pdus`, each placed. */
function sessionOf(pdus) {
  const session = new mx.RoomSession("!r:x.test", "1");
  if (pdus.length) assert.equal(session.ingest(JSON.stringify(pdus)).added, pdus.length);
  return session;
}

/** An event as a client-API answer has it: an ID given, no hashes nor signatures. */
const ev = (id, depth, prev, extra = {}) => ({
  event_id: id, room_id: "!r:x.test", type: "m.room.message", sender: "@u:x.test", depth, origin_server_ts: depth,
  prev_events: prev, content: {}, ...extra,
});

test("a gap is a node placed right before the first event that points at it", () => {
  // $a ← $b ← $c, and $c also names the missing $g; $d is a second tip on $a.
  const pdus = [ev("$a", 1, []), ev("$b", 2, ["$a"]), ev("$c", 3, ["$b", "$g"]), ev("$d", 2, ["$a"], { type: "m.room.topic", state_key: "" })];
  const session = sessionOf(pdus);
  const s = buildSnapshot(engineOf(session));
  assert.equal(s.n, 5);
  assert.equal(s.roomId, "!r:x.test");
  assert.equal(s.ids.indexOf("$g") + 1, s.ids.indexOf("$c"));
  const at = (id) => s.ids.indexOf(id);
  assert.equal(s.kind[at("$g")], KIND.gap);
  assert.equal(s.verdict[at("$g")], VERDICT.gap);
  assert.equal(s.flags[at("$g")], FLAG.gap);
  assert.equal(s.refs[at("$g")], 1);
  assert.equal(s.labels[at("$g")], "missing · 1 event points here");
  // Client-format events cannot be checked: unchecked, each with the problem that says so.
  assert.equal(s.kind[at("$d")], KIND.state);
  assert.equal(s.kind[at("$c")], KIND.message);
  assert.equal(s.verdict[at("$d")], VERDICT.unchecked);
  assert.equal(s.flags[at("$d")], FLAG.forward | FLAG.problems);
  assert.equal(s.flags[at("$c")], FLAG.forward | FLAG.problems);
  assert.equal(s.flags[at("$a")], FLAG.problems);
  assert.equal(s.labels[at("$d")], "m.room.topic · @u:x.test");
  assert.equal(session.details("$d").problems[0].code, "client_format_event");
  assert.deepEqual(s.counts, { events: 4, forward: 2, backward: 1, outliers: 0, problems: 4, lanes: s.layout.lanes });
  // Rows: newest first, one per node; every edge joins a child to one of its prev events.
  assert.deepEqual([...s.layout.y].sort(), [0, 1, 2, 3, 4]);
  const edges = [];
  for (let k = 0; k < s.layout.edges.length; k += 2) edges.push(`${s.ids[s.layout.edges[k]]}>${s.ids[s.layout.edges[k + 1]]}`);
  assert.deepEqual(edges.sort(), ["$b>$a", "$c>$b", "$c>$g", "$d>$a"]);
  assert.equal(s.layout.problems.length, 0);
  assert.equal(transferables(s.packed).length, 12);
  session.free();
});

test("verdicts of a judged room: redacted, pruned by the sender, dropped", () => {
  const room = tools.generateRoom({ seed: 3, roomVersion: "10", events: 80, damage: { pruned: 1, tampered: true, badSignature: true } });
  const session = new mx.RoomSession(undefined, undefined);
  session.addKeys(JSON.stringify(room.serverKeys));
  session.ingest(JSON.stringify(room.pdus));
  const s = buildSnapshot(engineOf(session));
  const at = (i) => s.ids.indexOf(room.eventIds[i]);
  assert.equal(s.roomVersion, "10");
  assert.equal(s.verdict[at(room.damage.tampered)], VERDICT.redacted);
  assert.equal(s.flags[at(room.damage.tampered)] & FLAG.pruned, 0, "tampered, not pruned");
  for (const i of [...room.damage.pruned, room.damage.redacted]) {
    assert.equal(s.verdict[at(i)], VERDICT.redacted);
    assert.equal(s.flags[at(i)] & (FLAG.pruned | FLAG.problems), FLAG.pruned | FLAG.problems);
  }
  assert.equal(s.verdict[at(room.damage.badSignature)], VERDICT.dropped);
  const valid = [...s.verdict].filter((v) => v === VERDICT.valid).length;
  assert.deepEqual([s.n, valid, s.counts.events, s.counts.backward], [80, 76, 80, 0]);
  assert.equal(s.counts.problems, 4);
  session.free();
});

test("v1/v2 prev_events pairs and an empty room", () => {
  const pdus = [ev("$a", 1, []), ev("$b", 2, [["$a", { sha256: "x" }], ["$z", { sha256: "y" }]])];
  const session = sessionOf(pdus);
  const s = buildSnapshot(engineOf(session));
  assert.deepEqual(s.ids, ["$a", "$z", "$b"]);
  assert.equal(s.counts.backward, 1);
  const none = new mx.RoomSession(undefined, undefined);
  const empty = buildSnapshot(engineOf(none));
  assert.equal(empty.n, 0);
  assert.equal(empty.layout.lanes, 0);
  assert.equal(empty.roomId, null);
  session.free();
  none.free();
});

/** The rows as built by event ID, with maps: the session's linear order, gaps and prev_events. */
function rowsByIds(session, prevsOf) {
  const gaps = new Map(session.gaps().map((g) => [g.event_id, g]));
  const index = new Map();
  const ids = [];
  for (const id of session.linearOrder()) {
    for (const p of prevsOf.get(id).prevs) {
      if (gaps.has(p) && !index.has(p)) {
        index.set(p, ids.length);
        ids.push(p);
      }
    }
    index.set(id, ids.length);
    ids.push(id);
  }
  const offsets = new Uint32Array(ids.length + 1);
  const parents = [];
  const depths = new Float64Array(ids.length);
  ids.forEach((id, i) => {
    const gap = gaps.get(id);
    if (gap) depths[i] = gap.estimated_depth;
    else {
      for (const p of prevsOf.get(id).prevs) if (index.has(p)) parents.push(index.get(p));
      depths[i] = prevsOf.get(id).depth;
    }
    offsets[i + 1] = parents.length;
  });
  return { ids, refs: ids.map((id) => gaps.get(id)?.referenced_by.length ?? 0), layout: mx.layoutDag(offsets, new Uint32Array(parents), depths) };
}

test("the snapshot equals the path by IDs on a generated room with gaps and outliers", () => {
  let seed = 99;
  const rnd = (m) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % m);
  const all = [];
  for (let i = 0; i < 2000; i++) {
    const prev = [];
    for (let k = i === 0 ? 0 : 1 + rnd(3); k > 0; k--) {
      const p = `$e${i - 1 - rnd(Math.min(i, 8))}`;
      if (!prev.includes(p)) prev.push(p);
    }
    all.push(ev(`$e${i}`, i + 1, prev));
  }
  // Every 40th event missing (a gap), every 60th held only as an outlier (a gap held).
  const timeline = all.filter((_, i) => i % 40 !== 20 && i % 60 !== 30);
  const session = sessionOf(timeline);
  const outliers = all.filter((_, i) => i % 60 === 30);
  assert.equal(session.ingest(JSON.stringify(outliers), { outliers: true }).added, outliers.length);
  const s = buildSnapshot(engineOf(session));
  const old = rowsByIds(session, new Map(all.map((e) => [e.event_id, { prevs: e.prev_events, depth: e.depth }])));
  assert.deepEqual(s.ids, old.ids);
  assert.deepEqual([...s.refs], old.refs);
  for (const key of ["x", "y", "lane", "edges", "backEdges", "runs"]) assert.deepEqual(s.layout[key], old.layout[key], key);
  assert.equal(s.counts.outliers, outliers.length);
  assert.equal(s.counts.events, timeline.length + outliers.length);
  assert.equal(s.counts.backward, session.gaps().length);
  assert.ok(session.gaps().some((g) => g.held_as_outlier));
  assert.equal(s.counts.forward, session.forwardExtremities().length);
  session.free();
});

test("row IDs: one per row, also when an ID holds a newline", () => {
  const session = sessionOf([ev("$a", 1, []), ev("$b\nc", 2, ["$a"]), ev("$d", 3, ["$b\nc", "$gone"])]);
  const rows = session.rows();
  assert.deepEqual(rows.ids, ["$a", "$b\nc", "$gone", "$d"]);
  assert.deepEqual([...rows.flags], [0, 0, 2, 1]);
  assert.deepEqual([...rows.offsets], [0, 0, 1, 1, 3]);
  assert.deepEqual([...rows.parents], [0, 1, 2]);
  assert.deepEqual([...rows.depths], [1, 2, 2, 3]);
  assert.equal(rows.labels[2], "", "a gap has no label of its own");
  assert.equal(new mx.RoomSession(undefined, undefined).rows().ids.length, 0);
  session.free();
});

test("IDs and labels cross to the page packed, and read back the same", () => {
  const strings = ["$a", "", "$b\nc", "m.room.message · @u:x.test · “héllo 👋”", "$a", "$z"];
  const packed = new PackedStrings(packStrings(strings));
  assert.equal(packed.length, strings.length);
  assert.deepEqual(packed.toArray(), strings);
  assert.equal(packed.at(-1), "$z");
  assert.equal(packed.at(strings.length), undefined);
  // Before and after its index is built, a value is found at its first position.
  const found = () => ["$a", "", "$b\nc", strings[3], "$z", "$missing", "$"].map((v) => packed.indexOf(v));
  const expected = [0, 1, 2, 3, 5, -1, -1];
  assert.deepEqual(found(), expected);
  packed.buildIndex();
  assert.ok(packed.index, "a short list is indexed at once");
  assert.deepEqual(found(), expected);
  assert.equal(new PackedStrings(packStrings([])).indexOf("$a"), -1);
});

test("the index of packed strings finds each at its first position across its slices, and a stopped build starts again", async () => {
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  // 120,000 strings, 100,003 distinct: later copies repeat earlier ones.
  const strings = Array.from({ length: 120_000 }, (_, i) => `$${(i * 7919) % 100_003}`);
  const first = new Map();
  strings.forEach((s, i) => first.has(s) || first.set(s, i));
  const packed = new PackedStrings(packStrings(strings));
  packed.buildIndex();
  assert.equal(packed.index, null, "built over several tasks");
  while (!packed.index) await sleep(1);
  let wrong = 0;
  for (const [s, i] of first) wrong += Number(packed.indexOf(s) !== i);
  assert.equal(wrong, 0);
  assert.equal(packed.indexOf("$missing"), -1);
  assert.equal(packed.indexOf(""), -1);
  const stopped = new PackedStrings(packStrings(strings));
  stopped.buildIndex();
  stopped.stop();
  await sleep(20);
  assert.equal(stopped.index, null, "a stopped build ends");
  assert.equal(stopped.indexOf(strings[119_999]), first.get(strings[119_999]), "found by scanning meanwhile");
  stopped.buildIndex();
  while (!stopped.index) await sleep(1);
  assert.equal(stopped.indexOf(strings[119_999]), first.get(strings[119_999]));
});
