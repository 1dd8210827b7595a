// Timeline of the built pkg/: pages of a generated room with gap entries, tokens across
// pages, jump to a date, thrown errors with a code, and fillGap (mxdag/timeline-fill)
// filling gaps from a server's reference answers while what was read keeps its order.
import assert from "node:assert/strict";
import { test } from "node:test";

import mx, { loadTools } from "../../pkg/node/wasm.js";
import { responseText } from "../../pkg/node/commands/answer.js";
import { fillGap } from "../../pkg/www/timeline-fill.js";

const tools = await loadTools();
const big = tools.generateRoom({ seed: 12, roomVersion: "12", events: 300, redaction: false });
const keys = JSON.stringify(big.serverKeys);

/** A session holding the whole room: the server a transport asks. */
function server() {
  const s = new mx.RoomSession(undefined, undefined);
  s.addKeys(keys);
  assert.equal(s.ingest(JSON.stringify(big.pdus)).added, 300);
  return s;
}

/** A session holding part of the room: the oldest 3, 5 in the middle, the newest 40. */
function partial() {
  const s = new mx.RoomSession(big.roomId, undefined);
  s.addKeys(keys);
  const kept = big.pdus.filter((_, i) => i < 3 || i >= 260 || (i >= 120 && i < 125));
  s.ingest(JSON.stringify(kept), { source: "held" });
  return s;
}

/** Every page forwards from the start: the event IDs and the gap entries. */
function readAll(timeline, limit) {
  const ids = [];
  const gaps = [];
  let page = timeline.page({ limit });
  for (;;) {
    ids.push(...page.chunk.map((e) => e.event_id));
    gaps.push(...page.gaps);
    if (!page.more) return { ids, gaps, end: page.end };
    page = timeline.page({ from: page.end, limit });
  }
}

/** Whether `small` appears in `large` in the same order. */
function isSubsequence(small, large) {
  let i = 0;
  for (const id of large) if (id === small[i]) i += 1;
  return i === small.length;
}

test("pages forwards and backwards cover the linear order, with a gap entry per event lacking history", () => {
  const session = partial();
  const timeline = new mx.Timeline(session, undefined);
  const order = session.linearOrder();
  assert.equal(timeline.length, order.length);
  const { ids, gaps } = readAll(timeline, 7);
  assert.deepEqual(ids, order);
  assert.ok(gaps.length >= 2, JSON.stringify(gaps));
  for (const gap of gaps) {
    assert.ok(gap.missing_event_ids.length > 0);
    for (const id of gap.missing_event_ids) assert.notEqual(session.details(id)?.held, true, id);
    assert.ok(gap.estimated_missing >= gap.missing_event_ids.length);
    // The tokens either side of the gap's event.
    const before = timeline.page({ from: gap.prev_pagination_token, dir: "f", limit: 1 });
    assert.equal(before.chunk[0].event_id, gap.event_id);
    const after = timeline.page({ from: gap.next_pagination_token, dir: "b", limit: 1 });
    assert.equal(after.chunk[0].event_id, gap.event_id);
  }
  // Backwards from the newest end: newest first.
  const newest = timeline.page({ dir: "b", limit: 5 });
  assert.deepEqual(newest.chunk.map((e) => e.event_id), order.slice(-5).reverse());
  assert.equal(newest.dir, "b");
  const event = newest.chunk[0];
  assert.equal(typeof event.origin_server_ts, "number");
  assert.equal(event.verdict, "valid");
  assert.ok(event.summary.length > 0 && event.type.length > 0 && event.sender.startsWith("@"));
  // From an event, in both directions, the event included.
  const middle = order[20];
  assert.equal(timeline.page({ eventId: middle, limit: 3 }).chunk[0].event_id, middle);
  assert.equal(timeline.page({ eventId: middle, dir: "b", limit: 3 }).chunk[0].event_id, middle);
  timeline.free();
  session.free();
});

