#!/usr/bin/env node
// Serves the archive viewer: its two files, the npm package under /mxdag/, and, forwarded to
// a running `mxdag serve` (the demo peer), the federation and key paths and /_mxdag/demo.
//
//   npx mxdag serve --port 8008 &          # the demo peer
//   node examples/archive-viewer/serve.mjs [--port 8010] [--peer http://127.0.0.1:8008]
//   open http://127.0.0.1:8010/
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { port: { type: "string", default: "8010" }, peer: { type: "string", default: "http://127.0.0.1:8008" } } });
const here = dirname(fileURLToPath(import.meta.url));

/** The installed package, else the repository's build (pkg/). */
function packageRoot() {
  try {
    return dirname(createRequire(import.meta.url).resolve("mxdag/package.json"));
  } catch {
    return join(here, "..", "..", "pkg");
  }
}
const roots = { "/mxdag/": packageRoot(), "/": here };
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

/** The file `path` names under its root, or null (nothing outside the roots). */
function fileOf(path) {
  const prefix = path.startsWith("/mxdag/") ? "/mxdag/" : "/";
  const base = roots[prefix];
  const rest = path === "/" ? "index.html" : decodeURIComponent(path.slice(prefix.length));
  const file = normalize(join(base, rest));
  const inside = file.startsWith(base + sep);
  return inside && existsSync(file) && statSync(file).isFile() ? file : null;
}

/** The request's body as text. */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const parts = [];
    req.on("data", (chunk) => parts.push(chunk));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

const forwarded = (path) => path.startsWith("/_matrix/federation/") || path.startsWith("/_matrix/key/") || path === "/_mxdag/demo";

const server = createServer(async (req, res) => {
  const url = new URL(req.url, "http://viewer");
  try {
    if (forwarded(url.pathname)) {
      const body = req.method === "POST" ? await readBody(req) : undefined;
      const answer = await fetch(new URL(url.pathname + url.search, values.peer), { method: req.method, body, headers: body ? { "content-type": "application/json" } : {} });
      res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
      res.end(await answer.text());
      return;
    }
    const file = fileOf(url.pathname);
    if (!file) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  } catch (error) {
    res.writeHead(502).end(String(error.message));
  }
});
server.listen(Number(values.port), "127.0.0.1", () => {
  // The port bound (with --port 0, the one the system chose).
  console.log(`archive viewer on http://127.0.0.1:${server.address().port}/ (demo peer ${values.peer})`);
});
