// mxdag's reference answers against Synapse's answers to the same requests on the same DAG,
// mxdag's contract check on every answer Synapse gave, and forwards fill on a server that
// does not implement it.
import { FORWARDS_FILL_PATHS } from "../../../www/forwards-fill.js";
import assert from "node:assert/strict";
import { hsTest } from "./world.mjs";
import { view, assertSameUpToCut, idsOf } from "./suite-mxdag.mjs";
import { verdicts } from "./mxdag.mjs";
import { sorted } from "./synapse.mjs";
import { LONG_ROOM_MESSAGES } from "./rooms.mjs";

/** The fetched room `label` (A's view) with a depth lookup. */
function roomView(world, label) {
  const v = view(world).rooms.get(label);
  const depthOf = (id) => v.fetched.stored.byId.get(id).depth;
  return { ...v, depthOf, stored: v.fetched.stored };
}

/**
 * mxdag's contract verdict on an exchange the suite made, the answer taken as received by
 * the room's session (`dag`), which holds the whole room: judged against it as held before.
 */
function contractOf(world, dag, version, exchange) {
  const body = exchange.content === undefined ? undefined : JSON.stringify(exchange.content);
  const report = dag.ingest(exchange.body, { source: exchange.request, request: exchange.request, body, status: exchange.status });
  assert.equal(report.room_version ?? version, version);
  return report.contract;
}

const codes = (contract) => contract.problems.map((p) => p.code);

