// mxdag's state resolution against Synapse's: the state before an event that mxdag computes
// from the fetched room equals what Synapse answers to `GET /state_ids` at that event, and the
// auth chains agree.
//
// Synapse's `/state_ids` is the state *before* the event (FederationHandler.get_state_ids_for_pdu:
// for a state event it puts back `unsigned.replaces_state`, or removes the event's own key), and
// its `auth_chain_ids` is the auth chain of those state events
// (`get_auth_chain_ids(room_id, state_ids)`: the given events only where reachable from another).
import assert from "node:assert/strict";
import { allRooms, hsTest } from "./world.mjs";
import { sorted, storedRoom } from "./synapse.mjs";
import { view } from "./suite-mxdag.mjs";
import { VERSIONS } from "./rooms.mjs";
import { forgedMessage, sendTransaction } from "./forge.mjs";
import { sessionOf } from "./mxdag.mjs";

/**
 * The events of `stored` whose state is compared: every state event of the timeline, every
 * event right after one (its prev events name a state event: after a membership, power levels,
 * name or topic change), and the forward extremities.
 */
export function eventsToCompare(stored) {
  const timeline = new Set(stored.timeline.map((e) => e.event_id));
  const isState = (id) => stored.byId.get(id)?.json.state_key !== undefined;
  const prevIds = (e) => (e.json.prev_events ?? []).map((p) => (Array.isArray(p) ? p[0] : p));
  const picked = new Set();
  for (const e of stored.timeline) {
    if (isState(e.event_id) || prevIds(e).some(isState)) picked.add(e.event_id);
  }
  for (const id of stored.forward_extremities) if (timeline.has(id)) picked.add(id);
  return [...picked];
}

/** Synapse's answer to `/state_ids` at `eventId` in `room`, asked as B of A; throws unless 200. */
async function stateIds(world, room, eventId, n) {
  const r = await world.asB.exchange(`state-ids-${room.label}-${n}`, world.a.serverName, "GET",
    `/_matrix/federation/v1/state_ids/${encodeURIComponent(room.roomId)}?event_id=${encodeURIComponent(eventId)}`);
  assert.equal(r.status, 200, `${room.label}: /state_ids at ${eventId}: ${r.status} ${r.body.slice(0, 300)}`);
  return r.json;
}

/** Registers the tests; `world` gives the world built in the test file's `before()`. */
export function stateSuite(w) {
  hsTest(w, "mxdag's state before each event equals Synapse's /state_ids (every room version), auth chains agree", async (world) => {
    const { rooms } = view(world);
    const versions = new Set();
    let compared = 0;
    for (const room of allRooms(world)) {
      const { dag, fetched } = rooms.get(room.label);
      const ids = eventsToCompare(fetched.stored);
      assert.ok(ids.length >= 3, `${room.label}: events to compare`);
      let n = 0;
      for (const id of ids) {
        const what = `${room.label} (v${room.version}) at ${id} (${fetched.stored.byId.get(id).type})`;
        const synapse = await stateIds(world, room, id, n++);
        const before = dag.stateAt(id, "before").map((s) => s.event_id);
        assert.deepEqual(sorted(before), sorted(synapse.pdu_ids),
          `${what}: mxdag's state before the event equals Synapse's /state_ids pdu_ids`);
        // Synapse's auth_chain_ids: every event reachable by auth events from the state events
        // (a state event itself only when reachable from another, as the create event is);
        // mxdag's: the union of each state event's authChain.
        // In v12 the create event is in no `auth_events` (the room ID names it), so it is in
        // no authChain of mxdag's; Synapse's chain index counts it as every event's auth event
        // and lists it: a difference of definition, named here, not a disagreement on state.
        const chain = new Set(before.flatMap((s) => dag.authChain(s)));
        const create = `$${room.roomId.slice(1)}`;
        if (room.version === "12" && before.some((s) => s !== create)) chain.add(create);
        assert.deepEqual(sorted(chain), sorted(synapse.auth_chain_ids),
          `${what}: the auth chain of the state before equals Synapse's auth_chain_ids`);
        // The event's own auth chain lies within the state before and its auth chain.
        const known = new Set([...synapse.pdu_ids, ...synapse.auth_chain_ids]);
        const own = dag.authChain(id).filter((x) => !known.has(x));
        assert.deepEqual(own, [], `${what}: the event's auth chain is within Synapse's state and auth chain`);
        compared++;
      }
      versions.add(room.version);
    }
    for (const v of VERSIONS) assert.ok(versions.has(v), `room version ${v} compared`);
    console.log(`# state: ${compared} events compared with Synapse's /state_ids in room versions ${sorted(versions).join(", ")}`);
  });
}

/**
 * Part two: an event Synapse rejects. As B (its signing key; sent straight to A, since mxdag's
 * proxy forwards reads only), a message from @mallory on B, who never joined the v11 room, is
 * sent to A by `PUT /send`; its auth events (create, power levels) allow it no membership, so
 * rule 6 (the sender must be joined) fails.
 */
export function rejectedSuite(w) {
  hsTest(w, "an event Synapse rejects (sender never joined) is rejected by mxdag with rule auth_sender_not_joined", async (world) => {
    const { a, b } = world;
    const room = world.rooms.versions["11"];
    const onA = storedRoom(a, room.roomId);
    const last = (type) => onA.timeline.filter((e) => e.type === type && e.json.state_key === "").at(-1).event_id;
    const { pdu, eventId } = forgedMessage(b, "11", {
      room_id: room.roomId,
      sender: `@mallory:${b.serverName}`,
      depth: Math.max(...onA.timeline.map((e) => e.depth)) + 1,
      prev_events: onA.forward_extremities,
      auth_events: [last("m.room.create"), last("m.room.power_levels")],
    });
    const r = await sendTransaction(b, a.serverName, `mxdag-rejected-${Date.now()}`, [pdu]);
    assert.equal(r.status, 200, `PUT /send: ${r.status} ${r.body.slice(0, 300)}`);
    // Synapse persists it as rejected (its `rejections` table).
    const held = storedRoom(a, room.roomId).byId.get(eventId);
    assert.ok(held, `A stores ${eventId} (answer to /send: ${r.body.slice(0, 300)})`);
    assert.equal(held.rejected, true, `A rejected ${eventId}`);
    const said = a.tail(400).split("\n").filter((l) => l.includes(eventId) && /auth|reject|not in room/i.test(l));
    console.log(`# Synapse on ${eventId}: ${said.slice(0, 3).join(" | ") || "(nothing in the log tail)"}`);
    // mxdag, given the room as fetched and the forged event, judges it rejected by rule 6.
    const keys = [world.keys.a.json, world.keys.b.json];
    const dag = sessionOf(world.mxdag, keys, room.roomId, "11");
    try {
      dag.ingest(JSON.stringify(world.fetched.v11.pdus), { source: "backfill", viaBackfill: true });
      const report = dag.ingest(JSON.stringify([pdu]), { source: "send", viaBackfill: false });
      assert.equal(report.events[0].event_id, eventId, "mxdag computes the same event ID");
      const d = dag.details(eventId);
      assert.equal(d.auth?.status, "rejected", `mxdag's check 4 on ${eventId}: ${JSON.stringify(d.auth)}`);
      assert.equal(d.auth.problem.code, "auth_sender_not_joined", JSON.stringify(d.auth.problem));
      assert.equal(report.events[0].verdict, "rejected", JSON.stringify(report.events[0]));
    } finally {
      dag.free();
    }
  });
}
