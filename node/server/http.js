// Small HTTP helpers shared by the server's roles: JSON answers, Matrix errors, bodies.
import { Transform, pipeline } from "node:stream";

/** Largest request body the server reads (federation requests are small). */
export const MAX_BODY = 1 << 20;

/** Sends `value` as JSON with `status` and extra headers. */
export function sendJson(res, status, value, headers = {}) {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": body.length,
    "cache-control": "no-store",
    ...headers,
  });
  res.end(body);
}

/** A Matrix error body (spec: Client-Server API → "Standard error response"). */
export const matrixError = (errcode, error) => ({ errcode, error });

/** An answer object as the demo peer and the proxy return it to the router. */
export const answer = (status, json, headers = {}) => ({ status, json, headers });

/** Reads the request body as text (at most MAX_BODY bytes). */
export function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(Object.assign(new Error("request body too large"), { status: 413 }));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Parses a JSON body, or returns undefined for an empty one; throws a 400 for bad JSON. */
export function parseJsonBody(text) {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw Object.assign(new Error(`request body is not JSON: ${e.message}`), { status: 400, errcode: "M_NOT_JSON" });
  }
}

/**
 * Streams `body` (a readable) to `res` with `status` and `headers`, never holding more than
 * the stream's buffers: past `maxBytes` the copy stops and both ends are closed (the client
 * sees the answer cut off). `length`, when known, is sent as `content-length`.
 */
export function sendStream(res, status, body, { length, maxBytes, headers = {} }) {
  let sent = 0;
  const cap = new Transform({
    transform(chunk, _, done) {
      sent += chunk.length;
      done(sent > maxBytes ? new Error(`answer larger than ${maxBytes} bytes`) : null, chunk);
    },
  });
  res.writeHead(status, { ...(length === undefined ? {} : { "content-length": length }), ...headers });
  pipeline(body, cap, res, (err) => {
    if (err) res.destroy();
  });
}
