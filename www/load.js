// Fetching like a homeserver would: /event, /backfill, /get_missing_events, MSC4000
// /forwards_fill (its three paths in forwards-fill.js's order, then "not supported"), keys
// through the notary; and, to open a room from its ID alone, MSC4370 /extremities and the
// room version from its m.room.create.
// Every request goes in the network log; every answer goes to the worker as received, where
// the room session judges it against its request's contract before its events join the DAG,
// and asks for the keys its events need (`onAsk`).

import { PROXY_PATHS, PROXY_REFUSAL_HEADER } from "./proxy-protocol.js";
import { FORWARDS_FILL_HEADER, FORWARDS_FILL_PATHS, UNSUPPORTED, forwardsFill, isUnrecognized } from "./forwards-fill.js";

const enc = encodeURIComponent;

/** A small answer's JSON (an error body `{errcode, error}`, `/extremities`, one `/event`), or undefined. */
function errorBody(text) {
  if (text.length > 65536) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Whether an error answer is the local signing proxy's own (node/server/proxy.js: a
 * destination not allowed, no identity to sign with, a peer unreachable or its answer over
 * the cap) rather than the destination's passed on: the proxy marks its own refusals.
 */
function refusedByProxy(base, res) {
  return base.startsWith(PROXY_PATHS) && !res.ok && res.headers.has(PROXY_REFUSAL_HEADER);
}

/** The worker, as promises. */
export class WorkerClient {
  constructor(url) {
    this.worker = new Worker(url, { type: "module" });
    this.seq = 0;
    this.pending = new Map();
    this.worker.onmessage = ({ data }) => {
      if (data.ask) return this.answerAsk(data.ask);
      const p = this.pending.get(data.seq);
      if (!p) return;
      if (data.progress) return p.onProgress?.(...data.progress);
      if (data.ok === undefined) return p.onEvent?.(data);
      this.pending.delete(data.seq);
      if (data.ok) p.resolve(data);
      else p.reject(Object.assign(new Error(data.error), { code: data.code }));
    };
    this.worker.onerror = (e) => {
      for (const p of this.pending.values()) p.reject(new Error(`worker failed: ${e.message}`));
      this.pending.clear();
    };
  }

  /** The worker asks the page to send a request: `onAsk(ask)` resolves to `{status, body}`. */
  async answerAsk(ask) {
    let reply;
    try {
      reply = await this.onAsk(ask);
    } catch (e) {
      reply = { status: 0, body: String(e?.message ?? e) };
    }
    this.worker.postMessage({ reply: ask.n, status: reply.status, body: reply.body, via: reply.via });
  }

  /** Runs `op`; `onProgress(done, total)` and `onEvent(data)` hear what it says meanwhile. */
  call(op, payload = {}, onProgress, onEvent) {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, onProgress, onEvent });
      this.worker.postMessage({ seq, op, ...payload });
    });
  }
}

/**
 * Where requests go: the demo peer itself (`base` ""), or a homeserver through the signing
 * proxy (`base` `/_mxdag/proxy/{destination}`).
 */
export function sourceFor(destination) {
  return destination ? { base: `/_mxdag/proxy/${enc(destination)}`, destination } : { base: "", destination: null };
}

export class Fetcher {
  /**
   * `hooks`: `{log(entry) → update(fields), snapshot(s), progress(done, total), notice(text)}`.
   */
  constructor({ source, worker, roomId, hooks }) {
    this.source = source;
    this.worker = worker;
    this.roomId = roomId;
    this.hooks = hooks;
    /** Keys (`server key_id`) already asked for. */
    this.keysTried = new Set();
    /** Servers that answered M_UNRECOGNIZED on every forwards fill path. */
    this.noForwardsFill = new Set();
    /** The last refusal of the signing proxy itself (not the destination's), as a sentence; null if none. */
    this.proxyRefusal = null;
  }

