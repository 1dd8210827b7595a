// `mxdag serve`: the page, the demo peer and the signing proxy on one loopback HTTP server.
import { createServer } from "node:http";
import { answer, matrixError, parseJsonBody, readBody, sendJson } from "./http.js";
import { loadTools } from "../wasm.js";
import { buildDemoRooms } from "./demo-rooms.js";
import { DemoPeer } from "./demo-peer.js";
import { SigningProxy } from "./proxy.js";
import { findRoots, serveStatic } from "./static.js";

const PROXY = "/_mxdag/proxy/";

/** Replies with an answer `{status, json?, text?, headers}`. */
function reply(res, result) {
  const headers = { "access-control-allow-origin": "*", ...(result.headers ?? {}) };
  if (result.json === undefined && result.text !== undefined) {
    res.writeHead(result.status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
    res.end(result.text);
  } else sendJson(res, result.status, result.json ?? {}, headers);
}

/**
 * Starts the server. `options`: `{host, port, wasm, order, cap, forwardsFill, faulty,
 * requireAuth, identity: {serverName, key} | null, insecureTls}`. Resolves to `{url,
 * server, peer, close()}` once listening.
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
  const proxy = new SigningProxy({ identity: options.identity, insecureTls: options.insecureTls, local });

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, "http://localhost");
      const path = url.pathname;
      if (req.method === "OPTIONS") {
        res.writeHead(204, {
          "access-control-allow-origin": "*",
          "access-control-allow-methods": "GET, POST, OPTIONS",
          "access-control-allow-headers": "authorization, content-type",
        });
        return res.end();
      }
      if (path === "/_mxdag/demo") return reply(res, answer(200, peer.info()));
      const body = req.method === "POST" || req.method === "PUT" ? parseJsonBody(await readBody(req)) : undefined;
      if (path.startsWith(PROXY)) {
        return reply(res, await proxy.handle({ method: req.method, rest: path.slice(PROXY.length), search: url.search, body }));
      }
      if (peer.handles(path)) {
        const uri = req.url;
        return reply(res, peer.handle({ method: req.method, path, uri, query: url.searchParams, body, authorization: req.headers.authorization }));
      }
      if ((req.method === "GET" || req.method === "HEAD") && serveStatic(req, res, path, roots)) return;
      reply(res, answer(404, matrixError("M_UNRECOGNIZED", "Unrecognized request")));
    } catch (e) {
      if (!res.headersSent) reply(res, answer(e.status ?? 500, matrixError(e.errcode ?? "M_UNKNOWN", e.message)));
      else res.destroy();
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { port } = server.address();
  const host = options.host ?? "127.0.0.1";
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}/`;
  return {
    url,
    server,
    peer,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
