// The worker's state: the key ring, the room DAG and every event held, over the wasm API.
// All calls into the wasm are in this file; the rest of the page sees plain objects.
import init, * as mx from "/pkg/mxdag.js";
import { prevIds, splitInput } from "./parse.js";
import { describe } from "./model.js";

const CHUNK = 2000;

/** The key problem that leaves an event unchecked rather than dropped (src/crypto/codes.rs). */
const KEY_UNKNOWN = "signing_key_unknown";

/**
 * The page's verdict: a `dropped` event whose only errors are keys the ring lacks could not
 * be checked, so it is `unchecked` until those keys come.
 */
function pageVerdict(r) {
  if (r.verdict !== "dropped") return r.verdict;
  const errors = r.problems.filter((p) => p.severity === "error");
  return errors.length && errors.every((p) => p.code === KEY_UNKNOWN) ? "unchecked" : "dropped";
}

/** `{server_name, key_id}` as one string. */
export const keyName = (k) => `${k.server_name} ${k.key_id}`;

/** An event as the planner needs it. */
const record = (pdu, eventId) => ({
  event_id: eventId,
  prev_events: Array.isArray(pdu?.prev_events) ? pdu.prev_events : [],
  depth: Number.isFinite(pdu?.depth) ? pdu.depth : 0,
  origin_server_ts: Number.isFinite(pdu?.origin_server_ts) ? pdu.origin_server_ts : 0,
});

export class Engine {
  static async create() {
    await init();
    return new Engine();
  }

  constructor() {
    this.reset(null, null);
  }

  /** Forgets the room: a new DAG and no events. Server keys are kept (they are not per room). */
  reset(roomId, roomVersion) {
    this.roomId = roomId;
    this.roomVersion = roomVersion;
    this.dag?.free();
    this.dag = new mx.RoomDag(roomId ?? undefined);
    /** Event ID → {pdu, verdict, problems, pruned, source}. */
    this.events = new Map();
    if (!this.keyRing) {
      this.keyRing = new mx.KeyRing();
      this.keyServers = new Set();
    }
  }

  /** Adds key server responses (`/_matrix/key/v2/server` or notary `server_keys` items). */
  addKeys(responses) {
    const problems = [];
    for (const response of responses) {
      const r = this.keyRing.addResponse(response);
      problems.push(...r.problems);
      if (r.added && typeof response?.server_name === "string") this.keyServers.add(response.server_name);
    }
    this.held = null;
    return problems;
  }

  /** Of `keys` (`{server_name, key_id}`), those the key ring does not hold. */
  missing(keys) {
    this.held ??= new Set(this.keyRing.keys().map(keyName));
    return keys.filter((k) => !this.held.has(keyName(k)));
  }

  /**
   * Validates PDUs in chunks, reporting `progress(done, total)`. Returns one result per PDU:
   * `{eventId, verdict, problems, pruned}` (`eventId` computed from v3 on, null if unknown;
   * `verdict` `unchecked` when only keys were lacking). `wheres[i]`, when given, names PDU
   * `i` in its file (`line 7`) and replaces the report's `Event #i` in its messages.
   */
  validate(pdus, knownIds, viaBackfill, progress, wheres = []) {
    /** Keys (`{server_name, key_id}`) the last validation needed and did not have. */
    const missing = new Map();
    const results = [];
    for (let start = 0; start < pdus.length; start += CHUNK) {
      const chunk = pdus.slice(start, start + CHUNK);
      const report = mx.validateEvents(chunk, this.roomVersion, this.keyRing, { viaBackfill });
      for (const k of report.missing_keys ?? []) missing.set(keyName(k), { server_name: k.server_name, key_id: k.key_id });
      for (const r of report.events) {
        const at = start + r.index;
        const label = wheres[at] ?? `Event #${at}`;
        const problems = r.problems.map((p) => (p.message?.startsWith(`Event #${r.index}`) ? { ...p, message: label + p.message.slice(`Event #${r.index}`.length) } : p));
        results.push({
          eventId: r.event_id ?? knownIds[at] ?? null,
          verdict: pageVerdict({ verdict: r.verdict, problems }),
          problems,
          pruned: r.pruned_by_sender === true,
        });
      }
      progress(Math.min(start + CHUNK, pdus.length), pdus.length);
    }
    this.missingKeys = [...missing.values()];
    return results;
  }

