// mxdag's wasm API as the suite uses it: the key ring from both servers' key answers, the
// verdict of every PDU, and a RoomDag of what was fetched.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./venv.mjs";

/** The built package (`scripts/build` writes it); `MXDAG_PKG` may point at another build. */
export const PKG = process.env.MXDAG_PKG ?? join(ROOT, "pkg");

/** Loads `pkg/node/wasm.js`; throws (the suite fails) when the package is not built. */
export async function loadMxdag() {
  const entry = join(PKG, "node", "wasm.js");
  if (!existsSync(entry)) throw new Error(`mxdag is not built (no ${entry}): run scripts/build first`);
  const { mxdag } = await import(pathToFileURL(entry).href);
  return mxdag;
}

/** A KeyRing holding every key answer given (objects); throws when one is refused. */
export function keyRingOf(mxdag, answers) {
  const ring = new mxdag.KeyRing();
  for (const answer of answers) {
    const { added, problems } = ring.addResponse(answer);
    if (added < 1 || problems.length > 0) {
      throw new Error(`mxdag refused ${answer.server_name}'s keys: ${JSON.stringify(problems)}`);
    }
  }
  return ring;
}

/** mxdag's report on `pdus` (objects) in `version`, as events that came by backfill. */
export function verdicts(mxdag, ring, pdus, version) {
  return mxdag.validateEvents(pdus, version, ring, { viaBackfill: true });
}

/** `pdus` with the event IDs mxdag computed attached (RoomDag takes events with IDs). */
export function withIds(pdus, report) {
  return pdus.map((pdu, i) => ({ ...pdu, event_id: report.events[i].event_id }));
}

/** A RoomDag of `roomId` holding `events` (with their IDs) in its timeline. */
export function dagOf(mxdag, roomId, events) {
  const dag = new mxdag.RoomDag(roomId);
  const { refused, problems } = dag.addEvents(events);
  if (refused > 0) throw new Error(`RoomDag refused ${refused} events: ${JSON.stringify(problems)}`);
  return dag;
}

/** A response text with mxdag's event IDs attached to its PDUs (for `checkContract`). */
export function responseWithIds(mxdag, ring, json, version) {
  const list = json.pdus ?? json.events;
  if (!Array.isArray(list)) return JSON.stringify(json);
  const ids = withIds(list, verdicts(mxdag, ring, list, version));
  return JSON.stringify(json.pdus ? { ...json, pdus: ids } : { ...json, events: ids });
}
