// The worker's hold on the wasm: one `RoomSession` (src/session) that takes every file and
// answer as received, judges and places its events, and answers for them (details, drawing
// rows, findings). All calls into the wasm are in this file; the page keeps no copy of the
// events.
import * as mx from "/pkg/mxdag.js";
import { compressionOf, gunzipStream, refusal, withoutSuffix } from "./compressed.js";
import { decodeText, MAX_DECODED } from "./decode.js";
import { ingestOnWorkers } from "./judge-pool.js";
import { loadWasm } from "./wasm.js";

/** The decoders of JSON5 and YAML files, as `mxdag serve` hands them out. */
const VENDOR = { json5: "/_mxdag/vendor/json5/index.min.mjs", yaml: "/_mxdag/vendor/yaml/index.js" };

/** Events per part of a saved room (`roomFile`). */
const SAVE_BATCH = 10_000;

/** The shapes of inputs that hold keys and nothing else (src/input InputShape). */
export const KEY_SHAPES = new Set(["server_keys", "trusted_keys", "synapse_keys"]);

/** `{server_name, key_id}` as one string. */
export const keyName = (k) => `${k.server_name} ${k.key_id}`;

/**
 * `bytes` as UTF-8 text; throws, as the CLI does (node/input.js), for bytes that are not
 * (a binary file is not read as text with replacement characters).
 */
