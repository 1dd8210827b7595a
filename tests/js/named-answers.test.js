// The answers that name events instead of carrying them, end to end: the demo peer serves
// /timestamp_to_event (on the spec's path and MSC3030's unstable one) and MSC4370
// /extremities, through the signing proxy as the page asks; a RoomSession checks those
// answers' contracts against the room it holds; --no-extremities answers M_UNRECOGNIZED; the
// proxy falls back to MSC3030's unstable path for servers without the stable one.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as wasm from "../../pkg/node/wasm.js";
import { startServer } from "../../pkg/node/server/index.js";
import { DemoPeer } from "../../pkg/node/server/demo-peer.js";
import { parseServeArgs } from "../../pkg/node/commands/serve.js";
import { readSigningKeyFile } from "../../pkg/node/server/xmatrix.js";
import { fakeFederation } from "./fake-federation.js";
import { scratchFiles } from "./support.js";

const mx = wasm.default ?? wasm;
const CLI = fileURLToPath(new URL("../../pkg/node/cli.js", import.meta.url));
const enc = encodeURIComponent;
const FED = "/_matrix/federation";
let running;

before(async () => {
  running = await startServer({ port: 0, wasm: mx, identity: null });
});
after(async () => {
  await running?.close();
});

/** GET through the proxy as the server's own page (with the cookie serving the page sets). */
async function viaProxy(path) {
  const page = await fetch(new URL("/", running.url));
  await page.arrayBuffer();
  const cookie = page.headers.get("set-cookie").split(";")[0];
  const res = await fetch(new URL(`/_mxdag/proxy/${enc(running.peer.serverName)}${path}`, running.url), { headers: { cookie } });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) };
}

/** The first demo room as the peer holds it. */
const demoRoom = () => [...running.peer.rooms.values()][0];

/** A session holding the whole room, as a client that walked it all. */
function wholeRoom(room) {
  const session = new mx.RoomSession(room.roomId, room.roomVersion);
  session.ingest(JSON.stringify([...room.pdus.values()]), { source: "the whole room" });
  return session;
}

/** The nearest event to `ts` on the side `dir` names, worked out here from the PDUs alone. */
function nearest(room, ts, dir) {
  const side = [...room.pdus.entries()].filter(([, p]) => (dir === "f" ? p.origin_server_ts >= ts : p.origin_server_ts <= ts));
  const distance = ([, p]) => Math.abs(p.origin_server_ts - ts);
  return side.length ? Math.min(...side.map(distance)) : null;
}

test("the demo peer answers timestamp_to_event on both paths with the nearest event, checked by a session", async () => {
  const room = demoRoom();
  const session = wholeRoom(room);
  const times = [...room.pdus.values()].map((p) => p.origin_server_ts).sort((a, b) => a - b);
  const middle = Math.floor((times[100] + times[101]) / 2) + 1;
  for (const prefix of ["v1", "unstable/org.matrix.msc3030"]) {
    for (const dir of ["f", "b"]) {
      const path = `${FED}/${prefix}/timestamp_to_event/${enc(room.roomId)}?ts=${middle}&dir=${dir}`;
      const r = await viaProxy(path);
      assert.equal(r.status, 200, `${path}: ${r.text}`);
      const pdu = room.pdus.get(r.json.event_id);
      assert.ok(pdu, `${r.json.event_id} is an event of the room`);
      assert.equal(r.json.origin_server_ts, pdu.origin_server_ts);
      assert.ok(dir === "f" ? pdu.origin_server_ts >= middle : pdu.origin_server_ts <= middle, `${dir}: ${pdu.origin_server_ts} vs ${middle}`);
      assert.equal(Math.abs(pdu.origin_server_ts - middle), nearest(room, middle, dir));
      const report = session.ingest(r.text, { source: path, request: `GET ${path}`, status: r.status });
      assert.equal(report.contract.endpoint, "timestamp_to_event");
      assert.equal(report.contract.ok, true, JSON.stringify(report.contract.problems));
      assert.deepEqual(report.contract.problems, []);
      assert.equal(report.added, 0, "an answer that names events adds none");
    }
  }
  // Past the newest event: 404 M_NOT_FOUND, which the session notes as information.
  const after = `${FED}/v1/timestamp_to_event/${enc(room.roomId)}?ts=${times.at(-1) + 1}&dir=f`;
  const none = await viaProxy(after);
  assert.deepEqual([none.status, none.json.errcode], [404, "M_NOT_FOUND"]);
  const report = session.ingest(none.text, { source: after, request: `GET ${after}`, status: 404 });
  assert.deepEqual(report.contract.problems.map((p) => [p.code, p.severity]), [["contract_no_event_found", "info"]]);
  // Bad parameters are refused.
  const bad = await viaProxy(`${FED}/v1/timestamp_to_event/${enc(room.roomId)}?ts=soon&dir=f`);
  assert.deepEqual([bad.status, bad.json.errcode], [400, "M_INVALID_PARAM"]);
});

