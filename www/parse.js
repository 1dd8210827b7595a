// Recognising input shapes and splitting them into PDUs, in one linear pass per input.
// Shapes: a /backfill or /forwards_fill transaction {origin, origin_server_ts, pdus}, a
// /get_missing_events answer {events}, an /event answer (a transaction of one), a bare PDU,
// an array of PDUs, NDJSON of PDUs (tardis), and Synapse database exports of `event_json`:
// rows carrying the event as a JSON string in `json` (`sqlite3 -json`, one per line or in an
// array), or tab-separated rows (`COPY event_json TO STDOUT`, `sqlite3 -tabs`) whose first
// column is the event ID and one column the event's JSON.
// Key server responses (`GET /_matrix/key/v2/server` objects, arrays or NDJSON of them, a
// notary's `{server_keys: [...]}`) are recognised too and returned apart, as `keys`.
// JSON.parse makes `__proto__` an ordinary own key, so hostile keys pollute nothing.

/** Whether `v` is a `/_matrix/key/v2/server` response: a server name and its verify keys. */
const isKeyResponse = (v) =>
  Boolean(v) && typeof v === "object" && typeof v.server_name === "string" && Boolean(v.verify_keys) && typeof v.verify_keys === "object";

/** Whether `v` is a notary answer (`POST /_matrix/key/v2/query`): `{server_keys: [...]}`. */
const isNotaryAnswer = (v) => Boolean(v) && typeof v === "object" && Array.isArray(v.server_keys);

/** The key responses in `v` (a response, a notary answer, or an array of them), or null. */
function keyResponses(v) {
  if (isKeyResponse(v)) return [v];
  if (isNotaryAnswer(v)) return v.server_keys.filter(isKeyResponse);
  if (!Array.isArray(v) || !v.length || !v.every((x) => isKeyResponse(x) || isNotaryAnswer(x))) return null;
  return v.flatMap((x) => keyResponses(x));
}

/** A PDU out of one row: the row itself, or its `json` column when it is a string. */
function unwrapRow(row) {
  if (row && typeof row === "object" && typeof row.json === "string") {
    const inner = JSON.parse(row.json);
    if (inner && typeof inner === "object" && typeof row.event_id === "string" && inner.event_id === undefined) {
      return { pdu: inner, eventId: row.event_id };
    }
    return { pdu: inner, eventId: typeof inner?.event_id === "string" ? inner.event_id : undefined };
  }
  return { pdu: row, eventId: typeof row?.event_id === "string" ? row.event_id : undefined };
}

/** A tab-separated `event_json` row as `{event_id, json}`: the column holding a JSON object. */
function tsvRow(line) {
  const cols = line.split("\t");
  const json = cols.find((c) => c.startsWith("{") && c.includes('"type"'));
  if (json === undefined) throw new Error("a tab-separated row without an event JSON column");
  return { event_id: cols[0].startsWith("$") ? cols[0] : undefined, json };
}

/**
 * Splits `text` into `{shape, pdus, knownIds, wheres, keys, errors}`: `knownIds[i]` is an
 * event ID given beside PDU `i` (an export's `event_id` column), `wheres[i]` where PDU `i`
 * was (`line 7`, `item 3`), `keys` the key server responses found, `errors` the lines or
 * items that were unusable (`{where, message}`); the rest is still returned.
 */
export function splitInput(text) {
  const out = { shape: "unknown", pdus: [], knownIds: [], wheres: [], keys: [], errors: [] };
  const push = (value, where) => {
    try {
      if (isKeyResponse(value)) {
        out.keys.push(value);
        return;
      }
      const { pdu, eventId } = unwrapRow(value);
      if (!pdu || typeof pdu !== "object" || Array.isArray(pdu)) throw new Error("not a JSON object");
      out.pdus.push(pdu);
      out.knownIds.push(eventId);
      out.wheres.push(where);
    } catch (e) {
      out.errors.push({ where, message: e.message });
    }
  };
  let whole;
  try {
    whole = JSON.parse(text);
  } catch {
    whole = undefined;
  }
  if (whole === undefined) {
    out.shape = "ndjson";
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === "") continue;
      try {
        push(line.includes("\t") && !line.startsWith("{") ? tsvRow(line) : JSON.parse(line), `line ${i + 1}`);
      } catch (e) {
        out.errors.push({ where: `line ${i + 1}`, message: e.message });
      }
    }
    if (out.pdus.length && lines.some((l) => l.includes("\t") && !l.trim().startsWith("{"))) out.shape = "synapse export";
    if (out.keys.length && !out.pdus.length) out.shape = "server keys";
    return out;
  }
  const keys = keyResponses(whole);
  if (keys) {
    out.shape = "server keys";
    out.keys = keys;
    return out;
  }
  const list = (items, shape) => {
    out.shape = shape;
    if (!Array.isArray(items)) {
      out.errors.push({ where: "$", message: `${shape}: expected an array` });
      return out;
    }
    items.forEach((item, i) => push(item, `item ${i + 1}`));
    return out;
  };
  if (Array.isArray(whole)) return list(whole, "array");
  if (whole && typeof whole === "object") {
    if ("pdus" in whole) return list(whole.pdus, "transaction");
    if ("events" in whole) return list(whole.events, "events");
    out.shape = "pdu";
    push(whole, "$");
    return out;
  }
  out.errors.push({ where: "$", message: "not a JSON object, array or NDJSON" });
  return out;
}

/** `prev_events` as IDs, for both formats (v1/v2 `[id, hashes]` pairs; v3+ plain IDs). */
export function prevIds(pdu) {
  const prev = pdu?.prev_events;
  if (!Array.isArray(prev)) return [];
  const ids = [];
  for (const p of prev) {
    const id = Array.isArray(p) ? p[0] : p;
    if (typeof id === "string") ids.push(id);
  }
  return ids;
}

/** The server part of a Matrix ID (`@user:server` → `server`), or null. */
export function serverOf(id) {
  if (typeof id !== "string") return null;
  const i = id.indexOf(":");
  return i > 0 && i < id.length - 1 ? id.slice(i + 1) : null;
}

/**
 * The signing keys these PDUs were signed with, as `{server_name, key_id}` (each once):
 * what to ask a notary for, by key ID.
 */
export function signingKeysOf(pdus) {
  const seen = new Map();
  for (const pdu of pdus) {
    const sigs = pdu?.signatures;
    if (!sigs || typeof sigs !== "object") continue;
    for (const server of Object.keys(sigs)) {
      if (!sigs[server] || typeof sigs[server] !== "object") continue;
      for (const keyId of Object.keys(sigs[server])) seen.set(`${server} ${keyId}`, { server_name: server, key_id: keyId });
    }
  }
  return [...seen.values()];
}
