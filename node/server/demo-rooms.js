// The demo peer's rooms: generated deterministically by the crate's room generator
// (`generateRoom`) and held in a `RoomDag`, whose reference answers the peer sends.
//
// This file is the one place that knows the shapes of those two wasm APIs; the peer's HTTP
// side (demo-peer.js) only sees `DemoRoom`.

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
    damage: { pruned: 3, tampered: 1, badSignature: 1 },
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

/** First property of `object` among `names` that is not undefined. */
const pick = (object, ...names) => names.map((n) => object?.[n]).find((v) => v !== undefined);

/** Event IDs of a reference answer, which may be IDs, PDUs with IDs, or `{pdus|events}`. */
function answerIds(result) {
  const list = Array.isArray(result) ? result : (pick(result, "eventIds", "event_ids", "pdus", "events") ?? []);
  return list.map((item) => (typeof item === "string" ? item : pick(item, "event_id", "eventId")));
}

/** One room the demo peer holds, with its reference answers. */
export class DemoRoom {
  constructor(wasm, generated) {
    this.roomId = pick(generated, "roomId", "room_id");
    this.roomVersion = String(pick(generated, "roomVersion", "room_version"));
    const pdus = pick(generated, "pdus", "events");
    const ids = pick(generated, "eventIds", "event_ids") ?? pdus.map((p) => p.event_id);
    /** Event ID → PDU as sent over federation. */
    this.pdus = new Map(ids.map((id, i) => [id, pdus[i]]));
    this.order = ids;
    this.dag = new wasm.RoomDag(this.roomVersion);
    this.dag.addEvents(pdus);
    this.latestEvents = [...this.dag.forwardExtremities()].map((e) => (typeof e === "string" ? e : e.event_id));
  }

  /** PDUs for a list of event IDs (unknown IDs skipped). */
  pdusOf(ids) {
    return ids.map((id) => this.pdus.get(id)).filter(Boolean);
  }

  /** `/backfill`: the `v` events and their ancestors, `order` "synapse" or "bfs". */
  backfill(v, limit, order) {
    return this.pdusOf(answerIds(this.dag.backfill(v, limit, order)));
  }

  /** `/get_missing_events`: breadth-first from `latest`, `earliest` blocking, oldest first. */
  getMissingEvents(earliest, latest, limit, minDepth) {
    return this.pdusOf(answerIds(this.dag.getMissingEvents(earliest, latest, limit, minDepth)));
  }

  /** MSC4000 `/forwards_fill`: successors of `from`, oldest first. */
  forwardsFill(from, limit) {
    return this.pdusOf(answerIds(this.dag.forwardsFill(from, limit)));
  }
}

/**
 * Generates the demo rooms and collects the servers' key responses. Returns
 * `{serverName, rooms, serverKeys: Map(name → key response)}`.
 */
export function buildDemoRooms(wasm) {
  const rooms = [];
  const serverKeys = new Map();
  for (const options of ROOM_OPTIONS) {
    const generated = wasm.generateRoom(options);
    rooms.push(new DemoRoom(wasm, generated));
    for (const response of pick(generated, "serverKeys", "server_keys", "keys") ?? []) {
      if (!serverKeys.has(response.server_name)) serverKeys.set(response.server_name, response);
    }
  }
  return { serverName: DEMO_SERVERS[0], rooms, serverKeys };
}
