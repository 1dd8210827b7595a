// The server of `mxdag serve` over HTTP: the demo peer's reference answers, key answers,
// X-Matrix checks, static files, and the signing proxy against a test peer that verifies
// every X-Matrix signature it receives.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as wasm from "../../pkg/node/wasm.js";
import { startServer } from "../../pkg/node/server/index.js";
import { DemoPeer } from "../../pkg/node/server/demo-peer.js";
import { FORWARDS_FILL_PATHS } from "../../pkg/www/forwards-fill.js";
import {
  canonicalJson, decodeBase64, readSigningKeyFile, signJson, signingKeyFromSeed, verifyBytes, verifyRequest,
} from "../../pkg/node/server/xmatrix.js";
import { fakeFederation } from "./fake-federation.js";

const mx = wasm.default ?? wasm;
const dir = mkdtempSync(join(tmpdir(), "mxdag-server-"));
const keyFile = join(dir, "signing.key");
// The spec's test seed (Appendices → Cryptographic test vectors), as Synapse writes it.
writeFileSync(keyFile, "ed25519 a_test YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1\n");
const identity = { serverName: "origin.test", key: readSigningKeyFile(keyFile) };

let plain; // default options
let strict; // --require-auth --cap 7 --order bfs --unstable-only-forwards-fill, with an identity
let off; // --no-forwards-fill
const get = async (base, path, init) => {
  const res = await fetch(new URL(path, base), init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
};
const post = (base, path, body) =>
  get(base, path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/**
 * Headers of a request from the server's own page: the proxy's cookie, as serving the page
 * sets it (tests/js/proxy-security.test.js checks what happens without them).
 */
async function asPage(base) {
  const page = await fetch(new URL("/", base));
  await page.arrayBuffer();
  const cookie = page.headers.get("set-cookie");
  assert.match(cookie, /HttpOnly; SameSite=Strict/);
  return { cookie: cookie.split(";")[0] };
}
/** GET or POST through the proxy as the page. */
const viaProxy = async (base, path, body) => {
  const headers = await asPage(base);
  if (body === undefined) return get(base, path, { headers });
  return get(base, path, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) });
};

before(async () => {
  plain = await startServer({ port: 0, wasm: mx, identity: null });
  strict = await startServer({ port: 0, wasm: mx, identity, requireAuth: true, cap: 7, order: "bfs", forwardsFill: "unstable" });
  off = await startServer({ port: 0, wasm: mx, identity: null, forwardsFill: "none" });
});
after(async () => {
  await Promise.all([plain, strict, off].map((s) => s?.close()));
});

/** The demo as the test sees it, and its first room. */
async function demoRoom(base) {
  const info = (await get(base, "/_mxdag/demo")).json;
  return { info, room: info.rooms[0] };
}

test("the demo lists two rooms, one in an old room version, with their latest events", async () => {
  const { info } = await demoRoom(plain.url);
  assert.equal(info.server_name, plain.peer.serverName);
  assert.equal(info.rooms.length, 2);
  assert.deepEqual(info.rooms.map((r) => r.room_version), ["10", "3"]);
  for (const r of info.rooms) {
    assert.ok(r.latest_events.length >= 1);
    assert.equal(new Set(r.latest_events).size, r.latest_events.length);
  }
});

test("backfill over HTTP is the reference answer and keeps its contract", async () => {
  const { room } = await demoRoom(plain.url);
  const v = room.latest_events;
  const path = `/_matrix/federation/v1/backfill/${encodeURIComponent(room.room_id)}?${v.map((x) => `v=${encodeURIComponent(x)}`).join("&")}&limit=30`;
  const r = await get(plain.url, path);
  assert.equal(r.status, 200);
  assert.equal(r.json.origin, plain.peer.serverName);
  assert.equal(r.json.pdus.length, 30);
  const held = plain.peer.rooms.get(room.room_id);
  assert.deepEqual(r.json.pdus, held.backfill(v, 30, "synapse"));
  // Synapse order: newest first, so depth never increases along the answer.
  const depths = r.json.pdus.map((p) => p.depth);
  assert.deepEqual(depths, [...depths].sort((a, b) => b - a));
  // Judged by a session that holds the latest events (their IDs computed from the PDUs,
  // as received), the answer keeps the backfill contract.
  const session = new mx.RoomSession(room.room_id, room.room_version);
  const latest = session.ingest(JSON.stringify(v.map((id) => held.pdus.get(id))), { source: "latest" });
  assert.deepEqual([...latest.events.map((e) => e.event_id)].sort(), [...v].sort());
  const report = session.ingest(r.text, { source: "answer", request: `GET ${path}`, status: r.status, viaBackfill: true });
  assert.equal(report.input, "transaction");
  assert.equal(report.counts.total, 30);
  assert.equal(report.counts.dropped + report.counts.redacted + report.counts.rejected, 0, JSON.stringify(report.counts));
  assert.equal(report.contract.ok, true, JSON.stringify(report.contract.problems));
  assert.equal(report.contract.ordering, "synapse");
  assert.deepEqual(session.referenceAnswer(`GET ${path}`).event_ids.slice(0, v.length).sort(), [...v].sort());
  session.free();
});

