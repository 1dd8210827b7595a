// mxdag's wasm API as the suite uses it: room sessions that hold both servers' key answers
// and take what was fetched, as the CLI and the page take inputs.
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

/**
 * A RoomSession of `roomId` (undefined: any) in `version`, holding every key answer given
 * (objects); throws when one is refused.
 */
export function sessionOf(mxdag, keyAnswers, roomId, version) {
  const session = new mxdag.RoomSession(roomId, version);
  for (const answer of keyAnswers) {
    const { added, problems } = session.addKeys(JSON.stringify(answer));
    if (added < 1 || problems.length > 0) {
      session.free();
      throw new Error(`mxdag refused ${answer.server_name}'s keys: ${JSON.stringify(problems)}`);
    }
  }
  return session;
}

/** mxdag's report on `pdus` (objects) in `version`, as events that came by backfill. */
export function verdicts(mxdag, keyAnswers, pdus, version) {
  const session = sessionOf(mxdag, keyAnswers, undefined, version);
  try {
    return session.ingest(JSON.stringify(pdus), { source: "pdus", viaBackfill: true });
  } finally {
    session.free();
  }
}

/** The summary of the session's room (`mxdag dag --json`'s room object). */
export function summaryOf(session) {
  return session.summaries()[0];
}
