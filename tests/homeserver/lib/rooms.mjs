// The rooms the suite builds through the client API of two federating Synapses.
import { User } from "./client.mjs";
import { until } from "./homeserver.mjs";
import { settled, storedRoom, destinationState } from "./synapse.mjs";

/** Room versions with one room each: 1 (event IDs with a server part), 3, 10, 11, 12. */
export const VERSIONS = ["1", "3", "10", "11", "12"];

/** Messages sent in the v10 room so that it outgrows Synapse's backfill cap of 100. */
export const LONG_ROOM_MESSAGES = 110;

/** Messages alice sends while bob's server is down: more than the 10 of Synapse's get_missing_events. */
export const PARTITION_MESSAGES = 25;

/** alice on A creates a room, bob on B joins it; both may set state (bob has power 50). */
async function sharedRoom(alice, bob, options) {
  // From v12 the creator has unlimited power and must not be listed in `users`.
  const users = options.room_version === "12" ? {} : { [alice.userId]: 100 };
  const roomId = await alice.createRoom({
    power_level_content_override: { users: { ...users, [bob.userId]: 50 } },
    ...options,
  });
  await alice.invite(roomId, bob.userId);
  await bob.join(roomId, [alice.hs.serverName]);
  await until(`alice to see bob's join in ${roomId}`, async () => {
    const members = await alice.api("GET", `/rooms/${encodeURIComponent(roomId)}/joined_members`);
    return bob.userId in members.joined;
  });
  return roomId;
}

/** `rounds` rounds of alice and bob sending at once: concurrent events, hence forks. */
async function concurrentSends(alice, bob, roomId, rounds, label) {
  const ids = [];
  for (let i = 0; i < rounds; i++) {
    ids.push(...await Promise.all([alice.say(roomId, `${label} alice ${i}`), bob.say(roomId, `${label} bob ${i}`)]));
  }
  return ids;
}

/**
 * A room in `version`: forks from concurrent sends, state changes from both sides, a redaction,
 * and (for v10) more than 100 messages.
 */
async function versionRoom(alice, bob, version) {
  const roomId = await sharedRoom(alice, bob, { room_version: version, name: `mxdag v${version}` });
  const sent = await concurrentSends(alice, bob, roomId, 4, `v${version}`);
  const topic = await alice.state(roomId, "m.room.topic", { topic: `room version ${version}` });
  const name = await bob.state(roomId, "m.room.name", { name: `renamed by bob (v${version})` });
  const redacted = await alice.say(roomId, "this message will be redacted");
  const redaction = await alice.redact(roomId, redacted, "testing redaction");
  if (version === "10") {
    for (let i = 0; i < LONG_ROOM_MESSAGES; i++) sent.push(await alice.say(roomId, `long room ${i}`));
  }
  sent.push(...await concurrentSends(alice, bob, roomId, 2, `v${version} end`));
  await settled(alice.hs, bob.hs, roomId);
  return { roomId, version, sent, topic, name, redacted, redaction };
}

/**
 * A room with `history_visibility: joined`: alice talks before bob is invited, so A prunes
 * those events for B, and bob's server receives them pruned when it backfills.
 */
async function joinedHistoryRoom(alice, bob) {
  const roomId = await alice.createRoom({
    room_version: "11",
    initial_state: [{ type: "m.room.history_visibility", state_key: "", content: { history_visibility: "joined" } }],
  });
  const beforeJoin = [];
  for (let i = 0; i < 5; i++) beforeJoin.push(await alice.say(roomId, `secret before bob joined ${i}`));
  await alice.invite(roomId, bob.userId);
  const join = (await bob.join(roomId, [alice.hs.serverName])).event_id;
  const afterJoin = [await alice.say(roomId, "bob can read this"), await bob.say(roomId, "hello")];
  // bob paginating makes his server backfill from A: it receives the pruned events.
  // bob himself never sees them: look in B's database.
  await until("bob's server to backfill the pruned history", async () => {
    await bob.messages(roomId, 50);
    return beforeJoin.every((id) => storedRoom(bob.hs, roomId).byId.has(id));
  });
  return { roomId, version: "11", beforeJoin, join, afterJoin };
}

/**
 * A partition: B stops; alice's first message fails to reach it and A backs off from B for
 * two hours (see pair.mjs); A drops every later event for B (catch-up mode). alice sends
 * PARTITION_MESSAGES more and a state change; B restarts; bob's event (a fork: it knows
 * nothing of alice's messages) tells A that B is up; alice's next event merges both branches
 * and reaches B, which fetches only 10 of the missing events by get_missing_events: a gap.
 */
async function partitionRoom(alice, bob) {
  const a = alice.hs;
  const b = bob.hs;
  const roomId = await sharedRoom(alice, bob, { room_version: "12" });
  const beforeSplit = await concurrentSends(alice, bob, roomId, 2, "before partition");
  const [, onB] = await settled(a, b, roomId);
  const tipsBeforeSplit = onB.forward_extremities;
  await b.stop();
  const during = [await alice.say(roomId, "while B is down: A notices")];
  await until("A to back off from B", () => destinationState(a, b.serverName)?.retry_interval > 3600_000);
  for (let i = 0; i < PARTITION_MESSAGES; i++) {
    during.push(await alice.say(roomId, `while B is down ${i}`));
    if (i === 10) during.push(await alice.state(roomId, "m.room.topic", { topic: "changed during the partition" }));
  }
  await b.start();
  const bobBack = await bob.say(roomId, "B is back");
  await until("A to receive bob's event after the restart", () => alice.sees(roomId, bobBack), 60_000);
  const merge = await alice.say(roomId, "alice merges");
  await until("B to receive alice's merge", () => bob.sees(roomId, merge), 60_000);
  return { roomId, version: "12", beforeSplit, tipsBeforeSplit, during, bobBack, merge };
}

/** Registers alice (on A) and bob (on B) and builds every room; returns `{ alice, bob, rooms }`. */
export async function buildRooms(a, b) {
  const alice = await User.register(a, "alice");
  const bob = await User.register(b, "bob");
  const rooms = { versions: {} };
  for (const v of VERSIONS) rooms.versions[v] = await versionRoom(alice, bob, v);
  rooms.joined = await joinedHistoryRoom(alice, bob);
  rooms.partition = await partitionRoom(alice, bob);
  return { alice, bob, rooms };
}
