// Reading what Synapse itself stores (SQLite, through Python's sqlite3) and waiting until
// two servers agree on a room.
import { spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { until } from "./homeserver.mjs";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "synapse_db.py");

/**
 * One room as `hs` stores it: `{ events, forward_extremities, backward_extremities,
 * redactions }` (see synapse_db.py), plus `timeline`: the non-outlier, non-rejected events.
 */
export function storedRoom(hs, roomId) {
  const room = query(hs, "room", roomId);
  room.timeline = room.events.filter((e) => !e.outlier && !e.rejected);
  room.byId = new Map(room.events.map((e) => [e.event_id, e]));
  return room;
}

function query(hs, what, key) {
  const r = spawnSync("python3", [SCRIPT, hs.database, what, key], { encoding: "utf8", maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`reading ${hs.name}'s database failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** `hs`'s retry state for `serverName` (its `destinations` row), or null. */
export function destinationState(hs, serverName) {
  return query(hs, "destination", serverName);
}

/** Sorted copy, for comparing sets of IDs. */
export function sorted(ids) {
  return [...ids].sort();
}

/**
 * Waits until each server holds (in its timeline or as an outlier, as a server that joined
 * late holds the state before its join) every timeline event of the other, and both name the
 * same forward extremities: the room has settled. Returns `[roomOnA, roomOnB]`.
 */
export async function settled(a, b, roomId, timeoutMs = 60_000) {
  let last;
  try {
    return await until(`${roomId} to settle on both servers`, () => {
      const ra = storedRoom(a, roomId);
      const rb = storedRoom(b, roomId);
      last = { a: ra.forward_extremities, b: rb.forward_extremities, na: ra.timeline.length, nb: rb.timeline.length };
      const same = (x, y) => JSON.stringify(sorted(x)) === JSON.stringify(sorted(y));
      const holds = (x, y) => x.timeline.every((e) => y.byId.has(e.event_id));
      const ok = holds(ra, rb) && holds(rb, ra) && same(ra.forward_extremities, rb.forward_extremities);
      return ok && [ra, rb];
    }, timeoutMs, 300);
  } catch (e) {
    e.message += `; last seen ${JSON.stringify(last)}`;
    throw e;
  }
}
