// The page's drawing model (www/model.js) over a real RoomDag: gaps sit just before their
// first child, flags and counts come from the DAG, the layout arrays line up with the nodes,
// and the rows from RoomDag.layoutInput draw exactly what the old path by event IDs drew.
import { test } from "node:test";
import assert from "node:assert/strict";
import mx from "../../pkg/node/wasm.js";
import { FLAG, KIND, VERDICT, buildSnapshot, describe } from "../../pkg/www/model.js";
import { prevIds } from "../../pkg/www/parse.js";

/** An engine over a RoomDag holding `pdus` (with event IDs), as www/engine.js is. */
function engineOf(pdus, verdicts = {}) {
  const dag = new mx.RoomDag("!r:x.test");
  dag.addEvents(pdus);
  const events = new Map(pdus.map((p) => [p.event_id, {
    pdu: p, verdict: verdicts[p.event_id] ?? "valid", problems: verdicts[p.event_id] ? [{ code: "x" }] : [], pruned: false,
    prevs: prevIds(p), ...describe(p),
  }]));
  return {
    roomId: "!r:x.test", roomVersion: "1", events, dag,
    layoutInput: () => dag.layoutInput(),
    layout: (o, p, d) => mx.layoutDag(o, p, d),
  };
}

const ev = (id, depth, prev, extra = {}) => ({
  event_id: id, room_id: "!r:x.test", type: "m.room.message", sender: "@u:x.test", depth, origin_server_ts: depth,
  prev_events: prev, content: {}, ...extra,
});

test("a gap is a node placed right before the first event that points at it", () => {
  // $a ← $b ← $c, and $c also names the missing $g; $d is a second tip on $a.
  const pdus = [ev("$a", 1, []), ev("$b", 2, ["$a"]), ev("$c", 3, ["$b", "$g"]), ev("$d", 2, ["$a"], { type: "m.room.topic", state_key: "" })];
  const s = buildSnapshot(engineOf(pdus, { $d: "dropped" }));
  assert.equal(s.n, 5);
  assert.equal(s.ids.indexOf("$g") + 1, s.ids.indexOf("$c"));
  const at = (id) => s.ids.indexOf(id);
  assert.equal(s.kind[at("$g")], KIND.gap);
  assert.equal(s.verdict[at("$g")], VERDICT.gap);
  assert.equal(s.flags[at("$g")], FLAG.gap);
  assert.equal(s.refs[at("$g")], 1);
  assert.equal(s.labels[at("$g")], "missing · 1 event points here");
  assert.equal(s.kind[at("$d")], KIND.state);
  assert.equal(s.verdict[at("$d")], VERDICT.dropped);
  assert.equal(s.flags[at("$d")], FLAG.forward | FLAG.problems);
  assert.equal(s.flags[at("$c")], FLAG.forward);
  assert.equal(s.labels[at("$d")], "m.room.topic · @u:x.test");
  assert.deepEqual(s.counts, { events: 4, forward: 2, backward: 1, outliers: 0, problems: 1, lanes: s.layout.lanes });
  // Rows: newest first, one per node; every edge joins a child to one of its prev events.
  assert.deepEqual([...s.layout.y].sort(), [0, 1, 2, 3, 4]);
  const edges = [];
  for (let k = 0; k < s.layout.edges.length; k += 2) edges.push(`${s.ids[s.layout.edges[k]]}>${s.ids[s.layout.edges[k + 1]]}`);
  assert.deepEqual(edges.sort(), ["$b>$a", "$c>$b", "$c>$g", "$d>$a"]);
  assert.equal(s.layout.problems.length, 0);
});

test("v1/v2 prev_events pairs and an empty room", () => {
  const pdus = [ev("$a", 1, []), ev("$b", 2, [["$a", { sha256: "x" }], ["$z", { sha256: "y" }]])];
  const s = buildSnapshot(engineOf(pdus));
  assert.deepEqual(s.ids, ["$a", "$z", "$b"]);
  assert.equal(s.counts.backward, 1);
  const empty = buildSnapshot(engineOf([]));
  assert.equal(empty.n, 0);
  assert.equal(empty.layout.lanes, 0);
});

/** The rows as the page built them before RoomDag.layoutInput: by event ID, with maps. */
function rowsByIds(dag, events) {
  const gaps = new Map(dag.gaps().map((g) => [g.event_id, g]));
  const index = new Map();
  const ids = [];
  for (const id of dag.linearOrder()) {
    for (const p of events.get(id).prevs) {
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
      for (const p of events.get(id).prevs) if (index.has(p)) parents.push(index.get(p));
      depths[i] = events.get(id).pdu.depth;
    }
    offsets[i + 1] = parents.length;
  });
  return { ids, refs: ids.map((id) => gaps.get(id)?.referenced_by.length ?? 0), layout: mx.layoutDag(offsets, new Uint32Array(parents), depths) };
}

test("the snapshot equals the old path by IDs on a generated room with gaps and outliers", () => {
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
  const engine = engineOf(timeline);
  const outliers = all.filter((_, i) => i % 60 === 30);
  engine.dag.addEvents(outliers, true);
  const s = buildSnapshot(engine);
  const old = rowsByIds(engine.dag, engine.events);
  assert.deepEqual(s.ids, old.ids);
  assert.deepEqual([...s.refs], old.refs);
  for (const key of ["x", "y", "lane", "edges", "backEdges", "runs"]) assert.deepEqual(s.layout[key], old.layout[key], key);
  assert.equal(s.counts.outliers, outliers.length);
  assert.equal(s.counts.backward, engine.dag.gaps().length);
  assert.ok(engine.dag.gaps().some((g) => g.held_as_outlier));
  assert.equal(s.counts.forward, engine.dag.forwardExtremities().length);
});

test("layoutInput IDs: one per row, also when an ID holds a newline", () => {
  const dag = new mx.RoomDag("!r:x.test");
  dag.addEvents([ev("$a", 1, []), ev("$b\nc", 2, ["$a"]), ev("$d", 3, ["$b\nc", "$gone"])]);
  const rows = dag.layoutInput();
  assert.deepEqual(rows.ids, ["$a", "$b\nc", "$gone", "$d"]);
  assert.deepEqual([...rows.flags], [0, 0, 2, 1]);
  assert.deepEqual([...rows.offsets], [0, 0, 1, 1, 3]);
  assert.deepEqual([...rows.parents], [0, 1, 2]);
  assert.deepEqual([...rows.depths], [1, 2, 2, 3]);
  assert.equal(new mx.RoomDag().layoutInput().ids.length, 0);
});
