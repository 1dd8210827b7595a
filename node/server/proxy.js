// The signing proxy: forwards the page's read-only federation requests under
// `/_mxdag/proxy/{destination}/…` to the destinations the user allowed, with an X-Matrix
// Authorization header (spec: Server-Server API → "Request Authentication"), resolving the
// destination as "Resolving server names" says. What may be forwarded is in endpoints.js,
// where to in destinations.js, and who may ask in access.js; answers are streamed through,
// capped in size and time, and failures to reach a peer all read "upstream unreachable".
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { resolveSrv } from "node:dns/promises";
import { lookup as dnsLookup } from "node:dns";
import { answer, matrixError } from "./http.js";
import { authorizationHeader } from "./xmatrix.js";
import { readOnlyEndpoint } from "./endpoints.js";
import { FORWARDS_FILL_HEADER, UNRECOGNIZED_STATUSES, forwardsFill, forwardsFillPathOf, isUnrecognized } from "../../www/forwards-fill.js";
import { PROXY_REFUSAL_HEADER } from "../../www/proxy-protocol.js";
import { DestinationPolicy, ForbiddenDestination, guardedLookup, isForbiddenAddress, parseServerName } from "./destinations.js";

/** Default cap on one proxied answer (`--max-answer-bytes`): a thousand PDUs of the spec's 64 KiB limit. */
export const DEFAULT_MAX_ANSWER_BYTES = 64 * 1024 * 1024;
/** A peer silent this long is given up. */
export const IDLE_TIMEOUT_MS = 30_000;
/** A whole exchange (connecting, the headers, the last byte of the answer) ends within this. */
export const TOTAL_TIMEOUT_MS = 120_000;
/** Bodies read whole rather than streamed (`.well-known`, a `404` looked into) stay under this. */
const SMALL_BODY_BYTES = 64 * 1024;

/** Headers of every proxied answer: JSON, never cached, never shown as a document. */
const ANSWER_HEADERS = {
  "content-type": "application/json",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "content-security-policy": "default-src 'none'; sandbox",
};

/**
 * `/timestamp_to_event`'s stable path and MSC3030's unstable one, which servers from before
 * the spec took it (Synapse until 1.8x) serve instead: asked on the stable path, the proxy
 * tries the unstable one when the stable one is not there.
 */
const TIMESTAMP_TO_EVENT = { stable: "/_matrix/federation/v1/timestamp_to_event/", unstable: "/_matrix/federation/unstable/org.matrix.msc3030/timestamp_to_event/" };
/** The proxy's answer header naming the `/timestamp_to_event` path that answered (`stable`, `unstable`). */
export const TIMESTAMP_TO_EVENT_HEADER = "x-mxdag-timestamp-to-event";

/** The proxy's own refusal: a Matrix error marked as the proxy's, not a destination's. */
const refusal = (status, errcode, error, headers = {}) =>
  answer(status, matrixError(errcode, error), { ...headers, [PROXY_REFUSAL_HEADER]: "1" });

/** An answer over the cap. */
class AnswerTooLarge extends Error {}

export class SigningProxy {
  /**
   * `identity`: `{serverName, key}` or null; `insecureTls`: accept self-signed certificates;
   * `local`: `{serverName, send(request)}` answered in-process (the demo peer);
   * `destinations`: a DestinationPolicy; `maxAnswerBytes`: the cap on one answer;
   * `lookup`: the resolver (`dns.lookup`'s signature; tests replace it); `log(line)`: where
   * the details of failures go (the terminal, never the page); `timeouts`: `{idleMs,
   * totalMs}` (tests shorten them).
   */
  constructor({ identity, insecureTls = false, local = null, destinations = new DestinationPolicy([], local?.serverName),
    maxAnswerBytes = DEFAULT_MAX_ANSWER_BYTES, lookup = dnsLookup, log = () => {}, timeouts = {} }) {
    this.identity = identity;
    this.insecureTls = insecureTls;
    this.local = local;
    this.destinations = destinations;
    this.maxAnswerBytes = maxAnswerBytes;
    this.lookup = guardedLookup(lookup);
    this.log = log;
    this.idleMs = timeouts.idleMs ?? IDLE_TIMEOUT_MS;
    this.totalMs = timeouts.totalMs ?? TOTAL_TIMEOUT_MS;
  }

