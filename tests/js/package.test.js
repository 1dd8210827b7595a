// The built npm package in pkg/: its manifest, its types, and that it loads and works in
// Node (run `scripts/build` first).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";

const pkg = new URL("../../pkg/", import.meta.url);
const manifest = JSON.parse(readFileSync(new URL("package.json", pkg), "utf8"));
const { mxdag, loadTools } = await import(new URL("node/wasm.js", pkg).href);
const tools = await loadTools();

test("package.json is an ES module package with exports, types, files and the bin", () => {
  assert.equal(manifest.name, "mxdag");
  assert.equal(manifest.type, "module");
  assert.equal(manifest.exports["."].default, "./mxdag.js");
  assert.equal(manifest.exports["."].types, "./mxdag.d.ts");
  assert.equal(manifest.bin.mxdag, "./node/cli.js");
  assert.equal(manifest.exports["./tools"].default, "./tools/mxdag_tools.js");
  assert.deepEqual(manifest.exports["./node"], { types: "./node/wasm.d.ts", default: "./node/wasm.js" });
  assert.deepEqual(manifest.exports["./timeline-fill"], { types: "./www/timeline-fill.d.ts", default: "./www/timeline-fill.js" });
  for (const types of ["./mxdag.d.ts", "./tools/mxdag_tools.d.ts", "./node/wasm.d.ts", "./www/timeline-fill.d.ts"]) assert.ok(existsSync(new URL(types, pkg)), types);
  for (const file of manifest.files) assert.ok(existsSync(new URL(file, pkg)), `${file} is in pkg/`);
  assert.ok(readFileSync(new URL("node/cli.js", pkg), "utf8").startsWith("#!/usr/bin/env node\n"));
});