test("get_missing_events and /event answer from the room", async () => {
  const { room } = await demoRoom(plain.url);
  const path = `/_matrix/federation/v1/get_missing_events/${encodeURIComponent(room.room_id)}`;
  const body = { limit: 10, min_depth: 0, earliest_events: [], latest_events: room.latest_events };
  const r = await post(plain.url, path, body);
  assert.equal(r.status, 200);
  assert.equal(r.json.events.length, 10);
  const held = plain.peer.rooms.get(room.room_id);
  assert.deepEqual(r.json.events, held.getMissingEvents([], room.latest_events, 10, 0));
  // The latest events themselves are not returned (they are what the asker holds).
  const idOf = new Map([...held.pdus].map(([id, p]) => [JSON.stringify(p), id]));
  const returned = r.json.events.map((e) => idOf.get(JSON.stringify(e)));
  assert.equal(returned.filter(Boolean).length, 10);
  for (const id of room.latest_events) assert.ok(!returned.includes(id));
  const one = await get(plain.url, `/_matrix/federation/v1/event/${encodeURIComponent(room.latest_events[0])}`);
  assert.equal(one.status, 200);
  assert.deepEqual(one.json.pdus, [held.pdus.get(room.latest_events[0])]);
  const none = await get(plain.url, `/_matrix/federation/v1/event/${encodeURIComponent("$nope")}`);
  assert.equal(none.status, 404);
  assert.equal(none.json.errcode, "M_NOT_FOUND");
  for (const body of [{ latest_events: "x" }, { latest_events: [1, 2] }, { latest_events: ["$a"], earliest_events: [null] }]) {
    const bad = await post(plain.url, path, body);
    assert.equal(bad.status, 400, JSON.stringify(body));
    assert.equal(bad.json.errcode, "M_BAD_JSON");
  }
  const notJson = await get(plain.url, path, { method: "POST", body: "nope" });
  assert.equal(notJson.status, 400);
  assert.equal(notJson.json.errcode, "M_NOT_JSON");
  const badPath = await get(plain.url, "/_matrix/federation/v1/backfill/%ZZ?v=a");
  assert.equal(badPath.status, 400);
  const unknown = await get(plain.url, "/_matrix/federation/v1/backfill/!nope:x?v=a");
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.errcode, "M_NOT_FOUND");
  const wrongMethod = await get(plain.url, path);
  assert.equal(wrongMethod.status, 405);
  const noSuch = await get(plain.url, "/_matrix/federation/v1/state/x");
  assert.deepEqual([noSuch.status, noSuch.json.errcode], [404, "M_UNRECOGNIZED"]);
});