  /** One HTTP request, logged. Returns `{status, text, json, headers, entry}` (`json`: an error body only). */
  async request(method, path, body, note, base = this.source.base) {
    const entry = this.hooks.log({ method, path, note, status: "…" });
    const t0 = performance.now();
    try {
      const res = await fetch(base + path, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      const ms = performance.now() - t0;
      // Only an error body is read here, for its errcode and explanation; answers go to the worker as text.
      const json = res.ok ? undefined : errorBody(text);
      const byProxy = refusedByProxy(base, res);
      const explanation = typeof json?.error === "string" ? json.error : undefined;
      entry.update({ status: res.status, ms, bytes: text.length, errcode: json?.errcode, explanation, byProxy, destination: this.source.destination });
      if (byProxy) this.proxyRefusal = `The local signing proxy (mxdag serve), not ${this.source.destination}, refused ${method} ${path.split("?")[0]}: ${explanation ?? `HTTP ${res.status}`}`;
      return { status: res.status, text, json, headers: res.headers, entry };
    } catch (e) {
      entry.update({ status: "failed", ms: performance.now() - t0, error: e.message });
      throw e;
    }
  }

  /**
   * Asks the peer, as a notary, for `keys` (`{server_name, key_id}`) not asked for yet, by
   * key ID (`server_keys: {server: {key_id: {}}}`); the answer joins the worker's session
   * (its events waiting for those keys are judged again). True if any keys came.
   */
  async keysFor(keys) {
    const wanted = keys.filter((k) => !this.keysTried.has(`${k.server_name} ${k.key_id}`));
    if (!wanted.length) return false;
    const serverKeys = {};
    for (const k of wanted) {
      this.keysTried.add(`${k.server_name} ${k.key_id}`);
      (serverKeys[k.server_name] ??= {})[k.key_id] = {};
    }
    const r = await this.request("POST", "/_matrix/key/v2/query", { server_keys: serverKeys }, `keys ${wanted.map((k) => `${k.server_name} ${k.key_id}`).join(", ")}`.slice(0, 200));
    if (r.status !== 200) return false;
    const k = await this.worker.call("keys", { text: r.text });
    // A notary that holds no keys of a server leaves it out: an empty list is a valid answer.
    const answered = errorBody(r.text)?.server_keys;
    const noKeys = Array.isArray(answered) && answered.length === 0;
    const notFound = Array.isArray(answered) ? Object.keys(serverKeys).filter((server) => !answered.some((a) => a?.server_name === server)) : [];
    const problems = noKeys ? [] : k.problems;
    r.entry.update({ events: k.added, contract: { ok: problems.length === 0, problems, keys: true, noKeys, notFound } });
    if (k.snapshot) this.hooks.snapshot(k.snapshot);
    return k.added > 0;
  }

  /** The peer's own key (`/_matrix/key/v2/server`). */
  async ownKey() {
    const r = await this.request("GET", "/_matrix/key/v2/server", undefined, "server key");
    if (r.status !== 200) return;
    const k = await this.worker.call("keys", { text: r.text });
    r.entry.update({ contract: { ok: k.problems.length === 0, problems: k.problems, keys: true } });
  }

  /** Sends an answer to the worker, as received, and records what it made of it. */
  async ingest(r, request, check = true) {
    const result = await this.worker.call("answer", { request, text: r.text, status: r.status, check }, this.hooks.progress);
    r.entry.update({ events: result.received ?? 0, added: result.added ?? 0, bad: result.bad ?? 0, contract: result.contract });
    if (result.snapshot) this.hooks.snapshot(result.snapshot);
    return result;
  }

  /** `/event`: the worker's word on the answer, with its HTTP status and errcode. */
  async event(eventId) {
    const path = `/_matrix/federation/v1/event/${enc(eventId)}`;
    const r = await this.request("GET", path, undefined, "event");
    return { ...(await this.ingest(r, { method: "GET", path }, false)), status: r.status, errcode: r.json?.errcode ?? null };
  }

  async backfill(v, limit) {
    const path = `/_matrix/federation/v1/backfill/${enc(this.roomId)}?${v.map((id) => `v=${enc(id)}`).join("&")}&limit=${limit}`;
    const r = await this.request("GET", path, undefined, "backfill");
    return this.ingest(r, { method: "GET", path });
  }

  async getMissingEvents(earliest, latest, limit) {
    const path = `/_matrix/federation/v1/get_missing_events/${enc(this.roomId)}`;
    const body = { limit, min_depth: 0, earliest_events: earliest, latest_events: latest };
    const r = await this.request("POST", path, body, "get_missing_events");
    return this.ingest(r, { method: "POST", path, body });
  }

  /**
   * MSC4370 `/extremities`: the room's forward extremities as the server holds them (the
   * worker checks the answer's contract for the network log). Resolves to `{prevEvents}`,
   * `{unsupported: true}` when the server answers M_UNRECOGNIZED (it lacks the MSC), or
   * `{error}` naming another refusal.
   */
  async extremities() {
    const path = `/_matrix/federation/unstable/org.matrix.msc4370/extremities/${enc(this.roomId)}`;
    const r = await this.request("GET", path, undefined, "extremities (MSC4370)");
    if (isUnrecognized(r.status, r.json)) {
      r.entry.update({ contract: { ok: true, problems: [], unsupported: true } });
      return { unsupported: true };
    }
    await this.ingest(r, { method: "GET", path });
    if (r.status !== 200) return { error: r.json?.errcode ?? `HTTP ${r.status}` };
    const prev = errorBody(r.text)?.prev_events;
    return { prevEvents: Array.isArray(prev) ? prev.filter((id) => typeof id === "string") : [] };
  }

  /**
   * The room version, read from the room's `m.room.create` (its `content.room_version`, "1"
   * when absent, as the spec says): `eventId` itself, or the one among its `auth_events`.
   * The events are fetched for this only (logged, not judged: judging needs the version).
   * Null when none of them could be read.
   */
  async roomVersionFrom(eventId) {
    const createVersion = (pdu) => (pdu?.type === "m.room.create" ? String(pdu.content?.room_version ?? "1") : null);
    const first = await this.rawEvent(eventId);
    if (createVersion(first)) return createVersion(first);
    // Room versions 1 and 2 list [event_id, hashes] pairs, later ones event IDs.
    const auth = Array.isArray(first?.auth_events) ? first.auth_events.map((a) => (Array.isArray(a) ? a[0] : a)) : [];
    for (const id of auth.filter((a) => typeof a === "string")) {
      const version = createVersion(await this.rawEvent(id));
      if (version) return version;
    }
    return null;
  }

  /** The PDU of a `/event` answer, read here (not judged), or null. */
  async rawEvent(eventId) {
    const r = await this.request("GET", `/_matrix/federation/v1/event/${enc(eventId)}`, undefined, "event (for the room version)");
    if (r.status !== 200) return null;
    const pdu = errorBody(r.text)?.pdus?.[0];
    return pdu && typeof pdu === "object" ? pdu : null;
  }

  /**
   * MSC4000 forwards fill: the stable path, then the unstable ones (forwards-fill.js; through
   * the proxy, the proxy tries them and names the one that answered); `M_UNRECOGNIZED` on all
   * means the server does not support it, and it is not asked again.
   */
  async forwardsFill(from, limit) {
    const who = this.source.destination ?? "the demo peer";
    if (this.noForwardsFill.has(who)) {
      this.hooks.notice(`${who} does not support forwards fill (MSC4000)`);
      return null;
    }
    const query = `${enc(this.roomId)}?${from.map((id) => `from_event_id=${enc(id)}`).join("&")}&limit=${limit}`;
    const send = async (path, form) => {
      const r = await this.request("GET", path, undefined, form.name === "stable" ? "forwards_fill" : `forwards_fill (${form.name})`);
      // Each path that is not there is logged as such, not as a failure.
      if (isUnrecognized(r.status, r.json)) r.entry.update({ contract: { ok: true, problems: [], unsupported: true } });
      return { r, status: r.status, text: r.text, via: r.headers.get(FORWARDS_FILL_HEADER) ?? undefined };
    };
    const { answer, which, uri } = await forwardsFill(FORWARDS_FILL_PATHS[0].prefix + query, send);
    if (which !== UNSUPPORTED) {
      const result = await this.ingest(answer.r, { method: "GET", path: uri });
      if (answer.status === 200 && !result.received) this.hooks.notice(`${who} knows nothing newer than ${from.join(", ")}`);
      return result;
    }
    this.noForwardsFill.add(who);
    this.hooks.notice(`${who} does not support forwards fill (MSC4000): M_UNRECOGNIZED on its three paths (${FORWARDS_FILL_PATHS.map((f) => f.segments).join(", ")})`);
    return null;
  }

  /**
   * `/timestamp_to_event` (spec: Server-Server API, "Room lookup by timestamp"): the event
   * the server finds nearest `ts` in direction `dir` ("f" or "b"). Resolves to `{eventId,
   * ts}`, or null when the server names none (its errcode in the network log).
   */
  async timestampToEvent(ts, dir) {
    const path = `/_matrix/federation/v1/timestamp_to_event/${enc(this.roomId)}?ts=${Math.trunc(ts)}&dir=${dir}`;
    const r = await this.request("GET", path, undefined, "timestamp_to_event");
    // The worker checks the answer's contract for the network log (it names an event, holds none).
    await this.ingest(r, { method: "GET", path });
    const found = r.status === 200 ? errorBody(r.text) : undefined;
    if (typeof found?.event_id !== "string") return null;
    return { eventId: found.event_id, ts: Number(found.origin_server_ts) };
  }
}