  /**
   * Sends one HTTPS request; resolves to the response (a readable, not yet read) once its
   * headers arrive. Refuses forbidden addresses before connecting; the socket may stay idle
   * `idleMs`, and the exchange, body included, lasts at most `totalMs`.
   */
  open({ host, port, hostHeader, method, uri, headers, body }) {
    if (isForbiddenAddress(host)) return Promise.reject(new ForbiddenDestination(`${host} is an address the proxy never contacts`));
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host,
          port,
          method,
          path: uri,
          servername: isIP(host) ? undefined : host,
          rejectUnauthorized: !this.insecureTls,
          headers: { host: hostHeader, accept: "application/json", ...headers },
          timeout: this.idleMs,
          lookup: this.lookup,
        },
        (res) => {
          res.on("close", () => clearTimeout(deadline));
          resolve(res);
        },
      );
      const deadline = setTimeout(() => req.destroy(new Error(`no whole answer within ${this.totalMs} ms`)), this.totalMs);
      req.on("timeout", () => req.destroy(new Error(`idle for ${this.idleMs} ms`)));
      req.on("error", (e) => {
        clearTimeout(deadline);
        reject(e);
      });
      req.end(body);
    });
  }

  /** Reads a small body whole as text; throws AnswerTooLarge past `limit` bytes. */
  readSmall(res, limit = SMALL_BODY_BYTES) {
    return new Promise((resolve, reject) => {
      const chunks = [];
      let size = 0;
      res.on("data", (c) => {
        size += c.length;
        if (size > limit) {
          res.destroy();
          reject(new AnswerTooLarge(`a body over ${limit} bytes where a small one was expected`));
        } else chunks.push(c);
      });
      res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      res.on("error", reject);
    });
  }

  /**
   * Where to send requests for a server name (spec: "Resolving server names"): IP literals
   * and explicit ports directly; else `/.well-known/matrix/server`, then SRV, then 8448.
   */
  async resolve(serverName) {
    const parts = parseServerName(serverName);
    if (!parts) throw new ForbiddenDestination(`${serverName} is not a server name`);
    if (isIP(parts.host) || parts.port) return { host: parts.host, port: parts.port ?? 8448, hostHeader: serverName };
    try {
      const res = await this.open({ host: parts.host, port: 443, hostHeader: parts.host, method: "GET", uri: "/.well-known/matrix/server" });
      const text = await this.readSmall(res);
      const delegated = res.statusCode === 200 ? JSON.parse(text)["m.server"] : undefined;
      const d = typeof delegated === "string" ? parseServerName(delegated) : null;
      if (d) {
        if (isIP(d.host) || d.port) return { host: d.host, port: d.port ?? 8448, hostHeader: delegated };
        return (await this.srv(d.host, delegated)) ?? { host: d.host, port: 8448, hostHeader: delegated };
      }
    } catch {
      // No usable well-known: fall through to SRV and the default port.
    }
    return (await this.srv(parts.host, serverName)) ?? { host: parts.host, port: 8448, hostHeader: serverName };
  }

  /** The first `_matrix-fed._tcp`, else `_matrix._tcp`, SRV target of `host`, or null. */
  async srv(host, hostHeader) {
    for (const service of ["_matrix-fed._tcp", "_matrix._tcp"]) {
      try {
        const [first] = await resolveSrv(`${service}.${host}`);
        if (first) return { host: first.name, port: first.port, hostHeader };
      } catch {
        // No such record.
      }
    }
    return null;
  }

  /**
   * Sends one signed request to `destination`; resolves to `{status, text}` from the demo
   * peer or `{status, res, length}` from a real server (the body still to be read).
   */
  async exchange({ destination, method, uri, body }) {
    const headers = {};
    if (this.identity) {
      const request = { method, uri, origin: this.identity.serverName, destination, content: body };
      headers.authorization = authorizationHeader(request, this.identity.key);
    }
    if (this.local && destination === this.local.serverName) {
      return this.local.send({ method, uri, body, authorization: headers.authorization });
    }
    const target = await this.resolve(destination);
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await this.open({ ...target, method, uri, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const declared = res.headers["content-length"];
    return { status: res.statusCode, res, length: declared === undefined ? undefined : Number(declared) };
  }

  /**
   * Whether an exchange's answer says the path is not there (`M_UNRECOGNIZED` with a 404, 405
   * or 400), reading such an answer's small body to see; other answers stay unread.
   */
  async unrecognized(r) {
    if (!UNRECOGNIZED_STATUSES.includes(r.status)) return false;
    if (r.res) {
      r.text = await this.readSmall(r.res);
      r.res = undefined;
    }
    return isUnrecognized(r.status, r.text);
  }

  /** The router's answer for an exchange: its text, or its body to stream; over the cap, a 502. */
  toAnswer(r, headers) {
    const all = { ...ANSWER_HEADERS, ...headers };
    const size = r.res ? r.length : Buffer.byteLength(r.text);
    if (size > this.maxAnswerBytes) {
      r.res?.destroy();
      throw new AnswerTooLarge(`the answer has ${size} bytes`);
    }
    if (r.res) return { status: r.status, stream: r.res, length: r.length, maxBytes: this.maxAnswerBytes, headers: all };
    return { status: r.status, text: r.text, headers: all };
  }

  /**
   * Handles `/_mxdag/proxy/{destination}{rest}` (the caller has checked that the page asks):
   * refuses what is not a read-only federation request or goes elsewhere than an allowed
   * destination before signing anything. Forwards fill tries the path asked and the ones after
   * it in www/forwards-fill.js's order (stable, `org.matrix.msc4000`,
   * `unstable/org.matrix.msc4000`); `x-mxdag-forwards-fill` names the path that answered
   * (`stable`, `msc4000`, `unstable`), or `unsupported` when all said `M_UNRECOGNIZED`.
   * `/timestamp_to_event` on the stable path is tried on MSC3030's unstable one when the
   * stable one answers `M_UNRECOGNIZED`; `x-mxdag-timestamp-to-event` names the one whose
   * answer is passed on.
   */
  async handle({ method, rest, search, body }) {
    const slash = rest.indexOf("/");
    if (slash <= 0) return refusal(400, "M_INVALID_PARAM", "expected /_mxdag/proxy/{destination}/…");
    let destination;
    try {
      destination = decodeURIComponent(rest.slice(0, slash));
    } catch {
      return refusal(400, "M_INVALID_PARAM", "bad percent-encoding in the destination");
    }
    const path = rest.slice(slash);
    if (!readOnlyEndpoint(method, path)) {
      return refusal(403, "M_FORBIDDEN", `the proxy forwards only the read-only federation requests mxdag makes, not ${method} ${path}`);
    }
    if (!this.destinations.allows(destination)) {
      return refusal(403, "M_FORBIDDEN", `${destination} is not an allowed destination: start mxdag serve with --allow-destination ${destination}`);
    }
    const local = this.local && destination === this.local.serverName;
    if (!local && !this.identity) {
      return refusal(503, "M_UNKNOWN", "the proxy has no identity: start mxdag serve with --server-name and --signing-key");
    }
    const headers = { "x-mxdag-destination": destination };
    const content = method === "POST" ? body : undefined;
    try {
      const send = (uri) => this.exchange({ destination, method, uri, body: content });
      if (path.startsWith(TIMESTAMP_TO_EVENT.stable)) {
        const stable = await send(path + search);
        if (!(await this.unrecognized(stable))) return this.toAnswer(stable, { ...headers, [TIMESTAMP_TO_EVENT_HEADER]: "stable" });
        const unstable = await send(TIMESTAMP_TO_EVENT.unstable + path.slice(TIMESTAMP_TO_EVENT.stable.length) + search);
        return this.toAnswer(unstable, { ...headers, [TIMESTAMP_TO_EVENT_HEADER]: "unstable" });
      }
      if (!forwardsFillPathOf(path)) return this.toAnswer(await send(path + search), headers);
      const { answer: last, which } = await forwardsFill(path + search, send, (r) => this.unrecognized(r));
      return this.toAnswer(last, { ...headers, [FORWARDS_FILL_HEADER]: which });
    } catch (e) {
      if (e instanceof ForbiddenDestination) return refusal(403, "M_FORBIDDEN", e.message, headers);
      if (e instanceof AnswerTooLarge) {
        return refusal(502, "M_TOO_LARGE", `the answer from ${destination} is over the proxy's cap (--max-answer-bytes ${this.maxAnswerBytes})`, headers);
      }
      // What failed (refused, reset, TLS, DNS, timeout) would tell a page what listens where.
      this.log(`proxy: ${method} ${destination}${path}: ${e.message}`);
      return refusal(502, "M_UNKNOWN", "upstream unreachable", headers);
    }
  }
}
