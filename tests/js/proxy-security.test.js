// The signing proxy as an attacker meets it (issue 13): pages on other origins, forged Host
// headers (DNS rebinding), a missing secret, writes, admin paths, link-local and metadata
// destinations — each refused with nothing sent out (fake federation listeners record every
// connection that reaches them); failures that all read alike; answers over the cap refused
// without the process growing; and the allowed read-only requests working end to end.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest, createServer as createHttpServer } from "node:http";
import { createServer as createNetServer } from "node:net";
import { lookup as dnsLookup } from "node:dns";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as wasm from "../../pkg/node/wasm.js";
import { startServer } from "../../pkg/node/server/index.js";
import { readSigningKeyFile } from "../../pkg/node/server/xmatrix.js";
import { hostHeaders } from "../../pkg/node/server/access.js";
import { fakeFederation } from "./fake-federation.js";
import { scratchFiles } from "./support.js";
import { PROXY_REFUSAL_HEADER } from "../../pkg/www/proxy-protocol.js";

const mx = wasm.default ?? wasm;
const file = scratchFiles("proxy-security");
// The spec's test seed (Appendices → Cryptographic test vectors), as Synapse writes it.
const keyFile = file("signing.key", "ed25519 a_test YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1\n");
const identity = { serverName: "origin.test", key: readSigningKeyFile(keyFile) };
const CLI = fileURLToPath(new URL("../../pkg/node/cli.js", import.meta.url));