/** Registers the tests; `world` gives the world built in the test file's `before()`. */
export function answersSuite(w) {
  hsTest(w, "reference /backfill (Synapse order) equals Synapse's answers, as sets up to the depth of the cut", async (world) => {
    for (const label of ["v1", "v3", "v10", "v11", "v12", "partition"]) {
      const { room, dag, depthOf, stored } = roomView(world, label);
      const middle = stored.timeline[Math.floor(stored.timeline.length / 2)].event_id;
      for (const [name, v, limit] of [["tips", stored.forward_extremities, 10], ["middle", [middle], 7],
        ["tips-all", stored.forward_extremities, 100]]) {
        const r = await world.asB.backfill(`ref-backfill-${label}-${name}`, world.a.serverName, room.roomId, v, limit);
        assert.equal(r.status, 200, r.body);
        const reference = dag.referenceAnswer(r.request).event_ids;
        assertSameUpToCut(idsOf(stored, r.json.pdus), reference, depthOf, `${label} ${name}`);
        const contract = contractOf(world, dag, room.version, r);
        assert.equal(contract.ok, true, JSON.stringify(contract.problems));
        assert.equal(contract.ordering, "synapse", `${label} ${name}: mxdag recognises Synapse's order`);
      }
    }
  });

  hsTest(w, "Synapse departures on /backfill, named: limit capped at 100, unknown v events skipped silently", async (world) => {
    const { room, dag, depthOf, stored } = roomView(world, "v10");
    const r = await world.asB.backfill("ref-backfill-v10-cap", world.a.serverName, room.roomId, stored.forward_extremities, 1000);
    assert.equal(r.json.pdus.length, 100, "Synapse caps at 100");
    assert.equal(dag.referenceAnswer(r.request).event_ids.length, stored.timeline.length, "the reference does not cap");
    const capped = dag.referenceAnswer(r.request.replace("limit=1000", "limit=100")).event_ids;
    assertSameUpToCut(idsOf(stored, r.json.pdus), capped, depthOf, "v10 capped");
    const contract = contractOf(world, dag, room.version, r);
    assert.equal(contract.ok, true);
    assert.ok(codes(contract).includes("contract_server_cap"), JSON.stringify(contract.problems));
    const unknown = "$unknownEventIdThatNoServerHolds0000000000000";
    const u = await world.asB.backfill("ref-backfill-v10-unknown-v", world.a.serverName, room.roomId,
      [unknown, stored.forward_extremities[0]], 5);
    assert.equal(u.status, 200, "Synapse answers, skipping the unknown v event");
    assert.equal(u.json.pdus.length, 5);
    assert.equal(contractOf(world, dag, room.version, u).ok, true, "and the answer keeps the contract");
  });

  hsTest(w, "reference /get_missing_events equals Synapse's answers", async (world) => {
    const long = roomView(world, "v10");
    const msgs = long.room.sent.slice(8, 8 + LONG_ROOM_MESSAGES);
    const joined = roomView(world, "v11");
    const bobJoin = joined.stored.timeline.find((e) => e.type === "m.room.member" && e.json.sender === world.bob.userId &&
      e.json.content.membership === "join").event_id;
    const cases = [
      ["linear", long, { limit: 10, min_depth: 0, earliest_events: [msgs[40]], latest_events: [msgs[60]] }, msgs.slice(50, 60)],
      ["forked", joined, { limit: 20, min_depth: 0, earliest_events: [bobJoin], latest_events: joined.stored.forward_extremities }, null],
    ];
    for (const [name, rv, body, expected] of cases) {
      const r = await world.asB.getMissingEvents(`ref-gme-${name}`, world.a.serverName, rv.room.roomId, body);
      assert.equal(r.status, 200, r.body);
      const got = idsOf(rv.stored, r.json.events);
      const reference = rv.dag.referenceAnswer(r.request, JSON.stringify(body)).event_ids;
      assert.deepEqual(sorted(got), sorted(reference), name);
      if (expected) assert.deepEqual(sorted(got), sorted(expected), `${name}: the 10 before latest_events`);
      else assert.ok(got.length > 0 && got.length < body.limit, `${name}: the whole walk, no cut (${got.length})`);
      assert.ok(body.latest_events.every((id) => !got.includes(id)), `${name}: Synapse leaves latest_events out`);
      const contract = contractOf(world, rv.dag, rv.room.version, r);
      assert.equal(contract.ok, true, JSON.stringify(contract.problems));
      assert.equal(contract.ordering, "synapse", name);
    }
  });

  hsTest(w, "Synapse departures on /get_missing_events, named: limit capped at 20, min_depth ignored", async (world) => {
    const { room, dag, depthOf, stored } = roomView(world, "v10");
    const create = stored.timeline.find((e) => e.type === "m.room.create").event_id;
    const base = { min_depth: 0, earliest_events: [create], latest_events: stored.forward_extremities };
    const cap = await world.asB.getMissingEvents("ref-gme-cap", world.a.serverName, room.roomId, { ...base, limit: 50 });
    assert.equal(cap.json.events.length, 20, "Synapse caps at 20");
    const at50 = dag.referenceAnswer(cap.request, JSON.stringify({ ...base, limit: 50 })).event_ids;
    assert.equal(at50.length, 50, "the reference does not cap");
    // Where the cut falls among the forks near the tips is Synapse's own affair: compare as sets.
    const capped = idsOf(stored, cap.json.events);
    assert.ok(capped.every((id) => at50.includes(id)), "Synapse's 20 are among the reference's 50");
    const capContract = contractOf(world, dag, room.version, cap);
    assert.equal(capContract.ok, true);
    assert.ok(codes(capContract).includes("contract_server_cap"), JSON.stringify(capContract.problems));

    const top = Math.max(...stored.timeline.map((e) => e.depth));
    const deep = { ...base, limit: 10, min_depth: top };
    const r = await world.asB.getMissingEvents("ref-gme-min-depth", world.a.serverName, room.roomId, deep);
    assert.ok(idsOf(stored, r.json.events).every((id) => depthOf(id) < top), "Synapse returns events below min_depth");
    const reference = dag.referenceAnswer(r.request, JSON.stringify(deep)).event_ids;
    assert.ok(reference.every((id) => depthOf(id) >= top), "the reference answer honours min_depth");
    const contract = contractOf(world, dag, room.version, r);
    assert.equal(contract.ok, true, "ignoring min_depth is still within the contract");
    assert.ok(codes(contract).includes("contract_below_min_depth"), JSON.stringify(contract.problems));
  });

  hsTest(w, "forwards fill: Synapse answers 404 M_UNRECOGNIZED on all three paths; the proxy reports 'unsupported'", async (world) => {
    const { room, dag, stored } = roomView(world, "v12");
    const from = [stored.timeline[3].event_id];
    const answers = [];
    for (const form of FORWARDS_FILL_PATHS) {
      answers.push(await world.asB.forwardsFill(`ff-${form.name}`, world.a.serverName, room.roomId, from, 10, form));
    }
    const [stable] = answers;
    for (const r of answers) {
      assert.equal(r.status, 404, r.body);
      assert.equal(r.json.errcode, "M_UNRECOGNIZED");
      const contract = contractOf(world, dag, room.version, r);
      assert.ok(codes(contract).includes("error_unrecognized"), JSON.stringify(contract));
    }
    assert.equal(stable.headers?.["x-mxdag-forwards-fill"], "unsupported",
      "the proxy tried the stable path, then both unstable ones, and reports that none is implemented");
  });

  hsTest(w, "/event answers validate, with Synapse's event IDs (the redacted one pruned by its sender)", async (world) => {
    for (const label of ["v1", "v11", "v12"]) {
      const { room, stored } = roomView(world, label);
      for (const id of [room.sent[0], room.topic, room.redacted]) {
        const r = await world.asB.event(`event-${label}-${id.slice(1, 9)}`, world.a.serverName, id);
        assert.equal(r.status, 200, r.body);
        assert.equal(r.json.pdus.length, 1);
        const [e] = verdicts(world.mxdag, view(world).keys, r.json.pdus, room.version).events;
        assert.equal(e.event_id, id);
        assert.equal(e.verdict, id === room.redacted ? "redacted" : "valid", JSON.stringify(e.problems));
        if (id === room.redacted) assert.equal(e.pruned_by_sender, true);
        assert.ok(stored.byId.has(id));
      }
    }
  });

  hsTest(w, "every answer Synapse gave in this run keeps its endpoint's contract (mxdag's check)", (world) => {
    const { rooms } = view(world);
    const byRoom = new Map([...rooms].filter(([l]) => l !== "partition-onB").map(([, v]) => [v.room.roomId, v]));
    let checked = 0;
    for (const [fed, onB] of [[world.asB, false], [world.asA, true]]) {
      for (const x of fed.log) {
        const walking = /\/(?:backfill|get_missing_events|forwards_fill)\/([^/?]+)/.exec(x.request);
        if (!walking) continue;
        const roomId = decodeURIComponent(walking[1]);
        const v = onB ? rooms.get("partition-onB") : byRoom.get(roomId);
        const contract = contractOf(world, v.dag, v.room.version, x);
        assert.equal(contract.ok, true, `${x.name}: ${JSON.stringify(contract.problems)}`);
        checked++;
      }
    }
    assert.ok(checked >= 30, `checked ${checked} answers`);
  });
}