test("an answer on the wrong side of ts, or naming another event's timestamp, breaks the contract", () => {
  const room = demoRoom();
  const session = wholeRoom(room);
  const [id, pdu] = [...room.pdus.entries()][50];
  const line = (ts, dir) => `GET ${FED}/v1/timestamp_to_event/${enc(room.roomId)}?ts=${ts}&dir=${dir}`;
  const check = (ts, dir, answer) => session.ingest(JSON.stringify(answer), { source: "test", request: line(ts, dir), status: 200 }).contract;
  const wrongSide = check(pdu.origin_server_ts + 1, "f", { event_id: id, origin_server_ts: pdu.origin_server_ts });
  assert.equal(wrongSide.ok, false);
  assert.equal(wrongSide.problems[0].code, "contract_wrong_side_of_ts");
  const otherTs = check(pdu.origin_server_ts - 5, "f", { event_id: id, origin_server_ts: pdu.origin_server_ts + 3 });
  assert.equal(otherTs.ok, false);
  assert.ok(otherTs.problems.some((p) => p.code === "contract_ts_mismatch"));
  const unknown = check(0, "f", { event_id: "$not-in-the-room", origin_server_ts: 1 });
  assert.equal(unknown.ok, true);
  assert.ok(unknown.problems.some((p) => p.code === "contract_event_not_held"));
});

test("the demo peer answers MSC4370 extremities: the room's forward extremities, each fetchable", async () => {
  const room = demoRoom();
  const path = `${FED}/unstable/org.matrix.msc4370/extremities/${enc(room.roomId)}`;
  const r = await viaProxy(path);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([...r.json.prev_events].sort(), [...room.latestEvents].sort());
  // Worked out here: events no other event of the room lists in prev_events.
  const listed = new Set([...room.pdus.values()].flatMap((p) => p.prev_events));
  assert.deepEqual([...r.json.prev_events].sort(), [...room.pdus.keys()].filter((id) => !listed.has(id)).sort());
  for (const id of r.json.prev_events) {
    const event = await viaProxy(`${FED}/v1/event/${enc(id)}`);
    assert.equal(event.status, 200, id);
  }
  // A session holding the whole room finds them exact; one holding nothing notes each unheld.
  const whole = wholeRoom(room).ingest(r.text, { source: path, request: `GET ${path}`, status: 200 }).contract;
  assert.deepEqual([whole.endpoint, whole.ok, whole.problems], ["extremities", true, []]);
  const empty = new mx.RoomSession(room.roomId, room.roomVersion).ingest(r.text, { source: path, request: `GET ${path}`, status: 200 });
  assert.deepEqual(empty.contract.problems.map((p) => p.code), ["contract_event_not_held"]);
  // A non-extremity named in a room held whole is an error.
  const inner = [...listed][0];
  const wrong = wholeRoom(room).ingest(JSON.stringify({ prev_events: [inner] }), { source: path, request: `GET ${path}`, status: 200 }).contract;
  assert.equal(wrong.ok, false);
  assert.equal(wrong.problems[0].code, "contract_not_an_extremity");
});

test("--no-extremities: M_UNRECOGNIZED, which a session reads as the MSC not supported", async () => {
  assert.equal(parseServeArgs(["--no-extremities"]).extremities, false);
  assert.equal(parseServeArgs([]).extremities, true);
  const room = demoRoom();
  const demo = { serverName: running.peer.serverName, rooms: [room], serverKeys: running.peer.serverKeys };
  const path = `${FED}/unstable/org.matrix.msc4370/extremities/${enc(room.roomId)}`;
  const off = new DemoPeer(demo, { extremities: false }).handle({ method: "GET", path, uri: path, query: new URLSearchParams() });
  assert.deepEqual([off.status, off.json.errcode], [404, "M_UNRECOGNIZED"]);
  const report = new mx.RoomSession(room.roomId, room.roomVersion).ingest(JSON.stringify(off.json), { source: path, request: `GET ${path}`, status: 404 });
  assert.deepEqual(report.contract.problems.map((p) => [p.code, p.severity]), [["error_unrecognized", "info"]]);
  const on = new DemoPeer(demo, {}).handle({ method: "GET", path, uri: path, query: new URLSearchParams() });
  assert.equal(on.status, 200);
  const wrongRoom = new DemoPeer(demo, {}).handle({ method: "GET", path: `${FED}/unstable/org.matrix.msc4370/extremities/!nope:x`, query: new URLSearchParams() });
  assert.equal(wrongRoom.status, 404);
});