/** One HTTP request with exactly these headers (fetch cannot forge `Host`); `{status, headers, text, json}`. */
function raw(base, path, { method = "GET", headers = {}, body } = {}) {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The proxy's cookie, as serving the page hands it out (`name=value`). */
async function pageCookie(base) {
  const r = await raw(base, "/");
  assert.equal(r.status, 200);
  const cookie = r.headers["set-cookie"]?.[0];
  assert.match(cookie, /^mxdag_proxy_\d+=[\w-]{43}; Path=\/_mxdag\/; HttpOnly; SameSite=Strict$/);
  return cookie.split(";")[0];
}

/** Headers of a fetch by the page itself (what Chromium sends for a same-origin request). */
const fromPage = (cookie, base, method = "GET") => ({
  cookie,
  "sec-fetch-site": "same-origin",
  "sec-fetch-mode": "cors",
  ...(method === "GET" ? {} : { origin: base.replace(/\/$/, ""), "content-type": "application/json" }),
});

const proxied = (destination, path) => `/_mxdag/proxy/${encodeURIComponent(destination)}${path}`;

// The fake federation server the allowed requests go to; `watch` is allowed too but must
// never be reached (every request to it is one the proxy has to refuse); `stranger` is not
// allowed. Names under `.test` resolve through `names` (the proxy's resolver in this test).
let running;
let fed;
let watch;
let stranger;
let cookie;
const looked = [];
const names = new Map([["rebind.test", ["169.254.169.254"]], ["mixed.test", ["127.0.0.1", "169.254.169.254"]], ["fed.test", ["127.0.0.1"]]]);
function lookup(hostname, options, callback) {
  looked.push(hostname);
  const list = names.get(hostname);
  if (!list) return dnsLookup(hostname, options, callback);
  callback(null, list.map((address) => ({ address, family: 4 })));
}

before(async () => {
  const echo = ({ method, uri, body }) =>
    uri.startsWith("/_matrix/federation/v1/forwards_fill/") ? [404, { errcode: "M_UNRECOGNIZED", error: "Unrecognized request" }]
      : [200, { method, uri, body }];
  fed = await fakeFederation({ identity, handler: echo, aliases: ["fed.test"] });
  watch = await fakeFederation({ identity, handler: echo });
  stranger = await fakeFederation({ identity, handler: echo });
  const fedPort = fed.name.split(":")[1];
  running = await startServer({ port: 0, wasm: mx, identity, insecureTls: true, lookup,
    allowDestinations: [fed.name, watch.name, `fed.test:${fedPort}`, "rebind.test:8448", "mixed.test:8448"] });
  cookie = await pageCookie(running.url);
});
after(async () => {
  await running?.close();
  await Promise.all([fed, watch, stranger].map((f) => f?.close()));
});

test("every read-only endpoint mxdag uses goes through, signed, and comes back as sent", async () => {
  const room = encodeURIComponent("!room:fed.test");
  const event = encodeURIComponent("$event/with+slash");
  const requests = [
    ["GET", `/_matrix/federation/v1/backfill/${room}?v=${event}&limit=5`],
    ["POST", `/_matrix/federation/v1/get_missing_events/${room}`, { latest_events: ["$a"], earliest_events: [], limit: 3 }],
    ["GET", `/_matrix/federation/org.matrix.msc4000/forwards_fill/${room}?from_event_id=${event}`],
    ["GET", `/_matrix/federation/unstable/org.matrix.msc4000/forwards_fill/${room}?from_event_id=${event}`],
    ["GET", `/_matrix/federation/v1/event/${event}`],
    ["GET", `/_matrix/federation/v1/state/${room}?event_id=${event}`],
    ["GET", `/_matrix/federation/v1/state_ids/${room}?event_id=${event}`],
    ["GET", `/_matrix/federation/v1/event_auth/${room}/${event}`],
    ["GET", `/_matrix/federation/v1/timestamp_to_event/${room}?ts=1&dir=b`],
    ["GET", `/_matrix/federation/unstable/org.matrix.msc3030/timestamp_to_event/${room}?ts=1&dir=f`],
    ["GET", `/_matrix/federation/unstable/org.matrix.msc4370/extremities/${room}`],
    ["GET", "/_matrix/key/v2/server"],
    ["GET", "/_matrix/key/v2/query/fed.test"],
    ["POST", "/_matrix/key/v2/query", { server_keys: { "fed.test": {} } }],
    ["GET", "/_matrix/federation/v1/version"],
  ];
  const before = fed.seen.length;
  for (const [method, uri, body] of requests) {
    const r = await raw(running.url, proxied(fed.name, uri), { method, headers: fromPage(cookie, running.url, method), body: body && JSON.stringify(body) });
    assert.equal(r.status, 200, `${method} ${uri}: ${r.text}`);
    assert.deepEqual(r.json, body === undefined ? { method, uri } : { method, uri, body }, `${method} ${uri}`);
    assert.equal(r.headers["content-type"], "application/json");
    assert.equal(r.headers["x-content-type-options"], "nosniff");
    assert.equal(r.headers["access-control-allow-origin"], undefined);
  }
  assert.deepEqual(fed.seen.slice(before).map((s) => [s.method, s.uri, s.ok]), requests.map(([m, u]) => [m, u, true]));
  // The stable forwards fill path, answered 404 M_UNRECOGNIZED, is retried on the MSC's unstable one.
  const ff = await raw(running.url, proxied(fed.name, `/_matrix/federation/v1/forwards_fill/${room}?from_event_id=${event}`), { headers: fromPage(cookie, running.url) });
  assert.equal(ff.status, 200);
  assert.equal(ff.headers["x-mxdag-forwards-fill"], "msc4000");
  assert.equal(ff.json.uri, `/_matrix/federation/org.matrix.msc4000/forwards_fill/${room}?from_event_id=${event}`);
  // A name is resolved by the proxy's (guarded) resolver, and a loopback address is fine.
  const byName = await raw(running.url, proxied(`fed.test:${fed.name.split(":")[1]}`, "/_matrix/federation/v1/version"), { headers: fromPage(cookie, running.url) });
  assert.equal(byName.status, 200);
  assert.ok(looked.includes("fed.test"));
});

test("pages on other origins, forged Host, no secret, writes, admin paths and other destinations: refused, nothing sent", async () => {
  const base = running.url.replace(/\/$/, "");
  const port = new URL(base).port;
  const backfill = proxied(watch.name, "/_matrix/federation/v1/backfill/!r:x?v=%24a&limit=5");
  const gme = proxied(watch.name, "/_matrix/federation/v1/get_missing_events/!r:x");
  const page = fromPage(cookie, running.url);
  const cases = [
    ["a page on another site (fetch, with the cookie a lax browser would send)", "GET", backfill, { cookie, origin: "http://evil.example", "sec-fetch-site": "cross-site" }],
    ["a page on another port of this host (same site: the cookie is sent)", "GET", backfill, { cookie, origin: "http://127.0.0.1:1", "sec-fetch-site": "same-site" }],
    ["an <img> on another site (no Origin)", "GET", backfill, { cookie, "sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors", "sec-fetch-dest": "image" }],
    ["a text/plain form POST from another site", "POST", gme, { cookie, origin: "http://evil.example", "content-type": "text/plain" }, '{"latest_events":["$a"]}'],
    ["a sandboxed frame (Origin: null)", "POST", gme, { cookie, origin: "null", "content-type": "application/json" }, "{}"],
    ["a forged Host (DNS rebinding: the page is same-origin to itself)", "GET", backfill, { ...page, host: `attacker.example:${port}` }],
    ["a forged Host with a matching Origin", "POST", gme, { cookie, host: `attacker.example:${port}`, origin: `http://attacker.example:${port}`, "content-type": "application/json" }, "{}"],
    ["no secret", "GET", backfill, { "sec-fetch-site": "same-origin" }],
    ["a wrong secret", "GET", backfill, { ...page, cookie: `${cookie.split("=")[0]}=${"A".repeat(43)}` }],
    ["the secret under another port's cookie", "GET", backfill, { ...page, cookie: `mxdag_proxy_1=${cookie.split("=")[1]}` }],
    ["PUT /send (a transaction with EDUs)", "PUT", proxied(watch.name, "/_matrix/federation/v1/send/txn1"), page, '{"pdus":[],"edus":[]}'],
    ["PUT /send_join", "PUT", proxied(watch.name, "/_matrix/federation/v2/send_join/!r:x/$e"), page, "{}"],
    ["POST keys/claim", "POST", proxied(watch.name, "/_matrix/federation/v1/user/keys/claim"), fromPage(cookie, running.url, "POST"), "{}"],
    ["GET a user's devices", "GET", proxied(watch.name, "/_matrix/federation/v1/user/devices/@u:x"), page],
    ["GET make_join", "GET", proxied(watch.name, "/_matrix/federation/v1/make_join/!r:x/@u:x"), page],
    ["an admin path", "GET", proxied(watch.name, "/_synapse/admin/v1/users/@admin:x"), page],
    ["an admin path reached by dot segments", "GET", proxied(watch.name, "/_matrix/federation/v1/event/../../../../_synapse/admin/v2/users"), page],
    ["a dot segment in a parameter", "GET", proxied(watch.name, "/_matrix/federation/v1/event/%2e%2e"), page],
    ["the client-server API", "GET", proxied(watch.name, "/_matrix/client/v3/rooms/!r:x/messages"), page],
    ["POST on a GET endpoint", "POST", backfill, fromPage(cookie, running.url, "POST"), "{}"],
    ["GET on a POST endpoint", "GET", gme, page],
    ["POST on MSC4370 extremities", "POST", proxied(watch.name, "/_matrix/federation/unstable/org.matrix.msc4370/extremities/!r:x"), fromPage(cookie, running.url, "POST"), "{}"],
    ["a path below timestamp_to_event", "GET", proxied(watch.name, "/_matrix/federation/v1/timestamp_to_event/!r:x/more?ts=1&dir=f"), page],
    ["DELETE", "DELETE", proxied(watch.name, "/_matrix/federation/v1/event/%24a"), page],
    ["a destination nobody allowed", "GET", proxied(stranger.name, "/_matrix/federation/v1/version"), page],
    ["a metadata address", "GET", proxied("169.254.169.254", "/_matrix/federation/v1/version"), page],
  ];
  for (const [what, method, path, headers, body] of cases) {
    const r = await raw(running.url, path, { method, headers, body });
    assert.equal(r.status, 403, `${what}: ${r.status} ${r.text}`);
    assert.equal(r.json?.errcode, "M_FORBIDDEN", what);
    assert.equal(r.headers[PROXY_REFUSAL_HEADER], "1", `${what}: marked as the proxy's own refusal`);
  }
  assert.equal(watch.connections, 0, "nothing reached the allowed destination");
  assert.equal(stranger.connections, 0, "nothing reached the other destination");
  // The forged Host gets neither the page nor its cookie, nor the demo.
  for (const path of ["/", "/_mxdag/demo", "/_matrix/key/v2/server"]) {
    const r = await raw(running.url, path, { headers: { host: `attacker.example:${port}` } });
    assert.equal(r.status, 403, path);
    assert.equal(r.headers["set-cookie"], undefined);
  }
});

test("names that resolve to link-local or metadata addresses are refused before connecting", async () => {
  const page = fromPage(cookie, running.url);
  for (const name of ["rebind.test:8448", "mixed.test:8448"]) {
    const r = await raw(running.url, proxied(name, "/_matrix/federation/v1/version"), { headers: page });
    assert.equal(r.status, 403, `${name}: ${r.text}`);
    assert.match(r.json.error, /169\.254\.169\.254/);
  }
  // The page may add a destination the user names, but never one of those addresses.
  const post = (destination, headers = fromPage(cookie, running.url, "POST")) =>
    raw(running.url, "/_mxdag/destinations", { method: "POST", headers, body: JSON.stringify({ destination }) });
  for (const bad of ["169.254.169.254", "169.254.0.1:8448", "[fe80::1]:8448", "[::ffff:169.254.169.254]", "[fd00:ec2::254]",
    "metadata.google.internal", "0.0.0.0:8448", "[::]", "224.0.0.1", "a b", "x:0"]) {
    const r = await post(bad);
    assert.equal(r.status, 400, `${bad}: ${r.text}`);
  }
  assert.ok(!running.destinations.list().some((d) => /169\.254|fe80|metadata|0\.0\.0\.0/.test(d)));
  // Adding needs the page's own POST (Origin) and secret; then requests go there.
  const name = stranger.name;
  assert.equal((await post(name, { cookie, "content-type": "application/json" })).status, 403);
  assert.equal((await post(name, { ...fromPage(cookie, running.url, "POST"), origin: "http://evil.example" })).status, 403);
  assert.equal(stranger.connections, 0);
  const added = await post(name);
  assert.equal(added.status, 200);
  assert.ok(added.json.destinations.includes(name));
  const r = await raw(running.url, proxied(name, "/_matrix/federation/v1/version"), { headers: fromPage(cookie, running.url) });
  assert.equal(r.status, 200);
  assert.equal(stranger.seen.length, 1);
});

test("every failure to reach a peer reads the same: refused, not TLS, silent, slow, unknown name", async () => {
  const closed = await new Promise((resolve) => {
    const s = createNetServer().listen(0, "127.0.0.1", () => {
      const name = `127.0.0.1:${s.address().port}`;
      s.close(() => resolve(name));
    });
  });
  const plainHttp = createHttpServer((_, res) => res.end("{}")).listen(0, "127.0.0.1");
  const silentSockets = [];
  const silent = createNetServer((s) => silentSockets.push(s)).listen(0, "127.0.0.1");
  await Promise.all([plainHttp, silent].map((s) => new Promise((r) => s.once("listening", r))));
  // A peer that answers a byte every 50 ms, never idle: only the total time limit ends it.
  const slow = await fakeFederation({ identity, handler: (_, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    const tick = setInterval(() => res.write(" "), 50);
    res.on("close", () => clearInterval(tick));
  } });
  const destinations = [closed, `127.0.0.1:${plainHttp.address().port}`, `127.0.0.1:${silent.address().port}`, "no-such-name.invalid:8448"];
  const logged = [];
  const server = await startServer({ port: 0, wasm: mx, identity, insecureTls: true, allowDestinations: [...destinations, slow.name],
    timeouts: { idleMs: 300, totalMs: 1500 }, log: (l) => logged.push(l) });
  try {
    const c = await pageCookie(server.url);
    const bodies = new Set();
    for (const d of destinations) {
      const r = await raw(server.url, proxied(d, "/_matrix/federation/v1/version"), { headers: fromPage(c, server.url) });
      assert.equal(r.status, 502, d);
      bodies.add(r.text);
    }
    assert.deepEqual([...bodies], [JSON.stringify({ errcode: "M_UNKNOWN", error: "upstream unreachable" })]);
    assert.equal(logged.length, destinations.length, "the terminal hears why");
    const t0 = Date.now();
    await assert.rejects(raw(server.url, proxied(slow.name, "/_matrix/federation/v1/version"), { headers: fromPage(c, server.url) }));
    assert.ok(Date.now() - t0 < 10_000);
  } finally {
    for (const s of silentSockets) s.destroy();
    plainHttp.close();
    silent.close();
    await slow.close();
    await server.close();
  }
});

test("the Host values accepted are the addresses listened on", () => {
  assert.deepEqual([...hostHeaders("127.0.0.1", 8008)].sort(), ["127.0.0.1:8008", "localhost:8008"]);
  assert.deepEqual([...hostHeaders("::1", 80)].sort(), ["[::1]", "[::1]:80", "localhost", "localhost:80"]);
  assert.deepEqual([...hostHeaders("localhost", 1)].sort(), ["127.0.0.1:1", "[::1]:1", "localhost:1"]);
  assert.deepEqual([...hostHeaders("192.0.2.7", 1)], ["192.0.2.7:1"]);
  const any = hostHeaders("0.0.0.0", 1);
  assert.ok(any.has("127.0.0.1:1") && any.has("localhost:1"));
  assert.ok(![...any].some((h) => h.includes("%")));
});

test("no answer allows other origins; a preflight gets nothing", async () => {
  for (const [method, path, headers] of [
    ["GET", "/", {}],
    ["GET", "/_mxdag/demo", {}],
    ["GET", "/_matrix/key/v2/server", {}],
    ["GET", proxied(fed.name, "/_matrix/federation/v1/version"), fromPage(cookie, running.url)],
    ["OPTIONS", proxied(fed.name, "/_matrix/federation/v1/version"), { origin: "http://evil.example", "access-control-request-method": "PUT" }],
  ]) {
    const r = await raw(running.url, path, { method, headers });
    assert.deepEqual(Object.keys(r.headers).filter((h) => h.startsWith("access-control-")), [], `${method} ${path}`);
  }
});

test("--secret-in-url: the cookie only for the printed address, which then drops the secret", async () => {
  const server = await startServer({ port: 0, wasm: mx, identity, secretInUrl: true });
  try {
    const printed = new URL(server.pageUrl);
    assert.equal(printed.searchParams.get("secret"), server.access.secret);
    assert.equal((await raw(server.url, "/")).headers["set-cookie"], undefined);
    assert.equal((await raw(server.url, "/?secret=wrong")).headers["set-cookie"], undefined);
    const r = await raw(server.url, `/?proxy=x&secret=${server.access.secret}&room=!r`);
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, "/?proxy=x&room=%21r");
    const c = r.headers["set-cookie"][0].split(";")[0];
    const demo = server.peer.serverName;
    const ok = await raw(server.url, proxied(demo, "/_matrix/key/v2/server"), { headers: fromPage(c, server.url) });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.server_name, demo);
    const without = await raw(server.url, proxied(demo, "/_matrix/key/v2/server"), { headers: { "sec-fetch-site": "same-origin" } });
    assert.equal(without.status, 403);
  } finally {
    await server.close();
  }
});