function utf8Text(bytes, name) {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${name} is not UTF-8 text`);
  }
}

export class Engine {
  static async create() {
    Engine.wasm = await loadWasm();
    return new Engine();
  }

  /** Bytes of this thread's wasm memory (it grows and is never given back). */
  static wasmBytes() {
    return Engine.wasm?.memory.buffer.byteLength ?? 0;
  }

  constructor() {
    /** The key inputs added, in order: a new room's session gets them again. */
    this.keyInputs = [];
    this.reset(null, null);
  }

  /** A new room: a fresh session with the keys added so far (keys are not per room). */
  reset(roomId, roomVersion) {
    this.session?.free();
    this.session = new mx.RoomSession(roomId ?? undefined, roomVersion ?? undefined);
    for (const text of this.keyInputs) this.session.addKeys(text);
    this.fixedRoom = roomId ?? null;
  }

  /**
   * Runs `take()` on a fresh session (the keys added so far in it) and keeps that session
   * when `keep(result)` says so; else frees it, and the session before, untouched, is the
   * room again. Returns `take`'s result.
   */
  async inNewSession(take, keep) {
    const before = { session: this.session, fixedRoom: this.fixedRoom };
    this.session = null;
    this.reset(null, null);
    let result;
    try {
      result = await take();
    } finally {
      if (result !== undefined && keep(result)) before.session.free();
      else {
        this.session.free();
        Object.assign(this, before);
      }
    }
    return result;
  }

  /** The room shown, once known. */
  get roomId() {
    return this.fixedRoom ?? this.session.roomId ?? null;
  }

  /** The room version in use, once known. */
  get roomVersion() {
    return this.session.roomVersion ?? null;
  }

  /** Text as the core reads it: JSON5 and YAML decoded (see decode.js). */
  async decode(text, name) {
    return (await decodeText(text, name, (module) => import(VENDOR[module]))).text;
  }

  /**
   * A file as the core reads it (gzip decompressed first, compressed.js): its bytes as they
   * are when it is larger than any scenario or key list (decode.js's MAX_DECODED), so that
   * no copy of it is made as a JS string; else its text, JSON5 and YAML decoded. Throws for
   * other compressions, saying what to run.
   */
  async read(file) {
    const refuse = (head) => {
      const why = refusal(head);
      if (why) throw new Error(`${file.name} ${why}`);
      return head;
    };
    const head = refuse(new Uint8Array(await file.slice(0, 512).arrayBuffer()));
    if (compressionOf(head) === "gzip") {
      const bytes = refuse(
        await gunzipStream(file.stream()).catch((error) => {
          throw new Error(`${file.name} ${error.message}`);
        }),
      );
      if (bytes.length > MAX_DECODED) return bytes;
      return this.decode(utf8Text(bytes, file.name), withoutSuffix(file.name));
    }
    if (file.size > MAX_DECODED) return new Uint8Array(await file.arrayBuffer());
    return this.decode(utf8Text(new Uint8Array(await file.arrayBuffer()), file.name), file.name);
  }

  /**
   * Whether a file's text holds keys and nothing else. A file larger than any key list
   * (given as bytes) is taken as events: keys in it still join the session.
   */
  holdsOnlyKeys(input) {
    return typeof input === "string" && mx.RoomSession.holdsOnlyKeys(input);
  }

  /** Adds keys of any key input; held events unchecked for want of them are judged again. */
  addKeys(text) {
    const report = this.session.addKeys(text);
    // A file of events that also carries keys is no key input to keep.
    if (report.added && KEY_SHAPES.has(report.input)) this.keyInputs.push(text);
    return report;
  }

  /**
   * The room shown as one file that opens wherever mxdag does (this page, `mxdag check`,
   * `mxdag dag`), to share what was fetched: NDJSON, first the keys held as one
   * `trusted_key_servers` line (trusted as given by whoever opens it; a file whose first
   * line holds keys and the rest events is read as events), then every held event as the
   * session keeps it, outliers first, then the timeline in linear order. Built in parts of
   * `SAVE_BATCH` events, never as one string. Events that were dropped are not held, so not
   * saved. Returns `{parts, events, keys, version}`, `version` the room version when no
   * m.room.create in the file names it (null else), or `{apart}` when the room holds PDUs
   * apart from its DAG (state listed beside an answer): read again from NDJSON they would
   * be placed in it, so such a room is not saved.
   */
  roomFile() {
    const outliers = this.session.outliers();
    const apart = outliers.filter((id) => this.session.details(id)?.prev.length > 0).length;
    if (apart) return { apart };
    const servers = new Map();
    const keys = this.session.heldKeys();
    for (const k of keys) {
      if (!servers.has(k.server_name)) servers.set(k.server_name, {});
      servers.get(k.server_name)[k.key_id] = k.key;
    }
    const encoder = new TextEncoder();
    const parts = [];
    if (servers.size) parts.push(encoder.encode(JSON.stringify({ trusted_key_servers: [...servers].map(([server_name, verify_keys]) => ({ server_name, verify_keys })) }) + "\n"));
    const ids = [...outliers, ...this.session.linearOrder()];
    let events = 0;
    let versioned = false;
    for (let at = 0; at < ids.length; at += SAVE_BATCH) {
      // A PDU is held as canonical JSON, one line; an event held as its input wrote it (the
      // client format) may span lines.
      const lines = this.session.pickEvents(ids.slice(at, at + SAVE_BATCH)).map((json) => (json.includes("\n") ? JSON.stringify(JSON.parse(json)) : json));
      events += lines.length;
      // Only an m.room.create names the version (a quote inside a string is escaped, so
      // this finds a member, though perhaps one of some content).
      versioned ||= lines.some((json) => json.includes('"type":"m.room.create"'));
      if (lines.length) parts.push(encoder.encode(lines.join("\n") + "\n"));
    }
    return { parts, events, keys: keys.length, version: versioned ? null : this.roomVersion };
  }

  /** Takes a file or an answer (see `RoomSession.ingest`). */
  ingest(text, options) {
    return this.session.ingest(text, options);
  }

  /**
   * `ingest`, a large file's signatures judged on every core: Web Workers (judge-worker.js),
   * each with its own wasm instance; the same report (see judge-pool.js).
   * `onProgress(done, total)` as slices are judged.
   */
  ingestOnCores(text, options, onProgress) {
    const spawn = () => {
      const worker = new Worker(new URL("./judge-worker.js", import.meta.url), { type: "module" });
      return {
        post: (message, transfer) => worker.postMessage(message, transfer),
        onMessage: (fn) => (worker.onmessage = (event) => fn(event.data)),
        onError: (fn) => (worker.onerror = (event) => fn(new Error(event.message ?? "judge worker failed"))),
        terminate: () => worker.terminate(),
      };
    };
    const threads = Math.min(navigator.hardwareConcurrency || 1, 8);
    return ingestOnWorkers(mx, this.session, text, options, { spawn, threads, onProgress });
  }

  /** Judges the events that waited for the room version, as `version`. */
  setRoomVersion(version) {
    return this.session.setRoomVersion(String(version));
  }

  /** Reads the whole room again as room version `version`. */
  reread(version) {
    return this.session.reread(String(version));
  }

  /** Of `keys` (`{server_name, key_id}`), those not held. */
  keysNotHeld(keys) {
    return this.session.keysNotHeld(keys);
  }

  /** A held or missing event, for the panel (see `RoomSession.details`). */
  details(id) {
    return this.session.details(id);
  }

  /** The room's gaps. */
  gaps() {
    return this.session.gaps();
  }

  /** The room's consistency findings (the DAG's and the session's). */
  findings() {
    return this.session.summaries().find((s) => s.room_id === this.roomId)?.findings ?? [];
  }

  /** The room as rows of a drawing, with verdicts, kinds, marks and labels. */
  rows() {
    return this.session.rows();
  }

  /** Lays out rows given as CSR; see src/layout. */
  layout(offsets, parents, depths) {
    return mx.layoutDag(offsets, parents, depths);
  }

  /** Whether this build of the wasm has the gap planner. */
  static get canPlan() {
    return typeof mx.GapPlanner === "function";
  }

  /**
   * A gap planner (`cover` strategy) over the session's DAG: it takes every answer into the
   * session itself. `servers` are the ones it may ask.
   */
  makePlanner(servers) {
    return mx.GapPlanner.onSession({ room_id: this.roomId, servers, strategy: "cover", limit: 100 }, this.session);
  }

  /** A timeline over the session's room (see `Timeline`): pages, date jumps, gap fills. */
  makeTimeline() {
    return new mx.Timeline(this.session, this.roomId ?? undefined);
  }
}
