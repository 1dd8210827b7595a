// Signing a PDU as one of the two servers, in JavaScript, for events Synapse would never
// build itself (such as one it must reject). Canonical JSON, content hash, redaction,
// signature and reference hash per the server-server API (Signing Events, Calculating the
// Reference Hash) and the redaction algorithm of rooms v11 (the only version used here).
import { createHash, sign } from "node:crypto";
import { keyFromSeed, send } from "./http.mjs";

/** Canonical JSON (appendix: Canonical JSON): keys sorted, no whitespace, integers only. */
export function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

const b64 = (buf) => buf.toString("base64").replace(/=+$/, "");
const without = (o, keys) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

/** Top-level keys a v11 redaction keeps. */
const KEPT_V11 = ["event_id", "type", "room_id", "sender", "state_key", "content", "hashes", "signatures",
  "depth", "prev_events", "auth_events", "origin_server_ts"];

/** The v11 redaction of an `m.room.message` event: its content emptied, only the kept keys. */
function redactMessageV11(event) {
  const out = Object.fromEntries(Object.entries(event).filter(([k]) => KEPT_V11.includes(k)));
  out.content = {};
  return out;
}

/**
 * An `m.room.message` from `fields` (room_id, sender, depth, prev_events, auth_events) in room
 * version `version` ("11" only), hashed and signed with `hs`'s signing key. Returns
 * `{ pdu, eventId }`.
 */
export function forgedMessage(hs, version, fields) {
  if (version !== "11") throw new Error(`forgedMessage knows the redaction of v11 only, not v${version}`);
  const event = { type: "m.room.message", content: { msgtype: "m.text", body: "from a user who never joined" },
    origin_server_ts: Date.now(), ...fields };
  event.hashes = { sha256: b64(createHash("sha256").update(canonical(event)).digest()) };
  const { keyId, seed } = hs.signingKey();
  const redacted = redactMessageV11(event);
  const signature = sign(null, Buffer.from(canonical(without(redacted, ["signatures", "unsigned"]))), keyFromSeed(seed));
  event.signatures = { [hs.serverName]: { [keyId]: b64(signature) } };
  const reference = createHash("sha256").update(canonical(without(redactMessageV11(event), ["signatures", "unsigned"]))).digest();
  const eventId = `$${reference.toString("base64url")}`;
  return { pdu: event, eventId };
}

/**
 * `PUT /send/{txnId}` of `pdus` from `hs` straight to `destination`'s federation listener,
 * signed with X-Matrix (Request Authentication) by `hs`'s key: mxdag's proxy forwards reads
 * only, so a transaction goes around it. Resolves `{ status, body, json }`.
 */
export function sendTransaction(hs, destination, txnId, pdus) {
  const uri = `/_matrix/federation/v1/send/${encodeURIComponent(txnId)}`;
  const content = { origin: hs.serverName, origin_server_ts: Date.now(), pdus };
  const { keyId, seed } = hs.signingKey();
  const signed = { method: "PUT", uri, origin: hs.serverName, destination, content };
  const sig = b64(sign(null, Buffer.from(canonical(signed)), keyFromSeed(seed)));
  const authorization = `X-Matrix origin="${hs.serverName}",destination="${destination}",key="${keyId}",sig="${sig}"`;
  return send(`https://${destination}${uri}`, "PUT", { content, headers: { Authorization: authorization } });
}