/** Starts `mxdag serve …args` as a child; resolves `{url, pid, stop()}` once it prints its address. */
function serveChild(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, "serve", "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stderr.on("data", (d) => (out += d));
    child.once("exit", (code) => reject(new Error(`mxdag serve exited with ${code}\n${out}`)));
    child.stdout.on("data", (d) => {
      out += d;
      const m = /(http:\/\/\S+\/)/.exec(out);
      if (!m) return;
      child.removeAllListeners("exit");
      const stop = () => new Promise((done) => {
        child.once("exit", done);
        child.kill("SIGTERM");
      });
      resolve({ url: m[1], pid: child.pid, stop });
    });
  });
}

/** A process's resident and peak resident memory in bytes (Linux `/proc`). */
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)[1]) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

/** GETs `path`, counting the answer's bytes without keeping them; `{status, headers, bytes, error}`. */
function drain(base, path, headers) {
  const u = new URL(base);
  return new Promise((resolve) => {
    let bytes = 0;
    let status;
    let head;
    const req = httpRequest({ host: u.hostname, port: u.port, path, headers, agent: false }, (res) => {
      status = res.statusCode;
      head = res.headers;
      res.on("data", (c) => (bytes += c.length));
      res.on("end", () => resolve({ status, headers: head, bytes }));
      res.on("error", (error) => resolve({ status, headers: head, bytes, error }));
    });
    req.on("error", (error) => resolve({ status, headers: head, bytes, error }));
    req.end();
  });
}