test("jump to a date: the closest held event at or after (f), at or before (b), else undefined", () => {
  const session = partial();
  const timeline = new mx.Timeline(session, undefined);
  const events = timeline.page({ limit: 1000 }).chunk;
  const times = events.map((e) => e.origin_server_ts);
  const probes = [Math.min(...times) - 1, times[10], times[10] + 1, times[30] - 1, Math.max(...times), Math.max(...times) + 1];
  for (const ts of probes) {
    const after = events.filter((e) => e.origin_server_ts >= ts);
    const before = events.filter((e) => e.origin_server_ts <= ts);
    const f = timeline.jump(ts, "f");
    const b = timeline.jump(ts, "b");
    if (after.length === 0) assert.equal(f, undefined);
    else assert.equal(events.find((e) => e.event_id === f).origin_server_ts, Math.min(...after.map((e) => e.origin_server_ts)));
    if (before.length === 0) assert.equal(b, undefined);
    else assert.equal(events.find((e) => e.event_id === b).origin_server_ts, Math.max(...before.map((e) => e.origin_server_ts)));
    // A page from the date starts at the jump's event.
    if (f !== undefined) assert.equal(timeline.page({ ts, limit: 2 }).chunk[0].event_id, f);
  }
  timeline.free();
  session.free();
});

test("errors are thrown with a code", () => {
  const session = partial();
  const timeline = new mx.Timeline(session, undefined);
  const code = (f) => {
    try {
      f();
    } catch (error) {
      assert.ok(error instanceof Error);
      return error.code;
    }
    return "no error";
  };
  assert.equal(code(() => timeline.page({ from: "nonsense" })), "timeline_bad_token");
  assert.equal(code(() => timeline.page({ eventId: "$never" })), "timeline_unknown_event");
  assert.equal(code(() => timeline.page({ dir: "x" })), "timeline_bad_direction");
  assert.equal(code(() => timeline.page({ limit: 0 })), "invalid_argument");
  assert.equal(code(() => timeline.page({ from: timeline.page().end, eventId: big.eventIds[0] })), "invalid_argument");
  assert.equal(code(() => timeline.jump(1, "x")), "timeline_bad_direction");
  assert.equal(code(() => timeline.fillRequests("$never", { servers: ["a"] })), "timeline_unknown_event");
  assert.equal(code(() => timeline.fillRequests(big.eventIds[299], { servers: ["a"], strategy: "x" })), "planner_unknown_strategy");
  assert.equal(code(() => new mx.Timeline(session, "!other:room")), "timeline_unknown_room");
  // Read again as another version, the room has other event IDs: the index is rebuilt and
  // tokens written before are stale.
  const token = timeline.page({ limit: 3 }).end;
  session.reread("11");
  assert.equal(timeline.refresh().rebuilt, true);
  assert.equal(code(() => timeline.page({ from: token })), "timeline_stale_token");
  timeline.free();
  session.free();
});

test("fillGap fills gaps in any order from a server's answers; what was read keeps its order", async () => {
  const peer = server();
  const fetch = async (request) => {
    const answer = peer.referenceAnswer(`${request.method} ${request.path}`, request.body ?? undefined);
    return { status: 200, body: responseText(answer.endpoint, peer.pickEvents(answer.event_ids), "peer.test", 1) };
  };
  for (const pick of [(gaps) => gaps[0], (gaps) => gaps[gaps.length - 1]]) {
    const session = partial();
    const timeline = new mx.Timeline(session, undefined);
    const read = readAll(timeline, 50);
    const seen = read.ids;
    const oldEnd = read.end;
    let gaps = read.gaps;
    let rounds = 0;
    while (gaps.length > 0) {
      assert.ok((rounds += 1) < 100, "gaps close");
      const gap = pick(gaps);
      const result = await fillGap(timeline, gap, fetch, { servers: ["peer.test"], limit: 20 });
      assert.ok(result.requests.length > 0);
      assert.deepEqual(result.failed, []);
      assert.ok(result.reports.every((r) => r.outcome === "valid" && r.contract?.ok === true));
      // The page ends with the gap's event; the events inserted before it are there.
      assert.equal(result.page.chunk.at(-1).event_id, gap.event_id);
      assert.ok(result.inserted.length > 0);
      for (const run of result.inserted) {
        const first = timeline.page({ from: run.prev_pagination_token, limit: run.event_ids.length });
        assert.deepEqual(first.chunk.map((e) => e.event_id), run.event_ids);
      }
      const now = readAll(timeline, 50);
      assert.ok(isSubsequence(seen, now.ids), "what was read keeps its order");
      gaps = now.gaps;
    }
    assert.deepEqual(new Set(readAll(timeline, 50).ids), new Set(big.eventIds));
    // A token written before any fill still works.
    assert.equal(timeline.page({ from: oldEnd, dir: "b", limit: 1 }).chunk[0].event_id, seen.at(-1));
    timeline.free();
    session.free();
  }
  peer.free();
});
