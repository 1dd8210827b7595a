// mxdag against two real Synapses: verdicts and event IDs against Synapse's database, the
// DAG's extremities and gaps against Synapse's own tables, reference answers against
// Synapse's answers, and mxdag's contract check on every answer Synapse gave.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { allRooms, hsTest } from "./world.mjs";
import { storedRoom, sorted } from "./synapse.mjs";
import { sessionOf, summaryOf, verdicts } from "./mxdag.mjs";

/** What mxdag makes of the fetched rooms, computed once per world. */
const views = new WeakMap();
export function view(world) {
  if (views.has(world)) return views.get(world);
  const { mxdag } = world;
  const keys = [world.keys.a.json, world.keys.b.json];
  const rooms = new Map();
  // Each room as the CLI and the page take it: the fetched transaction, as saved, into a
  // session of its room (`dag`: the session, whose DAG the checks read).
  const add = (label, room, fetched) => {
    const dag = sessionOf(mxdag, keys, room.roomId, room.version);
    const report = dag.ingest(readFileSync(fetched.file, "utf8"), { source: fetched.file, viaBackfill: true });
    if (report.refused > 0) throw new Error(`${label}: the session refused ${report.refused} events: ${JSON.stringify(report.events.filter((e) => e.verdict === "dropped"))}`);
    rooms.set(label, { room, fetched, report, dag });
  };
  for (const room of allRooms(world)) add(room.label, room, world.fetched[room.label]);
  add("partition-onB", world.rooms.partition, world.partitionOnB);
  const v = { keys, rooms };
  views.set(world, v);
  return v;
}

const sameJson = (x, y) => JSON.stringify(x) === JSON.stringify(y);

/**
 * Compares a Synapse answer with mxdag's reference answer as sets, allowing for the one thing
 * Synapse's order does not let us reproduce: which events of the lowest depth in the answer
 * make the cut (Synapse breaks depth ties by its local arrival order).
 */
export function assertSameUpToCut(synapseIds, referenceIds, depthOf, what) {
  assert.equal(synapseIds.length, referenceIds.length, `${what}: as many events`);
  if (synapseIds.length === 0) return;
  const cut = Math.min(...synapseIds.map(depthOf));
  const above = (ids) => sorted(ids.filter((id) => depthOf(id) > cut));
  assert.deepEqual(above(synapseIds), above(referenceIds), `${what}: the same events above the cut depth ${cut}`);
  assert.ok(referenceIds.every((id) => depthOf(id) >= cut), `${what}: the reference does not reach below the cut`);
}

/** Synapse's event IDs of an answer's PDUs (matched by content hash to the stored room). */
export function idsOf(stored, pdus) {
  const byHash = new Map(stored.events.map((e) => [e.json.hashes.sha256, e.event_id]));
  return pdus.map((p) => byHash.get(p.hashes.sha256));
}