test("answers over the cap are refused, and answers stream through without growing the process", { skip: !existsSync("/proc/self/status") }, async () => {
  const MiB = 1 << 20;
  const cap = 100 * MiB;
  const chunk = Buffer.alloc(MiB, " ");
  const poured = new Map();
  /** Writes `total` bytes (or until the connection closes), waiting whenever the socket is full. */
  const pour = (res, name, total) => {
    poured.set(name, 0);
    const more = () => {
      while (poured.get(name) < total && !res.destroyed) {
        poured.set(name, poured.get(name) + chunk.length);
        if (!res.write(chunk)) return res.once("drain", more);
      }
      res.end();
    };
    more();
  };
  const big = await fakeFederation({ identity, handler: ({ uri }, res) => {
    const name = uri.split("/").at(-1);
    const total = { declared: 600 * MiB, endless: Infinity, within: 90 * MiB, small: MiB }[name];
    res.writeHead(200, { "content-type": "application/json", ...(total === Infinity ? {} : { "content-length": total }) });
    pour(res, name, total);
  } });
  const serve = await serveChild(["--server-name", identity.serverName, "--signing-key", keyFile, "--insecure-tls",
    "--allow-destination", big.name, "--max-answer-bytes", String(cap)]);
  try {
    const c = await pageCookie(serve.url);
    const get = (name) => drain(serve.url, proxied(big.name, `/_matrix/federation/v1/event/${name}`), fromPage(c, serve.url));
    assert.equal((await get("small")).bytes, MiB);
    const start = memoryOf(serve.pid);
    // Declared over the cap: refused on the headers, the body not read.
    const declared = await get("declared");
    assert.equal(declared.status, 502);
    assert.ok(poured.get("declared") < 32 * MiB, `${poured.get("declared")} bytes poured`);
    // No length given: streamed until the cap, then cut off.
    const endless = await get("endless");
    assert.equal(endless.status, 200);
    assert.ok(endless.error, "the client sees the answer cut off");
    assert.ok(endless.bytes <= cap && endless.bytes > cap / 2, `${endless.bytes} bytes arrived`);
    assert.ok(poured.get("endless") < cap + 32 * MiB, `${poured.get("endless")} bytes poured`);
    // Under the cap: all of it, streamed.
    const within = await get("within");
    assert.deepEqual([within.status, within.bytes, within.error], [200, 90 * MiB, undefined]);
    const end = memoryOf(serve.pid);
    console.log(`serve memory: resident ${(start.rss / MiB).toFixed(0)} MiB before, peak ${(end.peak / MiB).toFixed(0)} MiB after ~190 MiB proxied`);
    assert.ok(end.peak - start.rss < 64 * MiB, `peak ${end.peak} bytes from ${start.rss} resident`);
  } finally {
    await serve.stop();
    await big.close();
  }
});

