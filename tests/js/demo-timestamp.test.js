// The demo peer's /timestamp_to_event (spec: Server-Server API, "Room lookup by timestamp"),
// which the page uses to enter a demo room at a date: the nearest event in the direction
// asked, on the stable and MSC3030's unstable path; errors as Synapse answers them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as wasm from "../../pkg/node/wasm.js";
import { startServer } from "../../pkg/node/server/index.js";

const mx = wasm.default ?? wasm;
let server;
before(async () => {
  server = await startServer({ port: 0, wasm: mx, identity: null });
});
after(() => server?.close());

const get = async (path) => {
  const res = await fetch(new URL(path, server.url));
  return { status: res.status, json: await res.json() };
};
const enc = encodeURIComponent;
const lookup = (roomId, ts, dir, prefix = "v1") => get(`/_matrix/federation/${prefix}/timestamp_to_event/${enc(roomId)}?ts=${ts}&dir=${dir}`);
const pduOf = async (id) => (await get(`/_matrix/federation/v1/event/${enc(id)}`)).json.pdus[0];

test("the demo peer finds the event nearest a date, both ways, on both paths", async () => {
  const room = (await get("/_mxdag/demo")).json.rooms[0];
  const first = await lookup(room.room_id, 0, "f");
  assert.equal(first.status, 200);
  assert.equal((await pduOf(first.json.event_id)).type, "m.room.create");
  const last = await lookup(room.room_id, 8.64e15, "b");
  assert.equal(last.status, 200);
  const latest = await Promise.all(room.latest_events.map(pduOf));
  assert.equal(last.json.origin_server_ts, Math.max(...latest.map((p) => p.origin_server_ts)));
  const mid = Math.floor((first.json.origin_server_ts + last.json.origin_server_ts) / 2);
  const after = await lookup(room.room_id, mid, "f");
  const before = await lookup(room.room_id, mid, "b", "unstable/org.matrix.msc3030");
  assert.ok(after.json.origin_server_ts >= mid && before.json.origin_server_ts <= mid);
  assert.equal((await pduOf(after.json.event_id)).origin_server_ts, after.json.origin_server_ts);
  assert.notEqual(after.json.event_id, first.json.event_id);
  assert.notEqual(after.json.event_id, last.json.event_id);
  const none = await lookup(room.room_id, last.json.origin_server_ts + 1, "f");
  assert.equal(none.status, 404);
  assert.equal(none.json.errcode, "M_NOT_FOUND");
  assert.equal((await lookup(room.room_id, 0, "x")).json.errcode, "M_INVALID_PARAM");
  assert.equal((await lookup("!nowhere:demo.mxdag.test", 0, "f")).status, 404);
});
