// The demo peer: a federation server holding the demo rooms whole, answering the walking
// endpoints with the crate's reference answers (spec: Server-Server API → "Backfilling and
// retrieving missing events"; MSC4000 for forwards fill, on its three paths), and the two
// endpoints whose answers name events: "Room lookup by timestamp" (/timestamp_to_event, also
// on MSC3030's unstable path) and MSC4370 /extremities (unless `extremities` is false).
import { answer, matrixError } from "./http.js";
import { decodeBase64, verifyRequest } from "./xmatrix.js";
import { FORWARDS_FILL_PATHS, forwardsFillPathOf } from "../../www/forwards-fill.js";

const FED = "/_matrix/federation/";
const NOT_SUPPORTED = answer(404, matrixError("M_UNRECOGNIZED", "Unrecognized request"));

/** Routes of the peer: [method, regexp, handler name]. */
const ROUTES = [
  ["GET", /^\/_matrix\/federation\/v1\/backfill\/([^/]+)$/, "backfill"],
  ["POST", /^\/_matrix\/federation\/v1\/get_missing_events\/([^/]+)$/, "getMissingEvents"],
  ...FORWARDS_FILL_PATHS.map(({ prefix }) => ["GET", new RegExp(`^${prefix.replaceAll(".", "\\.")}([^/]+)$`), "forwardsFillOn"]),
  ["GET", /^\/_matrix\/federation\/v1\/event\/([^/]+)$/, "event"],
  ["GET", /^\/_matrix\/federation\/v1\/timestamp_to_event\/([^/]+)$/, "timestampToEvent"],
  ["GET", /^\/_matrix\/federation\/unstable\/org\.matrix\.msc3030\/timestamp_to_event\/([^/]+)$/, "timestampToEvent"],
  ["GET", /^\/_matrix\/federation\/unstable\/org\.matrix\.msc4370\/extremities\/([^/]+)$/, "extremities"],
  ["GET", /^\/_matrix\/key\/v2\/server\/?$/, "serverKey"],
  ["POST", /^\/_matrix\/key\/v2\/query\/?$/, "keyQuery"],
  ["GET", /^\/_matrix\/key\/v2\/query\/([^/]+)\/?$/, "keyQueryOne"],
];

/**
 * The forwards fill paths (names from www/forwards-fill.js) each `forwardsFill` option serves:
 * all three, both unstable forms (no stable path), Synapse's `unstable/` form alone, none.
 */
export const FORWARDS_FILL_SERVED = Object.freeze({
  all: ["stable", "msc4000", "unstable"],
  unstable: ["msc4000", "unstable"],
  synapse: ["unstable"],
  none: [],
});