/**
 * What a hostile page on another origin makes a browser send: a cross-origin fetch with
 * credentials, a no-cors fetch, an <img>, and a text/plain form POST carrying JSON.
 */
function hostilePage(backfill, gme) {
  return `<!doctype html><title>…</title><iframe name="sink"></iframe><script type="module">
const results = {};
const attempt = async (name, fn) => { try { results[name] = await fn(); } catch (e) { results[name] = "failed"; } };
await attempt("fetch", () => fetch(${JSON.stringify(backfill)}, { credentials: "include" }).then((r) => r.status));
await attempt("no-cors", () => fetch(${JSON.stringify(backfill)}, { mode: "no-cors", credentials: "include" }).then((r) => r.type));
await attempt("img", () => new Promise((done) => { const i = new Image(); i.onload = i.onerror = () => done("loaded or not"); i.src = ${JSON.stringify(backfill)}; }));
await attempt("form", () => new Promise((done) => {
  const f = Object.assign(document.createElement("form"), { method: "POST", action: ${JSON.stringify(gme)}, enctype: "text/plain", target: "sink" });
  const i = Object.assign(document.createElement("input"), { name: '{"latest_events":["$a"],"x":"', value: '"}' });
  f.append(i);
  document.body.append(f);
  document.querySelector("iframe").onload = () => done("posted");
  f.submit();
}));
document.title = "done " + JSON.stringify(results);
</script>`;
}

