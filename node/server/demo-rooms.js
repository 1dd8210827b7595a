// The demo peer's rooms: generated deterministically by the crate's room generator
// (`generateRoom`) and held in a `RoomSession`, whose reference answers the peer sends.
//
// This file is the one place that knows the shapes of those two wasm APIs; the peer's HTTP
// side (demo-peer.js) only sees `DemoRoom`.
import { decodeBase64, signJson, signingKeyFromSeed } from "./xmatrix.js";

/** The demo servers; the first one is the peer itself. */
export const DEMO_SERVERS = ["demo.mxdag.test", "matrix.example.org", "chat.example.net", "hs.example.com"];

/** The two demo rooms: a large braided room in v10 and a small old-format one in v3. */
const ROOM_OPTIONS = [
  {
    seed: 4000,
    events: 420,
    servers: 4,
    usersPerServer: 3,
    serverNames: DEMO_SERVERS,
    concurrency: 0.35,
    maxDelay: 3,
    maxPrevEvents: 4,
    partitions: 1,
    partitionLength: 40,
    stateChanges: 0.06,
    redaction: true,
    roomVersion: "10",
    finalForks: 3,
    damage: { pruned: 3, tampered: true, badSignature: true },
  },
  {
    seed: 33,
    events: 90,
    servers: 2,
    usersPerServer: 2,
    serverNames: DEMO_SERVERS.slice(0, 2),
    concurrency: 0.2,
    partitions: 0,
    redaction: false,
    roomVersion: "3",
  },
];

const enc = encodeURIComponent;

/** One room the demo peer holds, with its reference answers (`RoomSession.referenceAnswer`). */
export class DemoRoom {
  constructor(wasm, generated) {
    this.roomId = generated.roomId;
    this.roomVersion = String(generated.roomVersion);
    this.order = generated.eventIds;
    /** Event ID → PDU as sent over federation (no `event_id` from v3 on). */
    this.pdus = new Map(this.order.map((id, i) => [id, generated.pdus[i]]));
    this.damage = generated.damage;
    this.session = new wasm.RoomSession(this.roomId, this.roomVersion);
    this.session.ingest(JSON.stringify(generated.pdus), { source: "the demo room generator" });
    this.latestEvents = this.session.forwardExtremities();
  }

  /** PDUs for a list of event IDs (unknown IDs skipped). */
  pdusOf(ids) {
    return ids.map((id) => this.pdus.get(id)).filter(Boolean);
  }

  /** The PDUs of the reference answer to a request line (and JSON body). */
  answer(line, body, order) {
    return this.pdusOf(this.session.referenceAnswer(line, body === undefined ? undefined : JSON.stringify(body), order).event_ids);
  }

  /** `/backfill`: the `v` events and their ancestors, `order` "synapse" or "bfs". */
  backfill(v, limit, order) {
    const query = v.map((id) => `v=${enc(id)}`).join("&");
    return this.answer(`GET /_matrix/federation/v1/backfill/${enc(this.roomId)}?${query}&limit=${limit}`, undefined, order);
  }

  /** `/get_missing_events`: breadth-first from `latest`, `earliest` blocking, oldest first. */
  getMissingEvents(earliest, latest, limit, minDepth) {
    const body = { earliest_events: earliest, latest_events: latest, limit, min_depth: minDepth };
    return this.answer(`POST /_matrix/federation/v1/get_missing_events/${enc(this.roomId)}`, body);
  }

  /**
   * `/timestamp_to_event`: the event nearest `ts` on the side `dir` ("f" or "b") names, as
   * `{event_id, origin_server_ts}`, or null when none lies there.
   */
  timestampToEvent(ts, dir) {
    const [id] = this.session.referenceAnswer(`GET /_matrix/federation/v1/timestamp_to_event/${enc(this.roomId)}?ts=${ts}&dir=${dir}`).event_ids;
    const pdu = id === undefined ? undefined : this.pdus.get(id);
    return pdu ? { event_id: id, origin_server_ts: pdu.origin_server_ts } : null;
  }

  /** MSC4370 `/extremities`: the room's forward extremities. */
  extremities() {
    return this.session.referenceAnswer(`GET /_matrix/federation/unstable/org.matrix.msc4370/extremities/${enc(this.roomId)}`).event_ids;
  }

  /** MSC4000 `/forwards_fill`: successors of `from`, oldest first. */
  forwardsFill(from, limit) {
    const query = from.map((id) => `from_event_id=${enc(id)}`).join("&");
    return this.answer(`GET /_matrix/federation/v1/forwards_fill/${enc(this.roomId)}?${query}&limit=${limit}`);
  }
}

/**
 * Generates the demo rooms and the servers' key responses. Rooms generated from different
 * seeds give a server different keys, so each server's response lists all of its keys and
 * is signed by each (as after a key rotation); the demo peer countersigns the others' as a
 * notary (spec: "Querying keys through another server"). Returns `{serverName, rooms,
 * serverKeys: Map(name → key response)}`. `wasm`: the library's bindings (for `RoomSession`);
 * `tools`: the tools build's (for `generateRoom`).
 */
export function buildDemoRooms(wasm, tools) {
  const rooms = [];
  const keys = new Map();
  let validUntil = 0;
  for (const options of ROOM_OPTIONS) {
    const generated = tools.generateRoom(options);
    rooms.push(new DemoRoom(wasm, generated));
    for (const r of generated.serverKeys) validUntil = Math.max(validUntil, r.valid_until_ts ?? 0);
    for (const k of generated.signingKeys) {
      if (!keys.has(k.serverName)) keys.set(k.serverName, new Map());
      keys.get(k.serverName).set(k.keyId, { ...signingKeyFromSeed(k.keyId, decodeBase64(k.seed)), base64: k.publicKey });
    }
  }
  const demo = DEMO_SERVERS[0];
  const serverKeys = new Map();
  for (const [name, held] of keys) {
    let response = {
      server_name: name,
      valid_until_ts: validUntil,
      verify_keys: Object.fromEntries([...held.values()].map((k) => [k.keyId, { key: k.base64 }])),
      old_verify_keys: {},
    };
    for (const key of held.values()) response = signJson(response, name, key);
    if (name !== demo && keys.has(demo)) response = signJson(response, demo, keys.get(demo).values().next().value);
    serverKeys.set(name, response);
  }
  return { serverName: demo, rooms, serverKeys };
}