test("forwards fill answers on its three paths, both unstable ones, the unstable/ one, or none, as configured", async () => {
  const { room } = await demoRoom(plain.url);
  const held = plain.peer.rooms.get(room.room_id);
  const first = held.order[0];
  const q = `${encodeURIComponent(room.room_id)}?from_event_id=${encodeURIComponent(first)}&limit=5`;
  const paths = [
    `/_matrix/federation/v1/forwards_fill/${q}`,
    `/_matrix/federation/org.matrix.msc4000/forwards_fill/${q}`,
    `/_matrix/federation/unstable/org.matrix.msc4000/forwards_fill/${q}`,
  ];
  assert.deepEqual(FORWARDS_FILL_PATHS.map((f) => f.prefix + q), paths);
  // Over HTTP: every path of the default peer gives the reference answer; --no-forwards-fill none.
  const expected = held.forwardsFill([first], 5);
  assert.equal(expected.length, 5);
  for (const path of paths) {
    const a = await get(plain.url, path);
    assert.equal(a.status, 200, path);
    assert.deepEqual(a.json.pdus, expected, path);
    const r = await get(off.url, path);
    assert.deepEqual([r.status, r.json.errcode], [404, "M_UNRECOGNIZED"], path);
  }
  // Each configuration, asked directly: which paths answer.
  const demo = { serverName: plain.peer.serverName, rooms: [...plain.peer.rooms.values()], serverKeys: plain.peer.serverKeys };
  for (const [forwardsFill, answering] of [
    [undefined, [200, 200, 200]], ["all", [200, 200, 200]], ["unstable", [404, 200, 200]], ["synapse", [404, 404, 200]], ["none", [404, 404, 404]],
  ]) {
    const peer = new DemoPeer(demo, { forwardsFill });
    const statuses = paths.map((uri) => {
      const url = new URL(uri, "http://x");
      return peer.handle({ method: "GET", path: url.pathname, uri, query: url.searchParams }).status;
    });
    assert.deepEqual(statuses, answering, String(forwardsFill));
  }
  assert.throws(() => new DemoPeer(demo, { forwardsFill: "both" }), /forwardsFill must be one of all, unstable, synapse, none/);
});

test("through the proxy, the demo peer's forwards fill is found on whichever path it serves", async () => {
  const { room } = await demoRoom(plain.url);
  const held = plain.peer.rooms.get(room.room_id);
  const q = `${encodeURIComponent(room.room_id)}?from_event_id=${encodeURIComponent(held.order[0])}&limit=4`;
  const synapse = await startServer({ port: 0, wasm: mx, identity: null, forwardsFill: "synapse" });
  try {
    for (const [server, which, status] of [[plain, "stable", 200], [synapse, "unstable", 200], [off, "unsupported", 404]]) {
      // Asked on the stable path, the proxy tries the others in order and names the one that answered.
      const ff = await viaProxy(server.url, `/_mxdag/proxy/${encodeURIComponent(server.peer.serverName)}/_matrix/federation/v1/forwards_fill/${q}`);
      assert.deepEqual([ff.status, ff.headers.get("x-mxdag-forwards-fill")], [status, which]);
      if (status === 200) assert.deepEqual(ff.json.pdus, held.forwardsFill([held.order[0]], 4));
      else assert.equal(ff.json.errcode, "M_UNRECOGNIZED");
    }
    // Asked on the unstable/ path, the proxy asks that path only.
    const direct = await viaProxy(synapse.url, `/_mxdag/proxy/${encodeURIComponent(synapse.peer.serverName)}/_matrix/federation/unstable/org.matrix.msc4000/forwards_fill/${q}`);
    assert.deepEqual([direct.status, direct.headers.get("x-mxdag-forwards-fill")], [200, "unstable"]);
  } finally {
    await synapse.close();
  }
});

test("keys: the peer's own key is self-signed, the notary answers for the other demo servers", async () => {
  const own = (await get(plain.url, "/_matrix/key/v2/server")).json;
  assert.equal(own.server_name, plain.peer.serverName);
  const [keyId, { key }] = Object.entries(own.verify_keys)[0];
  const { signatures, ...unsigned } = own;
  assert.ok(verifyBytes(decodeBase64(key), canonicalJson(unsigned), signatures[own.server_name][keyId]));
  const others = [...plain.peer.serverKeys.keys()].filter((n) => n !== own.server_name);
  assert.ok(others.length >= 2);
  const q = await post(plain.url, "/_matrix/key/v2/query", { server_keys: Object.fromEntries(others.map((n) => [n, {}])) });
  assert.deepEqual(q.json.server_keys.map((k) => k.server_name).sort(), [...others].sort());
});