test("in Chromium: the page's own requests pass; a page on another origin gets nothing sent", { skip: !existsSync("/usr/bin/chromium") }, async () => {
  const { launch } = await import("../e2e/harness.js");
  const browser = await launch();
  const target = await fakeFederation({ identity, handler: () => [200, { pdus: [] }] });
  running.destinations.add(target.name);
  const url = (destination, path) => new URL(proxied(destination, path), running.url).href;
  const backfill = url(target.name, "/_matrix/federation/v1/backfill/!r:x?v=%24a");
  const gme = url(target.name, "/_matrix/federation/v1/get_missing_events/!r:x");
  const evil = createHttpServer((_, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(hostilePage(backfill, gme));
  }).listen(0, "127.0.0.1");
  await new Promise((r) => evil.once("listening", r));
  try {
    const context = await browser.newContext();
    const own = await context.newPage();
    await own.goto(running.url);
    // The page's own GET and POST (Origin set) go through: the browser holds the cookie.
    const statuses = await own.evaluate(async ([b, g]) => [
      (await fetch(b)).status,
      (await fetch(g, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ latest_events: ["$a"] }) })).status,
    ], [backfill, gme]);
    assert.deepEqual(statuses, [200, 200]);
    assert.equal(target.seen.length, 2);
    // Another port of this host (same site: the cookie goes along) and another site.
    for (const host of ["127.0.0.1", "localhost"]) {
      const page = await context.newPage();
      await page.goto(`http://${host}:${evil.address().port}/`);
      await page.waitForFunction(() => document.title.startsWith("done"), null, { timeout: 20_000 });
      const results = JSON.parse((await page.title()).slice(5));
      assert.deepEqual(Object.keys(results), ["fetch", "no-cors", "img", "form"], host);
      assert.equal(results.fetch, "failed", `${host}: a cross-origin read is blocked`);
      await page.close();
    }
    assert.equal(target.seen.length, 2, "nothing from the hostile pages reached the destination");
    await context.close();
  } finally {
    evil.close();
    await target.close();
    await browser.close();
  }
});