test("the proxy asks /timestamp_to_event on MSC3030's unstable path when a server lacks the stable one", async () => {
  const keyFile = scratchFiles("named-answers")("signing.key", "ed25519 a_test YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1\n");
  const identity = { serverName: "origin.test", key: readSigningKeyFile(keyFile) };
  const unrecognized = [404, { errcode: "M_UNRECOGNIZED", error: "Unrecognized request" }];
  // An old server (unstable path only) and a current one (stable path only).
  const old = await fakeFederation({ identity, handler: ({ uri }) => (uri.includes("/unstable/org.matrix.msc3030/") ? [200, { event_id: "$old", origin_server_ts: 5, uri }] : unrecognized) });
  const current = await fakeFederation({ identity, handler: ({ uri }) => (uri.includes("/v1/") ? [200, { event_id: "$new", origin_server_ts: 5, uri }] : unrecognized) });
  const proxy = await startServer({ port: 0, wasm: mx, identity, insecureTls: true, allowDestinations: [old.name, current.name] });
  try {
    const page = await fetch(new URL("/", proxy.url));
    await page.arrayBuffer();
    const cookie = page.headers.get("set-cookie").split(";")[0];
    const ask = async (server) => {
      const res = await fetch(new URL(`/_mxdag/proxy/${enc(server.name)}${FED}/v1/timestamp_to_event/${enc("!r:x")}?ts=5&dir=f`, proxy.url), { headers: { cookie } });
      return { status: res.status, which: res.headers.get("x-mxdag-timestamp-to-event"), json: await res.json() };
    };
    const fromOld = await ask(old);
    assert.deepEqual([fromOld.status, fromOld.which, fromOld.json.event_id], [200, "unstable", "$old"]);
    assert.deepEqual(old.seen.map((s) => s.uri), [`${FED}/v1/timestamp_to_event/${enc("!r:x")}?ts=5&dir=f`, `${FED}/unstable/org.matrix.msc3030/timestamp_to_event/${enc("!r:x")}?ts=5&dir=f`]);
    const fromCurrent = await ask(current);
    assert.deepEqual([fromCurrent.status, fromCurrent.which, fromCurrent.json.event_id], [200, "stable", "$new"]);
    assert.equal(current.seen.length, 1, "the stable path answered: nothing else asked");
  } finally {
    await proxy.close();
    await Promise.all([old.close(), current.close()]);
  }
});

test("--faulty: /timestamp_to_event gives a timestamp that is not the event's, which the contract check catches", () => {
  const room = demoRoom();
  const demo = { serverName: running.peer.serverName, rooms: [room], serverKeys: running.peer.serverKeys };
  const session = wholeRoom(room);
  const [, pdu] = [...room.pdus.entries()][60];
  const path = `${FED}/v1/timestamp_to_event/${enc(room.roomId)}`;
  const uri = `${path}?ts=${pdu.origin_server_ts - 1}&dir=f`;
  const r = new DemoPeer(demo, { faulty: true }).handle({ method: "GET", path, uri, query: new URL(uri, "http://x").searchParams });
  assert.equal(r.status, 200);
  const contract = session.ingest(JSON.stringify(r.json), { source: uri, request: `GET ${uri}`, status: 200 }).contract;
  assert.equal(contract.ok, false);
  assert.ok(contract.problems.some((p) => p.code === "contract_ts_mismatch"), JSON.stringify(contract.problems));
});

test("mxdag check --request judges an answer that names events against the --dag room", () => {
  const room = demoRoom();
  const file = scratchFiles("named-answers-cli");
  const dag = file("room.json", [...room.pdus.values()]);
  const extremities = `GET ${FED}/unstable/org.matrix.msc4370/extremities/${enc(room.roomId)}`;
  const run = (request, answer) =>
    spawnSync(process.execPath, [CLI, "check", "--room-version", room.roomVersion, "--dag", dag, "--request", request, file("answer.json", answer)], { encoding: "utf8" });
  const right = run(extremities, { prev_events: room.latestEvents });
  assert.match(right.stdout, /event_ids, 0 event\(s\)/);
  assert.match(right.stdout, /contract of extremities: kept/);
  const inner = [...room.pdus.values()].at(-1).prev_events[0];
  const wrong = run(extremities, { prev_events: [inner] });
  assert.equal(wrong.status, 1, wrong.stderr);
  assert.match(wrong.stdout, /contract_not_an_extremity/);
  const [id, pdu] = [...room.pdus.entries()][10];
  const ts = run(`GET ${FED}/v1/timestamp_to_event/${enc(room.roomId)}?ts=${pdu.origin_server_ts + 1}&dir=f`, { event_id: id, origin_server_ts: pdu.origin_server_ts });
  assert.equal(ts.status, 1, ts.stderr);
  assert.match(ts.stdout, /contract_wrong_side_of_ts/);
});
