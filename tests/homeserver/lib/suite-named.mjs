// The answers that name events, asked of the real Synapses through mxdag's signing proxy:
// /timestamp_to_event (the spec's path) against the nearest event in A's database, with
// mxdag's reference answer and contract check; MSC4370 /extremities, which A serves
// (`experimental_features.msc4370_enabled`) and B does not, against A's
// event_forward_extremities and mxdag's own view of the room; and the page opening a room
// from its ID alone through both.
import assert from "node:assert/strict";
import { join } from "node:path";
import { isUnrecognized } from "../../../www/forwards-fill.js";
import { launch, open } from "../../e2e/harness.js";
import { allRooms, hsTest } from "./world.mjs";
import { view } from "./suite-mxdag.mjs";
import { storedRoom, sorted } from "./synapse.mjs";
import { ARTIFACTS } from "./homeserver.mjs";

/** mxdag's contract verdict on an exchange, taken by the session `dag` holding the whole room. */
function contractOf(dag, exchange) {
  return dag.ingest(exchange.body, { source: exchange.request, request: exchange.request, status: exchange.status }).contract;
}

const codes = (contract) => contract.problems.map((p) => [p.code, p.severity]);

/** The timeline events of `stored` with their timestamps, oldest first. */
function timed(stored) {
  return stored.timeline.map((e) => ({ id: e.event_id, ts: e.json.origin_server_ts, depth: e.depth })).sort((x, y) => x.ts - y.ts);
}

/** Registers the tests; `world` gives the world built in the test file's `before()`. */
export function namedSuite(w) {
  hsTest(w, "Synapse's /timestamp_to_event names the nearest event; mxdag's reference answer and contract check agree", async (world) => {
    for (const label of ["v1", "v3", "v10", "v12", "partition"]) {
      const { room, dag, fetched } = view(world).rooms.get(label);
      const events = timed(fetched.stored);
      const middle = events[Math.floor(events.length / 2)];
      const cases = [[middle.ts, "f"], [middle.ts, "b"], [middle.ts + 1, "f"], [middle.ts - 1, "b"], [events[0].ts, "b"], [events.at(-1).ts, "f"]];
      for (const [ts, dir] of cases) {
        const what = `${label} ts=${ts} dir=${dir}`;
        const r = await world.asB.timestampToEvent(`ts-${label}-${ts}-${dir}`, world.a.serverName, room.roomId, ts, dir);
        assert.equal(r.status, 200, `${what}: ${r.body}`);
        const side = events.filter((e) => (dir === "f" ? e.ts >= ts : e.ts <= ts));
        const best = Math.min(...side.map((e) => Math.abs(e.ts - ts)));
        const found = events.find((e) => e.id === r.json.event_id);
        assert.ok(found, `${what}: ${r.json.event_id} is in A's timeline`);
        assert.equal(r.json.origin_server_ts, found.ts, what);
        assert.equal(Math.abs(found.ts - ts), best, `${what}: the nearest`);
        // mxdag's reference answer names an event at the same time (ties at one millisecond
        // are broken by Synapse's stream_ordering, which is not seen from outside).
        const [reference] = dag.referenceAnswer(r.request).event_ids;
        assert.equal(events.find((e) => e.id === reference)?.ts, found.ts, what);
        const contract = contractOf(dag, r);
        assert.equal(contract.endpoint, "timestamp_to_event");
        assert.deepEqual([contract.ok, codes(contract)], [true, []], `${what}: ${JSON.stringify(contract.problems)}`);
      }
      // Beyond the room's first and last events: 404 M_NOT_FOUND, as information.
      for (const [ts, dir] of [[events[0].ts - 1, "b"], [events.at(-1).ts + 1, "f"]]) {
        const r = await world.asB.timestampToEvent(`ts-${label}-none-${dir}`, world.a.serverName, room.roomId, ts, dir);
        assert.deepEqual([r.status, r.json.errcode], [404, "M_NOT_FOUND"], `${label} ${dir}: ${r.body}`);
        assert.deepEqual(codes(contractOf(dag, r)), [["contract_no_event_found", "info"]]);
      }
    }
  });

  hsTest(w, "MSC4370 /extremities on A equals A's database and mxdag's view, each event fetchable; B answers M_UNRECOGNIZED", async (world) => {
    for (const room of allRooms(world)) {
      const { dag } = view(world).rooms.get(room.label);
      const r = await world.asB.extremities(`ext-${room.label}-onA`, world.a.serverName, room.roomId);
      assert.equal(r.status, 200, `${room.label}: ${r.body}`);
      const stored = storedRoom(world.a, room.roomId);
      assert.deepEqual(sorted(r.json.prev_events), sorted(stored.forward_extremities), `${room.label}: A's event_forward_extremities`);
      assert.deepEqual(sorted(r.json.prev_events), sorted(dag.forwardExtremities()), `${room.label}: mxdag's forward extremities of the room fetched whole`);
      assert.deepEqual(sorted(dag.referenceAnswer(r.request).event_ids), sorted(r.json.prev_events), room.label);
      const contract = contractOf(dag, r);
      assert.equal(contract.endpoint, "extremities");
      assert.deepEqual([contract.ok, codes(contract)], [true, []], `${room.label}: ${JSON.stringify(contract.problems)}`);
      for (const id of r.json.prev_events) {
        const e = await world.asB.event(`ext-${room.label}-event`, world.a.serverName, id);
        assert.equal(e.status, 200, `${room.label}: /event ${id}`);
      }
    }
    const { room, dag } = view(world).rooms.get("partition-onB");
    const off = await world.asA.extremities("ext-partition-onB", world.b.serverName, room.roomId);
    assert.ok(isUnrecognized(off.status, off.body), `B without MSC4370: ${off.status} ${off.body}`);
    assert.deepEqual(codes(contractOf(dag, off)), [["error_unrecognized", "info"]]);
  });

  hsTest(w, "the page opens a room from its ID alone on A (MSC4370), and asks for an event ID of B, which lacks it", async (world) => {
    const room = world.rooms.versions[10];
    const browser = await launch();
    try {
      const params = new URLSearchParams({ proxy: world.a.serverName, room: room.roomId });
      const page = await open(browser, `${world.proxyAsB.url}/?${params}`);
      const snapshot = await page.evaluate(() => ({ ids: Array.from(window.mxdag.snapshot.ids), flags: Array.from(window.mxdag.snapshot.flags) }));
      await page.screenshot({ path: join(ARTIFACTS, "inspector-room-id-on-A.png") });
      const forward = sorted(snapshot.ids.filter((_, i) => snapshot.flags[i] & 1));
      assert.deepEqual(forward, sorted(storedRoom(world.a, room.roomId).forward_extremities));
      assert.equal(await page.textContent("#room-version"), "v10");
      assert.equal(await page.isVisible("#connect-why"), false);
      assert.deepEqual(page.errors, []);
      await page.close();
      const onB = await open(browser, `${world.proxyAsA.url}/?${new URLSearchParams({ proxy: world.b.serverName, room: room.roomId })}`);
      assert.match(await onB.textContent("#connect-why"), /does not support MSC4370 \/extremities \(M_UNRECOGNIZED\): give an event ID/);
      assert.deepEqual(onB.errors, []);
      await onB.close();
    } finally {
      await browser.close();
    }
  });
}
