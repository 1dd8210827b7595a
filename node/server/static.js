// Static files: the page (www/) at `/` and the wasm package (mxdag.js, mxdag_bg.wasm) at
// `/pkg/`. `.wasm` goes out as `application/wasm`, or `WebAssembly.instantiateStreaming`
// refuses it.
import { createReadStream, existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { extname, join, normalize, sep, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ts": "text/plain; charset=utf-8",
  ".ndjson": "application/x-ndjson",
};

/** The browser builds of the decoders www/decode.js loads (JSON5, YAML), by URL folder. */
const VENDOR = { json5: ["json5", "dist"], yaml: ["yaml", "browser"] };

/** The folder of each decoder's browser build, from the installed packages. */
function vendorRoots() {
  const require = createRequire(import.meta.url);
  const roots = {};
  for (const [name, [pkg, folder]] of Object.entries(VENDOR)) {
    try {
      roots[name] = join(dirname(require.resolve(`${pkg}/package.json`)), folder);
    } catch {
      // Not installed: files that need it are refused with the decoder's load error.
    }
  }
  return roots;
}

/**
 * Where the page and the wasm are: `www/` next to `node/`, and the wasm either beside them
 * (inside the built `pkg/`) or in `pkg/` (running from the source tree); the decoders under
 * `/_mxdag/vendor/`.
 */
export function findRoots() {
  const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
  const pkg = existsSync(join(root, "mxdag_bg.wasm")) ? root : join(root, "pkg");
  return { www: join(root, "www"), pkg, vendor: vendorRoots() };
}

/** The folder and the rest of the path `urlPath` is served from. */
function baseOf(urlPath, roots) {
  if (urlPath.startsWith("/pkg/")) return [roots.pkg, urlPath.slice(4)];
  const vendor = urlPath.match(/^\/_mxdag\/vendor\/([a-z0-9]+)(\/.*)$/);
  if (vendor) return [roots.vendor?.[vendor[1]] ?? null, vendor[2]];
  return [roots.www, urlPath];
}

/** Resolves a URL path under `base`, refusing anything that climbs out of it. */
function safeJoin(base, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  const full = normalize(join(base, decoded));
  return full === base || full.startsWith(base + sep) ? full : null;
}

/**
 * Serves `urlPath` from `roots`, adding `pageHeaders` to HTML pages; returns false when
 * there is no such file.
 */
export function serveStatic(req, res, urlPath, roots, pageHeaders = {}) {
  const [base, rest] = baseOf(urlPath, roots);
  if (!base) return false;
  let file = safeJoin(base, rest === "/" ? "/index.html" : rest);
  if (!file || !existsSync(file)) return false;
  let stat = statSync(file);
  if (stat.isDirectory()) {
    file = join(file, "index.html");
    if (!existsSync(file)) return false;
    stat = statSync(file);
  }
  res.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": stat.size,
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
    ...(extname(file) === ".html" ? pageHeaders : {}),
  });
  if (req.method === "HEAD") res.end();
  else createReadStream(file).pipe(res);
  return true;
}
