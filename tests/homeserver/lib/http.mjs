// Plain HTTP(S) requests without connection reuse (a reused keep-alive socket that the server
// has just closed fails a request at random), accepting the loopback servers' self-signed
// certificates; and the ed25519 key of a Synapse `signing.key` seed.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { createPrivateKey } from "node:crypto";

/**
 * One request to `url`; `content` is sent as a JSON body, `headers` are added. Resolves
 * `{ status, body, json, headers }` (`json` null when the body is not JSON).
 */
export function send(url, method, { content, headers: extra = {}, timeoutMs = 30_000 } = {}) {
  const u = new URL(url);
  const headers = { ...extra };
  const payload = content === undefined ? undefined : Buffer.from(JSON.stringify(content));
  if (payload) headers["Content-Type"] = "application/json";
  const request = u.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: Number(u.port), method, path: u.pathname + u.search, headers,
      agent: false, rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        let json = null;
        try { json = JSON.parse(body); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, body, json, headers: res.headers });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** An unsigned GET on a server's federation port (`destination` is its `ip:port` name). */
export function federationGet(destination, uri) {
  return send(`https://${destination}${uri}`, "GET");
}

/** An ed25519 private key object from an unpadded base64 seed (PKCS8 DER with the fixed prefix). */
export function keyFromSeed(seed) {
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(seed, "base64")]);
  return createPrivateKey({ key: der, format: "der", type: "pkcs8" });
}