test("--require-auth refuses unsigned requests and accepts the proxy's signed ones; --cap and --order apply", async () => {
  const { room } = await demoRoom(strict.url);
  const path = `/_matrix/federation/v1/backfill/${encodeURIComponent(room.room_id)}?v=${encodeURIComponent(room.latest_events[0])}&limit=50`;
  const unsigned = await get(strict.url, path);
  assert.equal(unsigned.status, 401);
  assert.equal(unsigned.json.errcode, "M_UNAUTHORIZED");
  const signed = await viaProxy(strict.url, `/_mxdag/proxy/${encodeURIComponent(strict.peer.serverName)}${path}`);
  assert.equal(signed.status, 200, JSON.stringify(signed.json));
  assert.equal(signed.json.pdus.length, 7);
  const held = strict.peer.rooms.get(room.room_id);
  assert.deepEqual(signed.json.pdus, held.backfill([room.latest_events[0]], 7, "bfs"));
  // The proxy falls back to the MSC's unstable forwards fill path and says so.
  const ff = await viaProxy(strict.url, `/_mxdag/proxy/${encodeURIComponent(strict.peer.serverName)}/_matrix/federation/v1/forwards_fill/${encodeURIComponent(room.room_id)}?from_event_id=${encodeURIComponent(held.order[0])}&limit=3`);
  assert.equal(ff.status, 200);
  assert.equal(ff.headers.get("x-mxdag-forwards-fill"), "msc4000");
  assert.equal(ff.json.pdus.length, 3);
});

test("static files: the page, the wasm as application/wasm, nothing outside", async () => {
  const page = await fetch(new URL("/", plain.url));
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type"), /^text\/html/);
  assert.match(await page.text(), /mxdag inspector/);
  const w = await fetch(new URL("/pkg/mxdag_bg.wasm", plain.url));
  assert.equal(w.status, 200);
  assert.equal(w.headers.get("content-type"), "application/wasm");
  assert.equal((await fetch(new URL("/%2e%2e/package.json", plain.url))).status, 404);
  assert.equal((await fetch(new URL("/nothing-here", plain.url))).status, 404);
});

test("X-Matrix signing reproduces the spec's test vectors", () => {
  const key = signingKeyFromSeed("ed25519:1", decodeBase64("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"));
  assert.equal(signJson({}, "domain", key).signatures.domain["ed25519:1"],
    "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ");
  assert.equal(signJson({ one: 1, two: "Two" }, "domain", key).signatures.domain["ed25519:1"],
    "KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw");
});

test("the proxy signs requests a peer can verify, with and without a body, and falls back on forwards fill", async () => {
  // Each forwards fill path unrecognised in a way servers say it: 404, 405, 400 with M_UNRECOGNIZED.
  const peer = await fakeFederation({ identity, handler: ({ uri }) =>
    uri.includes("/v1/forwards_fill/") ? [404, { errcode: "M_UNRECOGNIZED", error: "Unrecognized request" }]
      : uri.includes("/unstable/org.matrix.msc4000/") ? [400, { errcode: "M_UNRECOGNIZED", error: "Unrecognized request" }]
        : uri.includes("msc4000") ? [405, { errcode: "M_UNRECOGNIZED", error: "Method not allowed" }]
          : [200, { origin: "peer", origin_server_ts: 1, pdus: [] }] });
  const running = await startServer({ port: 0, wasm: mx, identity, insecureTls: true, allowDestinations: [peer.name] });
  try {
    const base = `/_mxdag/proxy/${encodeURIComponent(peer.name)}`;
    const bf = await viaProxy(running.url, `${base}/_matrix/federation/v1/backfill/!r:x?v=%24a&limit=5`);
    assert.equal(bf.status, 200);
    const gme = await viaProxy(running.url, `${base}/_matrix/federation/v1/get_missing_events/!r:x`, { latest_events: ["$a"], earliest_events: [], limit: 3 });
    assert.equal(gme.status, 200);
    const ff = await viaProxy(running.url, `${base}/_matrix/federation/v1/forwards_fill/!r:x?from_event_id=%24a`);
    assert.equal(ff.status, 400);
    assert.equal(ff.headers.get("x-mxdag-forwards-fill"), "unsupported");
    assert.deepEqual(peer.seen.map((s) => [s.method, s.uri, s.ok]), [
      ["GET", "/_matrix/federation/v1/backfill/!r:x?v=%24a&limit=5", true],
      ["POST", "/_matrix/federation/v1/get_missing_events/!r:x", true],
      ["GET", "/_matrix/federation/v1/forwards_fill/!r:x?from_event_id=%24a", true],
      ["GET", "/_matrix/federation/org.matrix.msc4000/forwards_fill/!r:x?from_event_id=%24a", true],
      ["GET", "/_matrix/federation/unstable/org.matrix.msc4000/forwards_fill/!r:x?from_event_id=%24a", true],
    ]);
    // The verifier is not a rubber stamp: another URI or origin key fails.
    const other = verifyRequest({ method: "GET", uri: "/x", destination: peer.name, authorization: "X-Matrix origin=\"origin.test\",key=\"ed25519:a_test\",sig=\"AAAA\"" },
      () => identity.key.publicKey);
    assert.equal(other.ok, false);
  } finally {
    await peer.close();
    await running.close();
  }
});

