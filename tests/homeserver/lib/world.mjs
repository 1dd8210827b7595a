// The shared fixture of the suite: two Synapses, the rooms built on them, and the federation
// answers fetched from them. Built once per test file in `before()`, stopped in `after()`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createPublicKey } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPair } from "./pair.mjs";
import { buildRooms } from "./rooms.mjs";
import { storedRoom } from "./synapse.mjs";
import { Federation, backfillWholeRoom, EXCHANGES } from "./fetch.mjs";
import { keyFromSeed } from "./http.mjs";
import { loadMxdag } from "./mxdag.mjs";
import { startProxy } from "./proxy.mjs";
import { buildExports } from "./exports.mjs";

/** Unpadded base64 of a server's ed25519 public key, derived from its `signing.key`. */
export function publicKeyOf(hs) {
  const der = createPublicKey(keyFromSeed(hs.signingKey().seed)).export({ format: "der", type: "spki" });
  return der.subarray(der.length - 32).toString("base64").replace(/=+$/, "");
}

/**
 * `roomId` as `hs` stores it, read from its database, and its whole timeline fetched from it
 * through `fed`, saved as one transaction in `<name>.all.json`. Returns `{ pdus, ids, pages,
 * stored, file }` (see backfillWholeRoom).
 */
async function fetchWholeRoom(fed, name, hs, roomId) {
  const stored = storedRoom(hs, roomId);
  const got = await backfillWholeRoom(fed, name, hs.serverName, roomId, stored);
  const file = join(EXCHANGES, `${name}.all.json`);
  writeFileSync(file, JSON.stringify({ origin: hs.serverName, origin_server_ts: Date.now(), pdus: got.pdus }));
  return { ...got, stored, file };
}

/**
 * Loads mxdag, starts both servers, builds the rooms, starts mxdag's signing proxy as each
 * server, and fetches through it, as B from A, every room's whole timeline by /backfill, and,
 * as A from B, the partition room as B holds it. Returns the world; its `stop()` must be
 * called from `after()`. Timings (ms) are in `world.timings`.
 */
export async function buildWorld() {
  const mxdag = await loadMxdag();
  const t0 = Date.now();
  const pair = await startPair();
  const proxies = [];
  const world = {
    ...pair,
    mxdag,
    timings: { install_and_start: Date.now() - t0 },
    stop: async () => {
      await Promise.allSettled(proxies.map((p) => p.stop()));
      await pair.stop();
    },
  };
  try {
    const { a, b } = pair;
    const t1 = Date.now();
    Object.assign(world, await buildRooms(a, b));
    world.timings.build_rooms = Date.now() - t1;
    const t2 = Date.now();
    world.proxyAsB = await startProxy(b, [a.serverName]);
    proxies.push(world.proxyAsB);
    world.proxyAsA = await startProxy(a, [b.serverName]);
    proxies.push(world.proxyAsA);
    world.asB = new Federation(b, world.proxyAsB.transport);
    world.asA = new Federation(a, world.proxyAsA.transport);
    world.keys = {
      a: await world.asB.serverKeys("keys-A", a.serverName),
      b: await world.asA.serverKeys("keys-B", b.serverName),
    };
    // Every room as A holds it, seen by B (what B's server may see: pruned where it may not).
    world.fetched = {};
    for (const room of allRooms(world)) {
      world.fetched[room.label] = await fetchWholeRoom(world.asB, `room-${room.label}-onA`, a, room.roomId);
    }
    // The partition room as B holds it (with its gap), seen by A.
    world.partitionOnB = await fetchWholeRoom(world.asA, "room-partition-onB", b, world.rooms.partition.roomId);
    world.keyFiles = [world.keys.a.files.response, world.keys.b.files.response];
    world.timings.fetch = Date.now() - t2;
    const t3 = Date.now();
    world.exports = await buildExports(world);
    world.timings.exports = Date.now() - t3;
    return world;
  } catch (e) {
    e.message += `\n${pair.a.tail()}\n${pair.b.tail()}`;
    await world.stop();
    throw e;
  }
}

/** Every room of the world as `{ label, roomId, version, … }`. */
export function allRooms(world) {
  const { versions, joined, partition } = world.rooms;
  return [
    ...Object.values(versions).map((r) => ({ ...r, label: `v${r.version}` })),
    { ...joined, label: "joined" },
    { ...partition, label: "partition" },
  ];
}

/**
 * A test on the world `w()`: `fn(world)`. When it fails, the tails of both servers' logs are
 * added to the error (the whole logs stay under tests/artifacts/homeserver/).
 */
export function hsTest(w, name, fn) {
  test(name, async () => {
    const world = w();
    assert.ok(world, "the world (servers, rooms, fetches) was not built: see the before() hook's error");
    try {
      await fn(world);
    } catch (e) {
      e.message += `\n${world.a.tail(15)}\n${world.b.tail(15)}`;
      throw e;
    }
  });
}
