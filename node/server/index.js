// `mxdag serve`: the page, the demo peer and the signing proxy on one loopback HTTP server.
// Every request must name this server in `Host`; the proxy and its destination list answer
// only this server's own page (access.js). No answer allows other origins (no CORS).
import { createServer } from "node:http";
import { answer, matrixError, parseJsonBody, readBody, sendJson, sendStream } from "./http.js";
import { loadTools } from "../wasm.js";
import { buildDemoRooms } from "./demo-rooms.js";
import { DemoPeer } from "./demo-peer.js";
import { SigningProxy } from "./proxy.js";
import { AccessGuard, hostHeaders } from "./access.js";
import { DestinationPolicy, ForbiddenDestination } from "./destinations.js";
import { findRoots, serveStatic } from "./static.js";
import { PROXY_PATHS, PROXY_REFUSAL_HEADER } from "../../www/proxy-protocol.js";

/** `GET` lists the proxy's allowed destinations; `POST {destination}` adds one (the page, when the user names a server). */
const DESTINATIONS = "/_mxdag/destinations";

/** Replies with an answer `{status, headers, json? | text? | stream, length, maxBytes}`. */
function reply(res, result) {
  const headers = result.headers ?? {};
  if (result.stream) {
    sendStream(res, result.status, result.stream, { length: result.length, maxBytes: result.maxBytes, headers });
  } else if (result.json === undefined && result.text !== undefined) {
    res.writeHead(result.status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
    res.end(result.text);
  } else sendJson(res, result.status, result.json ?? {}, headers);
}

/** A refusal of the local server itself (Host, origin, secret), marked as the proxy's own. */
const forbidden = (why) => answer(403, matrixError("M_FORBIDDEN", why), { [PROXY_REFUSAL_HEADER]: "1" });

/** `GET`/`POST /_mxdag/destinations`: the allowed destinations, after adding `body.destination`. */
function destinationsAnswer(method, body, destinations) {
  if (method === "POST") {
    if (typeof body?.destination !== "string") return answer(400, matrixError("M_BAD_JSON", "expected {\"destination\": server name}"));
    try {
      destinations.add(body.destination);
    } catch (e) {
      if (e instanceof ForbiddenDestination) return answer(400, matrixError("M_INVALID_PARAM", e.message));
      throw e;
    }
  } else if (method !== "GET") return answer(405, matrixError("M_UNRECOGNIZED", `${method} not allowed`));
  return answer(200, { destinations: destinations.list() });
}

/**
 * Starts the server. `options`: `{host, port, wasm, order, cap, forwardsFill, extremities, faulty,
 * requireAuth, identity: {serverName, key} | null, insecureTls, allowDestinations: [server
 * name], maxAnswerBytes, secretInUrl, log(line); for tests: lookup (a dns.lookup stand-in),
 * timeouts {idleMs, totalMs}}`.
 * Resolves to `{url, pageUrl (the address to print: with the secret under secretInUrl),
 * server, peer, access, destinations, close()}` once listening. Throws a ForbiddenDestination
 * for an allowed destination that the proxy never contacts.
 */
export async function startServer(options) {
  const roots = findRoots();
  const demo = buildDemoRooms(options.wasm, await loadTools());
  const extraKeys = new Map();
  if (options.identity) {
    extraKeys.set(`${options.identity.serverName} ${options.identity.key.keyId}`, options.identity.key.publicKey);
  }
  const peer = new DemoPeer(demo, {
    order: options.order,
    cap: options.cap,
    forwardsFill: options.forwardsFill,
    extremities: options.extremities,
    faulty: options.faulty,
    requireAuth: options.requireAuth,
    extraKeys,
  });
  const local = {
    serverName: peer.serverName,
    async send({ method, uri, body, authorization }) {
      const url = new URL(uri, "http://local");
      const r = peer.handle({ method, path: url.pathname, uri, query: url.searchParams, body, authorization });
      return { status: r.status, text: JSON.stringify(r.json) };
    },
  };
  const destinations = new DestinationPolicy(options.allowDestinations ?? [], peer.serverName);
  const proxy = new SigningProxy({
    identity: options.identity,
    insecureTls: options.insecureTls,
    local,
    destinations,
    maxAnswerBytes: options.maxAnswerBytes,
    lookup: options.lookup,
    log: options.log,
    timeouts: options.timeouts,
  });
  const host = options.host ?? "127.0.0.1";
  let access; // once the port is known: it names the cookie, and Host carries it

  const server = createServer(async (req, res) => {
    try {
      if (!access.hostAllowed(req)) return reply(res, forbidden("this server answers only to the addresses it listens on (Host)"));
      const url = new URL(req.url, "http://localhost");
      const path = url.pathname;
      const guarded = path.startsWith(PROXY_PATHS) || path === DESTINATIONS;
      if (guarded) {
        const refusal = access.refusal(req, { originRequired: path === DESTINATIONS && req.method !== "GET" });
        if (refusal) return reply(res, forbidden(refusal));
      }
      if (path === "/_mxdag/demo") return reply(res, answer(200, peer.info()));
      if (path === "/_mxdag/trusted-keys") return reply(res, answer(200, { inputs: options.trustedKeys ?? [] }));
      const body = req.method === "POST" ? parseJsonBody(await readBody(req)) : undefined;
      if (path.startsWith(PROXY_PATHS)) {
        return reply(res, await proxy.handle({ method: req.method, rest: path.slice(PROXY_PATHS.length), search: url.search, body }));
      }
      if (path === DESTINATIONS) return reply(res, destinationsAnswer(req.method, body, destinations));
      if (peer.handles(path)) {
        const uri = req.url;
        return reply(res, peer.handle({ method: req.method, path, uri, query: url.searchParams, body, authorization: req.headers.authorization }));
      }
      if (req.method === "GET" || req.method === "HEAD") {
        const page = access.page(url);
        if (page.redirect) {
          res.writeHead(303, { location: page.redirect, "cache-control": "no-store", ...page.headers });
          return res.end();
        }
        if (serveStatic(req, res, path, roots, page.headers)) return;
      }
      reply(res, answer(404, matrixError("M_UNRECOGNIZED", "Unrecognized request")));
    } catch (e) {
      if (!res.headersSent) reply(res, answer(e.status ?? 500, matrixError(e.errcode ?? "M_UNKNOWN", e.message)));
      else res.destroy();
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address();
  access = new AccessGuard({ hosts: hostHeaders(host, port), port, secretInUrl: options.secretInUrl });
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}/`;
  return {
    url,
    pageUrl: access.pageUrl(url),
    server,
    peer,
    access,
    destinations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