  /**
   * Judges an answer against the request that produced it, before its events join the DAG
   * (so ancestry is proved with what was held before). `request`: `{method, path, body}`;
   * `pdus` the answer's events with their `event_id` set.
   */
  checkContract(request, json, pdus, status) {
    const key = Array.isArray(json?.pdus) ? "pdus" : "events";
    const text = JSON.stringify({ ...json, [key]: pdus });
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const c = this.dag.checkContract(`${request.method} ${request.path}`, body, text, status);
    return { ok: c.ok, ordering: c.ordering ?? null, problems: c.problems ?? [] };
  }

  /** `pdus` with the `event_id` each result computed (as the DAG needs them). */
  static withIds(pdus, results) {
    return pdus.map((p, i) => (results[i]?.eventId && p.event_id !== results[i].eventId ? { ...p, event_id: results[i].eventId } : p));
  }

  /**
   * Adds validated PDUs (with IDs) to the DAG and the store; events already held are
   * counted in `known` and kept as they were. Returns `{added, known}`.
   */
  add(pdus, results, source) {
    const fresh = [];
    let known = 0;
    results.forEach((r, i) => {
      if (!r.eventId) return;
      if (this.events.has(r.eventId)) {
        known++;
        return;
      }
      // What the drawing model needs of the event, worked out once.
      this.events.set(r.eventId, { pdu: pdus[i], ...r, source, prevs: prevIds(pdus[i]), ...describe(pdus[i]) });
      fresh.push(pdus[i]);
    });
    if (fresh.length) this.dag.addEvents(fresh);
    return { added: fresh.length, known };
  }

  /**
   * Parses file text and picks the room from it (the first event's) and its version, saying
   * where the version came from (`versionFrom`): the file's `m.room.create` (`create`; "1"
   * when it names none), the `current` room's when the file's events belong to it (`room`),
   * else `chosen` (the page's choice, 10 unless given).
   */
  parseFile(text, current, chosen) {
    const split = splitInput(text);
    const create = split.pdus.find((p) => p?.type === "m.room.create" && p?.state_key === "");
    const roomId = split.pdus.find((p) => typeof p?.room_id === "string")?.room_id ?? null;
    const ofRoom = roomId !== null && current?.roomId === roomId && current?.roomVersion;
    const [roomVersion, versionFrom] = create
      ? [String(create.content?.room_version ?? "1"), "create"]
      : ofRoom
        ? [String(current.roomVersion), "room"]
        : [String(chosen ?? "10"), "chosen"];
    return { ...split, roomVersion, versionFrom, roomId };
  }

  /** Gaps as `[{eventId, referencedBy: [ids], depth, missingDepths, outlier}]`. */
  gaps() {
    return this.dag.gaps().map((g) => ({
      eventId: g.event_id,
      referencedBy: g.referenced_by,
      depth: g.estimated_depth,
      missingDepths: g.missing_depths,
      outlier: g.held_as_outlier,
    }));
  }

  /**
   * The DAG as the drawing's rows, for `layout`: `{ids, offsets, parents, depths, flags,
   * outliers}` (timeline events in linear order, each gap just before its first child; see
   * `RoomDag.layoutInput`, src/dag/rows.rs).
   */
  layoutInput() {
    return this.dag.layoutInput();
  }

  /** Whether this build of the wasm has the gap planner. */
  static get canPlan() {
    return typeof mx.GapPlanner === "function";
  }

  /**
   * A gap planner (`GapPlanner`, src/planner, `cover` strategy) for this room, given every
   * held event; `servers` are the ones it may ask.
   */
  makePlanner(servers) {
    const planner = new mx.GapPlanner({ room_id: this.roomId, room_version: this.roomVersion, servers, strategy: "cover", limit: 100 });
    planner.addEvents([...this.events.values()].map((e) => record(e.pdu, e.eventId)));
    return planner;
  }

  /** Lays out nodes given as CSR; see src/layout. */
  layout(offsets, parents, depths) {
    return mx.layoutDag(offsets, parents, depths);
  }

  /** The `prev_events` of a held event (IDs), or none. */
  prevIds(id) {
    return this.events.get(id)?.prevs ?? [];
  }
}