/** Parses a `limit` parameter: a positive integer, else the default. */
function parseLimit(value, fallback) {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export class DemoPeer {
  /**
   * `demo`: from buildDemoRooms. `options`: `{order: "synapse"|"bfs", cap, forwardsFill:
   * "all"|"unstable"|"synapse"|"none" (FORWARDS_FILL_SERVED), extremities: whether MSC4370
   * /extremities is served (default true), faulty, requireAuth, extraKeys: Map("origin keyId" → bytes)}`.
   */
  constructor(demo, options = {}) {
    this.serverName = demo.serverName;
    this.rooms = new Map(demo.rooms.map((r) => [r.roomId, r]));
    this.serverKeys = demo.serverKeys;
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.options = { order: "synapse", cap: 100, forwardsFill: "all", extremities: true, ...given };
    if (!FORWARDS_FILL_SERVED[this.options.forwardsFill]) throw new TypeError(`forwardsFill must be one of ${Object.keys(FORWARDS_FILL_SERVED).join(", ")}`);
  }

  /** What the page needs to start: `GET /_mxdag/demo`. */
  info() {
    return {
      server_name: this.serverName,
      rooms: [...this.rooms.values()].map((r) => ({
        room_id: r.roomId,
        room_version: r.roomVersion,
        latest_events: r.latestEvents,
      })),
    };
  }

  /** Whether this peer answers `path`. */
  handles(path) {
    return path.startsWith(FED) || path.startsWith("/_matrix/key/v2/");
  }

  /** A public key of a demo server or of the proxy's own identity, or null. */
  lookupKey(origin, keyId) {
    const extra = this.options.extraKeys?.get(`${origin} ${keyId}`);
    if (extra) return extra;
    const key = this.serverKeys.get(origin)?.verify_keys?.[keyId]?.key;
    return key ? decodeBase64(key) : null;
  }

  /** Answers one request `{method, path, uri, query, body, authorization}`. */
  handle(request) {
    for (const [method, re, name] of ROUTES) {
      const m = re.exec(request.path);
      if (!m) continue;
      if (method !== request.method) return answer(405, matrixError("M_UNRECOGNIZED", `${request.method} not allowed`));
      if (this.options.requireAuth && request.path.startsWith(FED)) {
        const check = verifyRequest({ ...request, destination: this.serverName, content: request.body }, (o, k) =>
          this.lookupKey(o, k),
        );
        if (!check.ok) return answer(401, matrixError("M_UNAUTHORIZED", check.error));
      }
      let param;
      try {
        param = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
      } catch {
        return answer(400, matrixError("M_INVALID_PARAM", "bad percent-encoding in the path"));
      }
      try {
        return this[name](param, request);
      } catch (e) {
        // The crate refuses a request it cannot parse with an Error carrying a problem code.
        if (typeof e?.code === "string") return answer(400, matrixError("M_INVALID_PARAM", e.message));
        throw e;
      }
    }
    return NOT_SUPPORTED;
  }

  room(roomId) {
    return this.rooms.get(roomId);
  }

  cap(limit) {
    return this.options.cap ? Math.min(limit, this.options.cap) : limit;
  }

  transaction(pdus) {
    return { origin: this.serverName, origin_server_ts: Date.now(), pdus };
  }

  notInRoom(roomId) {
    return answer(404, matrixError("M_NOT_FOUND", `this server is not in room ${roomId}`));
  }

  backfill(roomId, { query }) {
    const room = this.room(roomId);
    if (!room) return this.notInRoom(roomId);
    const v = query.getAll("v");
    if (v.length === 0) return answer(400, matrixError("M_MISSING_PARAM", "at least one v parameter is required"));
    const pdus = room.backfill(v, this.cap(parseLimit(query.get("limit"), 10)), this.options.order);
    return answer(200, this.transaction(this.options.faulty ? this.spoil(room, pdus) : pdus));
  }

  getMissingEvents(roomId, { body }) {
    const room = this.room(roomId);
    if (!room) return this.notInRoom(roomId);
    const ids = (list) => Array.isArray(list) && list.every((x) => typeof x === "string");
    if (!body || !ids(body.latest_events) || !ids(body.earliest_events ?? [])) {
      return answer(400, matrixError("M_BAD_JSON", "latest_events and earliest_events must be arrays of event IDs"));
    }
    const limit = this.cap(parseLimit(body.limit, 10));
    const minDepth = Number.isInteger(body.min_depth) ? body.min_depth : 0;
    const events = room.getMissingEvents(body.earliest_events ?? [], body.latest_events, limit, minDepth);
    return answer(200, { events: this.options.faulty ? this.spoil(room, events) : events });
  }

  forwardsFill(roomId, query) {
    const room = this.room(roomId);
    if (!room) return this.notInRoom(roomId);
    const from = query.getAll("from_event_id");
    if (from.length === 0) return answer(400, matrixError("M_MISSING_PARAM", "from_event_id is required"));
    const pdus = room.forwardsFill(from, this.cap(parseLimit(query.get("limit"), 10)));
    return answer(200, this.transaction(this.options.faulty ? this.spoil(room, pdus) : pdus));
  }

  /** Forwards fill on the path the request came on, if the peer serves that one. */
  forwardsFillOn(roomId, { path, query }) {
    const served = FORWARDS_FILL_SERVED[this.options.forwardsFill].includes(forwardsFillPathOf(path).form.name);
    return served ? this.forwardsFill(roomId, query) : NOT_SUPPORTED;
  }

  /**
   * `/timestamp_to_event` (spec: "Room lookup by timestamp"): `{event_id, origin_server_ts}`
   * of the event nearest `ts` in the direction `dir`, or 404 M_NOT_FOUND as Synapse answers.
   */
  timestampToEvent(roomId, { query }) {
    const room = this.room(roomId);
    if (!room) return this.notInRoom(roomId);
    const ts = query.get("ts");
    const dir = query.get("dir");
    if (ts === null || !/^-?\d+$/.test(ts)) return answer(400, matrixError("M_INVALID_PARAM", "ts must be an integer"));
    if (dir !== "f" && dir !== "b") return answer(400, matrixError("M_INVALID_PARAM", "dir must be f or b"));
    const found = room.timestampToEvent(ts, dir);
    if (!found) return answer(404, matrixError("M_NOT_FOUND", `Unable to find event from ${ts} in direction ${dir}`));
    if (this.options.faulty) found.origin_server_ts += dir === "f" ? -1 : 1;
    return answer(200, found);
  }

  /** MSC4370 `/extremities`: `{prev_events}`, the room's forward extremities. */
  extremities(roomId) {
    if (!this.options.extremities) return NOT_SUPPORTED;
    const room = this.room(roomId);
    if (!room) return this.notInRoom(roomId);
    return answer(200, { prev_events: room.extremities() });
  }

  event(eventId) {
    for (const room of this.rooms.values()) {
      const pdu = room.pdus.get(eventId);
      if (pdu) return answer(200, this.transaction([pdu]));
    }
    return answer(404, matrixError("M_NOT_FOUND", `event ${eventId} not found`));
  }

  serverKey() {
    const own = this.serverKeys.get(this.serverName);
    return own ? answer(200, own) : answer(404, matrixError("M_NOT_FOUND", "no key for this server"));
  }

  /** Notary answer (spec: "Querying keys through another server"): the keys held. */
  keyQuery(_, { body }) {
    const wanted = body?.server_keys && typeof body.server_keys === "object" ? Object.keys(body.server_keys) : [];
    return answer(200, { server_keys: wanted.map((n) => this.serverKeys.get(n)).filter(Boolean) });
  }

  keyQueryOne(serverName) {
    const keys = this.serverKeys.get(serverName);
    return answer(200, { server_keys: keys ? [keys] : [] });
  }

  /**
   * The faulty peer's answer: breaks the contract and the events so the page's checks can
   * be seen to work — a copy of the first event with its body altered (content hash no
   * longer matches), a duplicate, and the room's newest event, which precedes nothing asked.
   */
  spoil(room, pdus) {
    const out = pdus.map((p) => structuredClone(p));
    const victim = out.find((p) => p.type === "m.room.message");
    if (victim) victim.content = { ...victim.content, body: `${victim.content?.body ?? ""} (altered in transit)` };
    if (out.length) out.push(out[0]);
    const newest = room.pdus.get(room.latestEvents[0]);
    if (newest) out.push(newest);
    return out;
  }
}