test("the proxy without an identity refuses to forward to real servers, even allowed ones", async () => {
  const running = await startServer({ port: 0, wasm: mx, identity: null, allowDestinations: ["127.0.0.1:1"] });
  try {
    const r = await viaProxy(running.url, "/_mxdag/proxy/127.0.0.1:1/_matrix/federation/v1/event/%24x");
    assert.equal(r.status, 503);
  } finally {
    await running.close();
  }
});

test("serve options: defaults, values, and exit code 2 on bad arguments", async () => {
  const { parseServeArgs } = await import("../../pkg/node/commands/serve.js");
  const d = parseServeArgs([]);
  assert.deepEqual([d.host, d.port, d.order, d.cap, d.forwardsFill, d.faulty, d.requireAuth], ["127.0.0.1", 8008, "synapse", 100, "all", false, false]);
  assert.equal(parseServeArgs(["--synapse-only-forwards-fill"]).forwardsFill, "synapse");
  assert.equal(parseServeArgs(["--no-forwards-fill"]).forwardsFill, "none");
  const o = parseServeArgs(["--port", "0", "--order", "bfs", "--cap", "20", "--unstable-only-forwards-fill", "--faulty", "--require-auth"]);
  assert.deepEqual([o.port, o.order, o.cap, o.forwardsFill, o.faulty, o.requireAuth], [0, "bfs", 20, "unstable", true, true]);
  assert.equal(parseServeArgs(["--no-forwards-fill"]).forwardsFill, "none");
  const p = parseServeArgs(["--allow-destination", "Example.org", "--allow-destination", "[::1]:8448", "--max-answer-bytes", "1000"]);
  assert.deepEqual([p.allowDestinations, p.maxAnswerBytes, p.secretInUrl], [["Example.org", "[::1]:8448"], 1000, false]);
  assert.equal(d.maxAnswerBytes, 64 * 1024 * 1024);
  // A signing key on an address others can reach: the secret travels only in the printed URL.
  assert.equal(parseServeArgs(["--host", "0.0.0.0", "--server-name", "s", "--signing-key", "k"]).secretInUrl, true);
  for (const bad of [["--cap", "0"], ["--order", "dfs"], ["--port", "70000"], ["--server-name", "x"], ["--port"], ["--what"],
    ["--max-answer-bytes", "0"], ["--allow-destination", "169.254.169.254"], ["--allow-destination", "[fe80::1]:8448"],
    ["--allow-destination", "metadata.google.internal"], ["--allow-destination", "a/b"], ["--allow-destination", "x:99999"]]) {
    assert.throws(() => parseServeArgs(bad), (e) => e.exitCode === 2, bad.join(" "));
  }
});

test("without --insecure-tls the proxy refuses a peer whose certificate it cannot verify", async () => {
  const peer = await fakeFederation({ identity, handler: () => [200, {}] });
  const logged = [];
  const running = await startServer({ port: 0, wasm: mx, identity, insecureTls: false, allowDestinations: [peer.name], log: (l) => logged.push(l) });
  try {
    const r = await viaProxy(running.url, `/_mxdag/proxy/${encodeURIComponent(peer.name)}/_matrix/federation/v1/event/%24x`);
    assert.equal(r.status, 502);
    // The page is told only that the peer is unreachable; the terminal gets the reason.
    assert.equal(r.json.error, "upstream unreachable");
    assert.match(logged.join("\n"), /certificate/i);
    assert.equal(peer.seen.length, 0);
  } finally {
    await peer.close();
    await running.close();
  }
});