/** Registers the tests; `world` gives the world built in the test file's `before()`. */
export function mxdagSuite(w) {
  hsTest(w, "mxdag's sessions take both servers' key answers (self-signatures verified)", (world) => {
    for (const [label, { dag }] of view(world).rooms) {
      const keys = dag.keys();
      assert.equal(keys.length, 2, label);
      assert.ok(keys.every((k) => k.trusted === undefined), `${label}: self-signed, not trusted as given`);
    }
  });

  hsTest(w, "every event Synapse sends validates, none is dropped, and mxdag's event IDs are Synapse's", (world) => {
    for (const [label, { fetched, report }] of view(world).rooms) {
      assert.deepEqual(report.missing_keys, [], label);
      assert.equal(report.counts.dropped, 0, `${label}: ${JSON.stringify(report.events.filter((e) => e.verdict === "dropped"))}`);
      assert.deepEqual(report.events.map((e) => e.event_id), fetched.ids, `${label}: event IDs equal Synapse's`);
      // An event is valid exactly when Synapse served the content it stores; else Synapse
      // pruned it (redaction, history visibility) and mxdag says so.
      fetched.pdus.forEach((pdu, i) => {
        const stored = fetched.stored.byId.get(fetched.ids[i]).json;
        const expected = sameJson(pdu.content, stored.content) ? "valid" : "redacted";
        assert.equal(report.events[i].verdict, expected, `${label} ${fetched.ids[i]}: ${JSON.stringify(report.events[i].problems)}`);
      });
    }
  });

  hsTest(w, "events Synapse pruned (redaction, history visibility 'joined') are 'redacted' and pruned by the sender", (world) => {
    const { rooms } = view(world);
    const redactedIn = (label) => rooms.get(label).report.events.filter((e) => e.verdict === "redacted");
    for (const [label, { report }] of rooms) {
      for (const e of report.events.filter((x) => x.verdict === "redacted")) {
        assert.equal(e.pruned_by_sender, true, `${label} ${e.event_id}: ${JSON.stringify(e.problems)}`);
      }
    }
    for (const room of Object.values(world.rooms.versions)) {
      assert.deepEqual(redactedIn(`v${room.version}`).map((e) => e.event_id), [room.redacted], `v${room.version}`);
    }
    const joined = redactedIn("joined").map((e) => e.event_id);
    for (const id of world.rooms.joined.beforeJoin) assert.ok(joined.includes(id), `${id} is pruned for B`);
  });

  hsTest(w, "every event in Synapse's own databases validates with the event ID Synapse stored", (world) => {
    const { keys } = view(world);
    for (const room of allRooms(world)) {
      for (const hs of [world.a, world.b]) {
        const stored = storedRoom(hs, room.roomId);
        const report = verdicts(world.mxdag, keys, stored.events.map((e) => e.json), room.version);
        assert.deepEqual(report.events.map((e) => e.event_id), stored.events.map((e) => e.event_id), `${room.label} on ${hs.name}`);
        report.events.forEach((e, i) => {
          // B stores the events A pruned for it as they came: pruned by their sender.
          const prunedForB = hs === world.b && room.label === "joined" && e.verdict === "redacted";
          assert.ok(e.verdict === "valid" || (prunedForB && e.pruned_by_sender),
            `${room.label} on ${hs.name}: ${stored.events[i].event_id} is ${e.verdict} ${JSON.stringify(e.problems)}`);
        });
      }
    }
  });

  hsTest(w, "an altered copy of a real event is caught: a changed body is tampered, a changed timestamp dropped", (world) => {
    const { keys, rooms } = view(world);
    for (const label of ["v1", "v11", "v12"]) {
      const { fetched, room } = rooms.get(label);
      const i = fetched.pdus.findIndex((p) => p.type === "m.room.message" && p.content.body);
      const real = fetched.pdus[i];
      const body = { ...real, content: { ...real.content, body: "altered" } };
      const ts = { ...real, origin_server_ts: real.origin_server_ts + 1 };
      const report = verdicts(world.mxdag, keys, [real, body, ts], room.version);
      const [r, b, t] = report.events;
      assert.equal(r.verdict, "valid", label);
      assert.equal(b.verdict, "redacted", `${label} body: ${JSON.stringify(b.problems)}`);
      assert.equal(b.pruned_by_sender, false, `${label}: a changed body is tampering, not pruning`);
      assert.equal(b.event_id, fetched.ids[i], `${label}: the body is not part of the reference hash`);
      assert.equal(t.verdict, "dropped", `${label} timestamp: ${JSON.stringify(t.problems)}`);
    }
  });

  hsTest(w, "the DAG's forward extremities are Synapse's event_forward_extremities; A holds no gap; concurrent sends fork", (world) => {
    for (const [label, { dag, fetched }] of view(world).rooms) {
      if (label === "partition-onB") continue;
      assert.deepEqual(sorted(dag.forwardExtremities()), sorted(fetched.stored.forward_extremities), label);
      assert.deepEqual(dag.gaps(), [], `${label}: A holds the whole room`);
      assert.deepEqual(fetched.stored.backward_extremities, [], `${label}: Synapse agrees`);
      if (/^v\d+$/.test(label)) {
        const { counts } = summaryOf(dag);
        assert.ok(counts.forks >= 1 && counts.merges >= 1, `${label}: alice and bob sending at once fork: ${JSON.stringify(counts)}`);
      }
    }
  });

  hsTest(w, "after the partition, the gaps mxdag finds on B are B's event_backward_extremities", (world) => {
    const { dag, fetched } = view(world).rooms.get("partition-onB");
    const stored = fetched.stored;
    assert.deepEqual(sorted(dag.forwardExtremities()), sorted(stored.forward_extremities), "forward extremities");
    const gaps = dag.gaps();
    assert.deepEqual(sorted(gaps.map((g) => g.event_id)), sorted(stored.backward_extremities), "backward extremities");
    const { during } = world.rooms.partition;
    const gap = gaps.find((g) => g.event_id === during.at(-11));
    assert.ok(gap, "the partition's gap is one of them");
    assert.deepEqual(gap.referenced_by, [during.at(-10)], "referenced by the oldest event B fetched");
    // On A, which holds everything, bob's event after the restart forks and alice's merges.
    const { counts } = summaryOf(view(world).rooms.get("partition").dag);
    assert.ok(counts.forks >= 1 && counts.merges >= 1, JSON.stringify(counts));
  });
}
