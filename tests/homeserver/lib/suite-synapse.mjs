// What two real Synapses store and answer: the facts the mxdag checks (suite-mxdag.mjs)
// are measured against, and Synapse's departures from the spec, each named.
import assert from "node:assert/strict";
import { allRooms, publicKeyOf, hsTest } from "./world.mjs";
import { SYNAPSE_VERSION } from "./venv.mjs";
import { storedRoom, sorted } from "./synapse.mjs";
import { VERSIONS, PARTITION_MESSAGES } from "./rooms.mjs";

/** Registers the tests; `world` gives the world built in the test file's `before()`. */
export function synapseSuite(w) {
  hsTest(w, "Synapse is the pinned release and both servers publish the key of their signing.key", (world) => {
    assert.equal(world.install.version, SYNAPSE_VERSION);
    for (const [hs, keys] of [[world.a, world.keys.a], [world.b, world.keys.b]]) {
      assert.equal(keys.status, 200);
      assert.equal(keys.json.server_name, hs.serverName);
      const { keyId } = hs.signingKey();
      assert.deepEqual(keys.json.verify_keys, { [keyId]: { key: publicKeyOf(hs) } });
    }
  });

  hsTest(w, "a room exists in each room version, with alice's and bob's servers in it", (world) => {
    for (const v of VERSIONS) {
      const room = world.rooms.versions[v];
      const stored = storedRoom(world.b, room.roomId);
      const create = stored.events.find((e) => e.type === "m.room.create");
      assert.equal(create.json.content.room_version ?? "1", v, `room ${room.roomId}`);
      assert.ok(stored.byId.has(room.redaction), `B holds the redaction in v${v}`);
    }
    assert.match(world.rooms.versions["12"].roomId, /^![A-Za-z0-9_-]{43}$/, "a v12 room ID has no server part");
    assert.match(world.rooms.versions["1"].roomId, /^!.+:127\.0\.0\.1:\d+$/);
  });

  hsTest(w, "the whole timeline of every room comes back through /backfill from A", (world) => {
    for (const room of allRooms(world)) {
      const { ids, stored, pages } = world.fetched[room.label];
      assert.deepEqual(sorted(ids), sorted(stored.timeline.map((e) => e.event_id)), room.label);
      assert.equal(pages, room.label === "v10" ? 2 : 1, `${room.label}: pages of 100`);
    }
  });

  hsTest(w, "history visibility 'joined': A serves B the events before bob's join pruned, and B stores them pruned", (world) => {
    const { beforeJoin, afterJoin } = world.rooms.joined;
    const { pdus, ids, stored } = world.fetched.joined;
    const onB = storedRoom(world.b, world.rooms.joined.roomId);
    for (const id of beforeJoin) {
      const served = pdus[ids.indexOf(id)];
      assert.ok(stored.byId.get(id).json.content.body, `A holds ${id} with its body`);
      assert.deepEqual(served.content, {}, `A serves ${id} pruned`);
      assert.deepEqual(onB.byId.get(id).json.content, {}, `B stores ${id} pruned`);
    }
    for (const id of afterJoin) assert.ok(pdus[ids.indexOf(id)].content.body, `A serves ${id} whole`);
  });

  hsTest(w, "partition: B holds a gap where alice's messages during the outage were; bob forks, alice merges", (world) => {
    const { during, merge, bobBack, tipsBeforeSplit } = world.rooms.partition;
    assert.equal(during.length, PARTITION_MESSAGES + 2);
    const onB = world.partitionOnB.stored;
    const inTimeline = new Set(onB.timeline.map((e) => e.event_id));
    // Like every room B joined, B lists its join's prev event (which it holds as an outlier).
    const [joinPrev, ...gaps] = onB.backward_extremities.filter((id) => !during.includes(id))
      .concat(onB.backward_extremities.filter((id) => during.includes(id)));
    assert.equal(onB.byId.get(joinPrev)?.type, "m.room.member", `B's backward extremities: ${onB.backward_extremities}`);
    assert.equal(gaps.length, 1, `B's backward extremities: ${onB.backward_extremities}`);
    assert.ok(!inTimeline.has(gaps[0]), "B does not hold the gap's event in its timeline");
    // during[0] failed to reach B and may come back with catch-up; the rest was dropped by A.
    assert.deepEqual(during.slice(1).filter((id) => inTimeline.has(id)), during.slice(-10),
      "B fetched the 10 newest (Synapse's get_missing_events limit)");
    assert.equal(gaps[0], during.at(-11), "the gap is the prev event of the oldest fetched");
    assert.deepEqual(sorted(onB.byId.get(bobBack).json.prev_events), sorted(tipsBeforeSplit), "bob's event forks");
    assert.deepEqual(sorted(onB.byId.get(merge).json.prev_events), sorted([bobBack, during.at(-1)]), "alice's merges");
    // during[0], when catch-up brought it, is a tip on B too: its child lies in the gap.
    const tips = inTimeline.has(during[0]) ? [merge, during[0]] : [merge];
    assert.deepEqual(sorted(onB.forward_extremities), sorted(tips));
    assert.deepEqual(world.fetched.partition.stored.forward_extremities, [merge], "A agrees");
    assert.deepEqual(world.fetched.partition.stored.backward_extremities, [], "A has no gap");
  });

  hsTest(w, "every room B joined: B's backward extremity is its join's prev event, held only as an outlier", (world) => {
    for (const v of VERSIONS) {
      const onB = storedRoom(world.b, world.rooms.versions[v].roomId);
      assert.equal(onB.backward_extremities.length, 1, `v${v}: ${onB.backward_extremities}`);
      const [id] = onB.backward_extremities;
      assert.equal(onB.byId.get(id).outlier, true);
      assert.equal(onB.byId.get(id).type, "m.room.member");
    }
  });
}
