// The worker's state: the key ring, the room DAG and every event held, over the wasm API.
// All calls into the wasm are in this file; the rest of the page sees plain objects.
import init, * as mx from "/pkg/mxdag.js";
import { prevIds, splitInput } from "./parse.js";

const CHUNK = 2000;

/** Verdict codes used in the typed arrays of a snapshot. */
export const VERDICT = { valid: 0, redacted: 1, dropped: 2, unchecked: 3, gap: 4 };

const get = (object, ...names) => names.map((n) => object?.[n]).find((v) => v !== undefined);
const idOf = (e) => (typeof e === "string" ? e : get(e, "event_id", "eventId"));

export class Engine {
  static async create() {
    await init();
    return new Engine();
  }

  constructor() {
    this.reset(null, null);
  }

  /** Forgets everything: a new room. */
  reset(roomId, roomVersion) {
    this.roomId = roomId;
    this.roomVersion = roomVersion;
    this.keyRing?.free?.();
    this.dag?.free?.();
    this.keyRing = new mx.KeyRing();
    this.dag = roomVersion ? new mx.RoomDag(roomVersion) : null;
    /** Event ID → {pdu, verdict, problems, pruned, source}. */
    this.events = new Map();
    this.keyServers = new Set();
  }

  /** Adds key server responses (`/_matrix/key/v2/server` or notary `server_keys` items). */
  addKeys(responses) {
    const problems = [];
    for (const response of responses) {
      try {
        this.keyRing.addServerKeys(response);
        if (typeof response?.server_name === "string") this.keyServers.add(response.server_name);
      } catch (e) {
        problems.push({ code: e.code ?? "keys_rejected", path: "$", message: String(e.message), severity: "error" });
      }
    }
    return problems;
  }

  /** Validates PDUs in chunks, reporting `progress(done, total)`; returns per-event results. */
  validate(pdus, knownIds, progress) {
    const results = [];
    for (let start = 0; start < pdus.length; start += CHUNK) {
      const chunk = pdus.slice(start, start + CHUNK);
      const report = mx.validateEvents(chunk, this.roomVersion, this.keyRing);
      const events = Array.isArray(report) ? report : get(report, "events") ?? [];
      events.forEach((r, i) => {
        const problems = get(r, "problems") ?? [];
        results.push({
          eventId: idOf(r) ?? knownIds[start + i],
          verdict: get(r, "verdict") ?? "unchecked",
          problems,
          pruned: Boolean(get(r, "pruned", "prunedBySender")) || problems.some((p) => /pruned/.test(p.code)),
        });
      });
      progress(Math.min(start + CHUNK, pdus.length), pdus.length);
    }
    return results;
  }

  /**
   * Judges an answer against the request that produced it, before its events join the DAG
   * (so the proof of ancestry uses what was held before). `request`: `{method, path, body}`.
   */
  checkContract(request, response) {
    const line = `${request.method} ${request.path}`;
    const c = this.dag.checkResponse(line, request.body ?? null, response);
    return { ok: Boolean(get(c, "ok")), ordering: get(c, "ordering") ?? null, problems: get(c, "problems") ?? [] };
  }

  /**
   * Validates and adds the PDUs of one answer or file. Returns `{added, known, results,
   * errors}`; events already held are counted in `known` and not judged again.
   */
  ingest(pdus, knownIds, source, progress) {
    const results = this.validate(pdus, knownIds, progress);
    const fresh = [];
    let known = 0;
    results.forEach((r, i) => {
      if (!r.eventId) return;
      if (this.events.has(r.eventId)) {
        known++;
        return;
      }
      this.events.set(r.eventId, { pdu: pdus[i], ...r, source });
      fresh.push(pdus[i]);
    });
    if (fresh.length) this.dag.addEvents(fresh);
    return { added: fresh.length, known, results };
  }

  /** Parses file text and picks the room from it (create event, else the first event). */
  parseFile(text, roomVersionHint) {
    const split = splitInput(text);
    const create = split.pdus.find((p) => p?.type === "m.room.create" && p?.state_key === "");
    const version = String(create?.content?.room_version ?? roomVersionHint ?? (create ? "1" : "10"));
    const roomId = get(split.pdus[0], "room_id") ?? null;
    return { ...split, roomVersion: version, roomId };
  }

  forwardExtremities() {
    return [...this.dag.forwardExtremities()].map(idOf);
  }

  /** Gaps as `[{eventId, referencedBy: [ids], depth}]`. */
  gaps() {
    return [...this.dag.backwardExtremities()].map((g) => ({
      eventId: idOf(g),
      referencedBy: [...(get(g, "referenced_by", "referencedBy") ?? [])].map(idOf),
      depth: get(g, "depth", "estimated_depth", "estimatedDepth"),
    }));
  }

  /** Held timeline events in the DAG's linear order (IDs). */
  order() {
    return [...this.dag.linearOrder()].map(idOf);
  }

  outliers() {
    return new Set([...(this.dag.outliers?.() ?? [])].map(idOf));
  }

  findings() {
    return [...(this.dag.findings?.() ?? [])];
  }

  /** Lays out nodes given as CSR; see src/layout. */
  layout(offsets, parents, depths) {
    return mx.layoutDag(offsets, parents, depths);
  }

  prevIds(id) {
    return prevIds(this.events.get(id)?.pdu);
  }
}
