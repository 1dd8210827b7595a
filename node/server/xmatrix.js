// X-Matrix request authentication (spec: Server-Server API → "Request Authentication",
// https://spec.matrix.org/v1.16/server-server-api/#request-authentication): the origin
// signs the canonical JSON of {method, uri, origin, destination, content?} with ed25519 and
// sends `Authorization: X-Matrix origin="…",destination="…",key="ed25519:…",sig="…"`.
import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { readFileSync } from "node:fs";

// DER prefixes that wrap a raw 32-byte ed25519 seed (PKCS#8) or public key (SPKI), so that
// Node's built-in crypto can use them (RFC 8410).
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** Unpadded standard base64, as Matrix writes keys and signatures. */
export const unpaddedBase64 = (bytes) => Buffer.from(bytes).toString("base64").replace(/=+$/, "");

/** Decodes standard or URL-safe base64, padded or not. */
export const decodeBase64 = (text) => Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");

/**
 * Canonical JSON (spec: Appendices → "Canonical JSON"): object keys sorted by code point, no
 * insignificant whitespace, strings as JSON.stringify writes them (it escapes exactly what
 * canonical JSON requires and leaves other code points as UTF-8).
 */
export function canonicalJson(value) {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isInteger(value)) {
      throw new TypeError(`canonical JSON has no fractional numbers (${value})`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined);
  keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
}

/** An ed25519 signing key: `{keyId, seed, privateKey, publicKey (32 raw bytes)}`. */
export function signingKeyFromSeed(keyId, seed) {
  if (seed.length !== 32) throw new Error(`an ed25519 seed has 32 bytes, got ${seed.length}`);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return { keyId, seed, privateKey, publicKey: spki.subarray(spki.length - 32) };
}

/**
 * Reads Synapse's `signing.key` format: one line `ed25519 <version> <unpadded base64 seed>`
 * (the first ed25519 line is used).
 */
export function readSigningKeyFile(path) {
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const [alg, version, seed] = line.trim().split(/\s+/);
    if (alg === "ed25519" && version && seed) return signingKeyFromSeed(`ed25519:${version}`, decodeBase64(seed));
  }
  throw new Error(`${path}: no "ed25519 <version> <seed>" line`);
}

/** Signs bytes (or a string) and returns the unpadded base64 signature. */
export const signBytes = (key, data) => unpaddedBase64(sign(null, Buffer.from(data), key.privateKey));

/** Verifies an unpadded base64 signature with a raw 32-byte public key. */
export function verifyBytes(publicKey, data, signature) {
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: "der", type: "spki" });
    return verify(null, Buffer.from(data), key, decodeBase64(signature));
  } catch {
    return false;
  }
}

/** Adds `signatures[serverName][keyId]` to a JSON object (spec: "Signing JSON"). */
export function signJson(object, serverName, key) {
  const { signatures = {}, unsigned, ...rest } = object;
  const sig = signBytes(key, canonicalJson(rest));
  const merged = { ...signatures, [serverName]: { ...(signatures[serverName] ?? {}), [key.keyId]: sig } };
  return unsigned === undefined ? { ...rest, signatures: merged } : { ...rest, signatures: merged, unsigned };
}

/** The object an X-Matrix signature covers; `content` only when the request has a body. */
export function requestObject({ method, uri, origin, destination, content }) {
  const object = { method, uri, origin, destination };
  if (content !== undefined) object.content = content;
  return object;
}

/** The `Authorization` header value for a request signed by `origin` with `key`. */
export function authorizationHeader(request, key) {
  const sig = signBytes(key, canonicalJson(requestObject(request)));
  const q = (s) => `"${String(s).replace(/[\\"]/g, "")}"`;
  return `X-Matrix origin=${q(request.origin)},destination=${q(request.destination)},key=${q(key.keyId)},sig=${q(sig)}`;
}

/**
 * Parses an `Authorization: X-Matrix …` header into `{origin, destination, key, sig}`, or
 * null. Values may be quoted or bare tokens; unknown parameters are ignored (spec).
 */
export function parseAuthorization(header) {
  const m = /^X-Matrix\s+(.*)$/i.exec(header ?? "");
  if (!m) return null;
  const params = Object.create(null);
  const re = /\s*([A-Za-z]+)=(?:"((?:[^"\\]|\\.)*)"|([^,]*))\s*(?:,|$)/gy;
  let part;
  while ((part = re.exec(m[1])) && part[0] !== "") params[part[1].toLowerCase()] = part[2] ?? part[3];
  if (!params.origin || !params.key || !params.sig) return null;
  return { origin: params.origin, destination: params.destination, key: params.key, sig: params.sig };
}

/**
 * Checks an X-Matrix header against a request. `lookupKey(origin, keyId)` returns the raw
 * public key bytes or null. Returns `{ok: true, origin}` or `{ok: false, error}`.
 */
export function verifyRequest({ method, uri, destination, content, authorization }, lookupKey) {
  const auth = parseAuthorization(authorization);
  if (!auth) return { ok: false, error: "missing or malformed X-Matrix Authorization header" };
  if (auth.destination !== undefined && auth.destination !== destination) {
    return { ok: false, error: `X-Matrix destination ${auth.destination} is not ${destination}` };
  }
  const publicKey = lookupKey(auth.origin, auth.key);
  if (!publicKey) return { ok: false, error: `no key ${auth.key} known for ${auth.origin}` };
  const signed = canonicalJson(requestObject({ method, uri, origin: auth.origin, destination, content }));
  if (!verifyBytes(publicKey, signed, auth.sig)) return { ok: false, error: `bad X-Matrix signature from ${auth.origin}` };
  return { ok: true, origin: auth.origin };
}
