// Fetching over federation as one of the two servers (through mxdag's signing proxy), and
// keeping every exchange as files (request line, body, response) under
// tests/artifacts/homeserver/exchanges/ so that the mxdag CLI can read them.
import { FORWARDS_FILL_PATHS } from "../../../www/forwards-fill.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS } from "./homeserver.mjs";

/** Where the exchanges are written. */
export const EXCHANGES = join(ARTIFACTS, "exchanges");

/**
 * Signed federation requests from `origin` (the Homeserver whose identity the transport
 * uses) through `transport(destination, method, uri, content)`, which resolves
 * `{ status, body, json, headers }` (see proxy.mjs). Every exchange is saved under its name.
 */
export class Federation {
  constructor(origin, transport) {
    this.origin = origin;
    this.transport = transport;
    /** Every exchange made, in order: `{ name, destination, request, content, status, json, body }`. */
    this.log = [];
    mkdirSync(EXCHANGES, { recursive: true });
  }

  /**
   * One exchange, saved as `<name>.request` (the request line as a log shows it),
   * `<name>.body.json` (POST body) and `<name>.json` (the response body). Returns
   * `{ status, json, body, request, files }`.
   */
  async exchange(name, destination, method, uri, content) {
    const r = await this.transport(destination, method, uri, content);
    const files = { request: join(EXCHANGES, `${name}.request`), response: join(EXCHANGES, `${name}.json`) };
    const request = `${method} ${uri}`;
    writeFileSync(files.request, `${request}\n`);
    if (content !== undefined) {
      files.body = join(EXCHANGES, `${name}.body.json`);
      writeFileSync(files.body, JSON.stringify(content));
    }
    writeFileSync(files.response, r.body);
    this.log.push({ name, destination, request, content, status: r.status, json: r.json, body: r.body });
    return { ...r, request, content, files };
  }

  /** `GET /backfill/{roomId}?v=…&limit=…` at `destination`. */
  backfill(name, destination, roomId, v, limit) {
    const q = [...v.map((id) => `v=${encodeURIComponent(id)}`), `limit=${limit}`].join("&");
    return this.exchange(name, destination, "GET", `/_matrix/federation/v1/backfill/${encodeURIComponent(roomId)}?${q}`);
  }

  /** `POST /get_missing_events/{roomId}` at `destination`. */
  getMissingEvents(name, destination, roomId, body) {
    return this.exchange(name, destination, "POST",
      `/_matrix/federation/v1/get_missing_events/${encodeURIComponent(roomId)}`, body);
  }

  /** MSC4000 forwards fill on `form`, one of www/forwards-fill.js's FORWARDS_FILL_PATHS. */
  forwardsFill(name, destination, roomId, fromEventIds, limit, form = FORWARDS_FILL_PATHS[0]) {
    const q = [...fromEventIds.map((id) => `from_event_id=${encodeURIComponent(id)}`), `limit=${limit}`].join("&");
    return this.exchange(name, destination, "GET", `${form.prefix}${encodeURIComponent(roomId)}?${q}`);
  }

  /** `GET /timestamp_to_event/{roomId}?ts=…&dir=…` at `destination` (the spec's path). */
  timestampToEvent(name, destination, roomId, ts, dir) {
    return this.exchange(name, destination, "GET", `/_matrix/federation/v1/timestamp_to_event/${encodeURIComponent(roomId)}?ts=${ts}&dir=${dir}`);
  }

  /** MSC4370 `GET /unstable/org.matrix.msc4370/extremities/{roomId}` at `destination`. */
  extremities(name, destination, roomId) {
    return this.exchange(name, destination, "GET", `/_matrix/federation/unstable/org.matrix.msc4370/extremities/${encodeURIComponent(roomId)}`);
  }

    /** `GET /event/{eventId}` at `destination`. */
  event(name, destination, eventId) {
    return this.exchange(name, destination, "GET", `/_matrix/federation/v1/event/${encodeURIComponent(eventId)}`);
  }

  /** `GET /_matrix/key/v2/server` of `destination`. */
  serverKeys(name, destination) {
    return this.exchange(name, destination, "GET", "/_matrix/key/v2/server");
  }
}

/**
 * The whole timeline of `stored` (a room as read from the database of the server at
 * `destination`) fetched by `/backfill` pages of `limit`: first from the forward
 * extremities, then from the newest events not yet fetched. PDUs are matched to Synapse's
 * event IDs by their content hash. Returns `{ pdus, ids, pages }`, `pdus[i]` having ID `ids[i]`.
 */
export async function backfillWholeRoom(fed, name, destination, roomId, stored, limit = 100) {
  const idByHash = new Map(stored.events.map((e) => [e.json.hashes.sha256, e.event_id]));
  const got = new Map();
  let v = stored.forward_extremities;
  let pages = 0;
  while (v.length > 0) {
    const r = await fed.backfill(`${name}-page${pages}`, destination, roomId, v, limit);
    if (r.status !== 200) throw new Error(`backfill page ${pages} of ${roomId}: ${r.status} ${r.body.slice(0, 300)}`);
    pages++;
    for (const pdu of r.json.pdus) {
      const id = idByHash.get(pdu.hashes?.sha256);
      if (!id) throw new Error(`backfill of ${roomId} returned an event the database does not hold: ${JSON.stringify(pdu).slice(0, 300)}`);
      got.set(id, pdu);
    }
    const missing = stored.timeline.filter((e) => !got.has(e.event_id));
    const top = Math.max(...missing.map((e) => e.depth));
    v = missing.filter((e) => e.depth === top).map((e) => e.event_id);
    if (pages > 20) throw new Error(`backfill of ${roomId} did not converge`);
  }
  const ids = [...got.keys()];
  return { pdus: ids.map((id) => got.get(id)), ids, pages };
}