test("the types file declares the JS API", () => {
  const types = readFileSync(new URL("mxdag.d.ts", pkg), "utf8");
  assert.match(types, /export function validateEvents\(/);
  assert.match(types, /export class KeyRing/);
  assert.match(types, /export class RoomDag/);
  assert.match(types, /export class GapPlanner/);
  assert.match(types, /export class RoomSession/);
  assert.match(types, /export class Timeline/);
  assert.match(types, /page\(options\?: TimelinePageOptions\): TimelinePage;/);
  assert.match(types, /ingest\(input: string \| Uint8Array, options\?: IngestOptions\): IngestReport;/);
  assert.match(types, /static onSession\(options: GapPlannerOptions, session: RoomSession\): GapPlanner;/);
  assert.doesNotMatch(types, /generateRoom|SimulatedFederation/, "the library leaves the tools out");
  const toolTypes = readFileSync(new URL("tools/mxdag_tools.d.ts", pkg), "utf8");
  assert.match(toolTypes, /export function generateRoom\(options: GenerateRoomOptions \| undefined\): GeneratedRoom;/);
  assert.match(toolTypes, /export interface GeneratedRoom \{/);
  assert.match(toolTypes, /export class SimulatedFederation/);
  assert.match(toolTypes, /export function validateEvents\(/, "the tools build is a superset of the library");
});

test("the glue loads with initSync and bytes, as in a browser without fetch", async () => {
  const glue = await import(new URL("mxdag.js", pkg).href);
  assert.equal(typeof glue.initSync, "function");
  assert.equal(typeof mxdag.validateEvents, "function");
  assert.equal(mxdag.generateRoom, undefined);
  assert.equal(typeof mxdag.KeyRing, "function");
  assert.equal(typeof tools.generateRoom, "function");
});

const options = { seed: 5, roomVersion: "11", events: 120, servers: 3, damage: { pruned: 2, tampered: true, badSignature: true } };

test("generateRoom is deterministic and returns plain objects", () => {
  const room = tools.generateRoom(options);
  assert.deepEqual(tools.generateRoom(options), room);
  assert.deepEqual(Object.keys(room).sort(), [
    "damage",
    "eventIds",
    "forwardExtremities",
    "pdus",
    "roomId",
    "roomVersion",
    "serverKeys",
    "signingKeys",
  ]);
  assert.equal(room.roomVersion, "11");
  assert.equal(room.pdus.length, 120);
  assert.equal(room.eventIds.length, 120);
  assert.equal(room.serverKeys.length, 3);
  assert.equal(room.pdus[0].type, "m.room.create");
  assert.equal(room.pdus[0].room_id, room.roomId);
  assert.ok(room.forwardExtremities.every((id) => room.eventIds.includes(id)));
  assert.equal(room.damage.pruned.length, 2);
  assert.equal(typeof room.signingKeys[0].seed, "string");
  assert.notDeepEqual(tools.generateRoom({ ...options, seed: 6 }).eventIds, room.eventIds);
});

test("generateRoom's rooms validate as the damage says", () => {
  const room = tools.generateRoom(options);
  const ring = new mxdag.KeyRing();
  for (const response of room.serverKeys) assert.equal(ring.addResponse(response).added, 1);
  const report = mxdag.validateEvents(room.pdus, room.roomVersion, ring);
  assert.deepEqual(report.counts, { total: 120, valid: 115, redacted: 4, rejected: 0, soft_failed: 0, unchecked: 0, dropped: 1 });
  assert.equal(report.events[room.damage.badSignature].verdict, "dropped");
  assert.equal(report.events[room.damage.tampered].pruned_by_sender, false);
  for (const i of [...room.damage.pruned, room.damage.redacted]) assert.equal(report.events[i].pruned_by_sender, true);
  assert.deepEqual(report.events.map((e) => e.event_id), room.eventIds);
});

test("generateRoom's errors are Errors with a code", () => {
  assert.throws(() => tools.generateRoom({ roomVersion: "13" }), { code: "generate_unknown_room_version" });
  assert.throws(() => tools.generateRoom({ events: "many" }), { code: "generate_bad_options" });
  assert.throws(() => tools.generateRoom({ events: 5_000_000 }), { code: "generate_bad_options", message: /at most 2000000/ });
  assert.equal(tools.generateRoom().roomVersion, "12");
});

test("arguments of the wrong type throw an Error with code invalid_argument and leave the module usable", () => {
  const ring = new mxdag.KeyRing();
  const session = new mxdag.RoomSession(undefined, undefined);
  const backfill = "GET /_matrix/federation/v1/backfill/!r:x?v=$e&limit=5";
  const notAString = {
    "validateEvents(…, 12)": () => mxdag.validateEvents("[]", 12, ring),
    "new RoomDag(5)": () => new mxdag.RoomDag(5),
    "new RoomSession(5)": () => new mxdag.RoomSession(5),
    "new RoomSession(undefined, 12)": () => new mxdag.RoomSession(undefined, 12),
    "ingest(…, {source: 5})": () => session.ingest("{}", { source: 5 }),
    "ingest(…, {request: 5})": () => session.ingest("{}", { request: 5 }),
    "ingest(…, {body: 5})": () => session.ingest("{}", { request: backfill, body: 5 }),
    "setRoomVersion(12)": () => session.setRoomVersion(12),
    "reread(12)": () => session.reread(12),
    "details(5)": () => session.details(5),
    "referenceAnswer(5)": () => session.referenceAnswer(5),
    "referenceAnswer(…, order 1)": () => session.referenceAnswer(backfill, undefined, 1),
    "KeyRing.addKey(1, …)": () => ring.addKey(1, "ed25519:a", "x"),
  };
  for (const [call, f] of Object.entries(notAString)) {
    assert.throws(f, (e) => e instanceof Error && e.code === "invalid_argument" && /must be a string/.test(e.message), call);
  }
  // Inputs are the text or bytes received, never parsed objects (those lost what is judged).
  const notText = {
    "ingest(null)": () => session.ingest(null),
    "ingest(123)": () => session.ingest(123),
    "ingest({pdus: []})": () => session.ingest({ pdus: [] }),
    "addKeys(5)": () => session.addKeys(5),
    "holdsOnlyKeys([])": () => mxdag.RoomSession.holdsOnlyKeys([]),
  };
  for (const [call, f] of Object.entries(notText)) {
    assert.throws(f, (e) => e.code === "invalid_argument" && /must be the text or bytes received \(a string or a Uint8Array\), not a parsed object/.test(e.message), call);
  }
  for (const status of [70000, -1, 200.5, "200", true]) {
    assert.throws(() => session.ingest("{}", { request: backfill, status }), (e) => e.code === "invalid_argument" && /100–599/.test(e.message), String(status));
  }
  assert.throws(() => session.ingest("{}", { outliers: "yes" }), (e) => e.code === "invalid_argument" && /`outliers` must be a boolean/.test(e.message));
  assert.throws(() => new mxdag.RoomSession(undefined, "13"), { code: "unknown_room_version" });
  // Still usable: the same session takes a real input afterwards.
  assert.deepEqual(mxdag.validateEvents("[]", "12", ring).counts, { total: 0, valid: 0, redacted: 0, rejected: 0, soft_failed: 0, unchecked: 0, dropped: 0 });
  const create = { type: "m.room.create", state_key: "", sender: "@a:x", room_id: "!r:x", content: { room_version: "12" }, depth: 1, prev_events: [], auth_events: [], origin_server_ts: 1, hashes: { sha256: "x" }, signatures: {} };
  const report = session.ingest(new TextEncoder().encode(JSON.stringify(create)));
  assert.equal(report.input, "pdu");
  assert.equal(session.roomVersion, "12");
  session.free();
});

test("deeply nested input is refused with a problem, not a stack overflow", () => {
  const deep = '{"a":'.repeat(5000) + "{}" + "}".repeat(5000);
  const event = (content) => `{"event_id":"$a:x","room_id":"!r:x","type":"m.room.message","sender":"@u:x","depth":1,"prev_events":[],"auth_events":[],"content":${content}}`;
  const session = new mxdag.RoomSession(undefined, "1");
  const report = session.ingest(event(deep));
  assert.deepEqual([report.added, report.refused], [0, 1]);
  assert.deepEqual(report.events.map((e) => [e.verdict, e.problems.map((p) => p.code)]), [["dropped", ["json_too_deep"]]]);
  // JS objects too deep to turn into JSON are refused by the planner with a code.
  let nested = {};
  for (let i = 0; i < 5000; i++) nested = { a: nested };
  const planner = new mxdag.GapPlanner({ room_id: "!r:x", servers: ["a"] });
  assert.throws(() => planner.addEvents([{ event_id: "$a:x", prev_events: [nested], depth: 1 }]), (e) => e instanceof Error && e.code === "input_not_json");
  // The session goes on: the same event with flat content is placed.
  assert.equal(session.ingest(event("{}")).added, 1);
  assert.deepEqual(session.linearOrder(), ["$a:x"]);
  session.free();
});

test("roomVersionOf reads the version an input's m.room.create names", () => {
  const create = { type: "m.room.create", state_key: "", content: { room_version: "11" } };
  assert.equal(mxdag.roomVersionOf(JSON.stringify({ pdus: [create] })), "11");
  assert.equal(mxdag.roomVersionOf(JSON.stringify([{ ...create, content: {} }])), "1");
  assert.equal(mxdag.roomVersionOf(JSON.stringify({ type: "m.room.message" })), undefined);
  assert.throws(() => mxdag.roomVersionOf(JSON.stringify({ ...create, content: { room_version: "99" } })), { code: "unknown_room_version" });
  assert.throws(() => mxdag.roomVersionOf(5), { code: "invalid_argument" });
});
