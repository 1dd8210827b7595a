// Federation requests to the loopback homeservers over TLS with their self-signed
// certificates: unsigned (key endpoint) or signed with X-Matrix as one of the servers.
//
// This is the suite's own small signer, used until mxdag's signing proxy (`mxdag serve
// --server-name … --signing-key … --insecure-tls`) is available; see proxy.mjs.
import { request } from "node:https";
import { createPrivateKey, sign } from "node:crypto";

/** Canonical JSON (sorted keys, no whitespace) for the plain values our requests carry. */
export function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  if (typeof value === "number" && !Number.isInteger(value)) throw new Error(`canonical JSON has no floats: ${value}`);
  return JSON.stringify(value);
}

/** An ed25519 private key object from an unpadded base64 seed (PKCS8 DER with the fixed prefix). */
export function keyFromSeed(seed) {
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(seed, "base64")]);
  return createPrivateKey({ key: der, format: "der", type: "pkcs8" });
}

/** The `Authorization: X-Matrix …` header for a request, per the spec's request authentication. */
export function xMatrixAuthorization({ origin, keyId, seed }, destination, method, uri, content) {
  const signed = { method, uri, origin, destination };
  if (content !== undefined) signed.content = content;
  const sig = sign(null, Buffer.from(canonicalJson(signed)), keyFromSeed(seed)).toString("base64").replace(/=+$/, "");
  return `X-Matrix origin="${origin}",destination="${destination}",key="${keyId}",sig="${sig}"`;
}

/**
 * One HTTPS request to `destination` (an `ip:port` server name) accepting its self-signed
 * certificate. Resolves `{ status, body, json }` (`json` null when the body is not JSON).
 */
export function federationRequest(destination, method, uri, { content, as, timeoutMs = 30_000 } = {}) {
  const [host, port] = destination.split(":");
  const headers = {};
  const payload = content === undefined ? undefined : Buffer.from(JSON.stringify(content));
  if (payload) headers["Content-Type"] = "application/json";
  if (as) headers.Authorization = xMatrixAuthorization(as, destination, method, uri, content);
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), method, path: uri, headers, rejectUnauthorized: false, timeout: timeoutMs },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          let json = null;
          try { json = JSON.parse(body); } catch { /* not JSON */ }
          resolve({ status: res.statusCode, body, json });
        });
      });
    req.on("timeout", () => req.destroy(new Error(`${method} ${destination}${uri} timed out`)));
    req.on("error", reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** An unsigned GET (the key endpoint needs no signature). */
export function federationGet(destination, uri) {
  return federationRequest(destination, "GET", uri);
}
