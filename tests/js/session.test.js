// RoomSession of the built pkg/: one ingest for every input the page and the CLI take —
// federation answers, Synapse exports, client-API answers, tardis scenarios (JSON5, decoded
// by www/decode.js first), key files — recognised, judged and placed; hostile keys inert;
// GapPlanner.onSession filling a session's gaps from another server's answers.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import mx, { loadTools } from "../../pkg/node/wasm.js";
import { responseText } from "../../pkg/node/commands/answer.js";
import { decodeText } from "../../pkg/www/decode.js";
import { fillAllGaps } from "../../pkg/www/fill.js";

const tools = await loadTools();
const fixture = (name) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");

const room = tools.generateRoom({ seed: 8, roomVersion: "10", events: 40, redaction: false });
const keys = JSON.stringify(room.serverKeys);

/** A session with the generated room's keys that took `text`; returns `[session, report]`. */
function take(text, options) {
  const session = new mx.RoomSession(undefined, undefined);
  session.addKeys(keys);
  return [session, session.ingest(text, options)];
}

test("federation answers: transactions, /get_missing_events answers, arrays, bare PDUs and NDJSON", () => {
  const [a, b] = room.pdus.slice(0, 2);
  const cases = [
    [{ origin: "o", origin_server_ts: 1, pdus: [a, b] }, "transaction"],
    [{ events: [a, b] }, "get_missing_events"],
    [[a, b], "array"],
  ];
  for (const [value, shape] of cases) {
    const [session, report] = take(JSON.stringify(value));
    assert.equal(report.input, shape);
    assert.deepEqual(report.events.map((e) => [e.event_id, e.verdict]), [[room.eventIds[0], "valid"], [room.eventIds[1], "valid"]], shape);
    assert.deepEqual([report.added, report.refused, report.outcome, report.room_version, report.version_from], [2, 0, "valid", "10", "input"]);
    assert.deepEqual(session.linearOrder(), room.eventIds.slice(0, 2));
    session.free();
  }
  const [one, pdu] = take(new TextEncoder().encode(JSON.stringify(a)));
  assert.deepEqual([pdu.input, pdu.events[0].event_id, pdu.room_id], ["pdu", room.eventIds[0], room.roomId]);
  one.free();
  // NDJSON: unusable lines are reported where they are and skipped; the others are judged.
  const [nd, lines] = take(`${JSON.stringify(a)}\n\nnot json\n${JSON.stringify(b)}\n[1]\n`);
  assert.equal(lines.input, "ndjson");
  assert.deepEqual(lines.events.map((e) => [e.label, e.verdict, e.problems.map((p) => p.code)]), [
    ["Line 1", "valid", []],
    ["Line 3", "dropped", ["json_syntax"]],
    ["Line 4", "valid", []],
    ["Line 5", "dropped", ["event_not_object"]],
  ]);
  assert.deepEqual([lines.added, lines.refused, lines.outcome], [2, 2, "invalid"]);
  assert.match(lines.events[1].problems[0].message, /not usable JSON/);
  nd.free();
});

test("Synapse event_json exports keep the stored event ID and say when the content contradicts it", () => {
  const stored = JSON.parse(fixture("synapse/event_json.sqlite-json.json")).map((r) => r.event_id).sort();
  for (const name of ["synapse/event_json.sqlite-json.json", "synapse/event_json.sqlite-tabs.tsv", "synapse/export-with-event-id.ndjson"]) {
    const session = new mx.RoomSession(undefined, undefined);
    session.addKeys(fixture("synapse/B.server_keys_json.json"));
    const report = session.ingest(fixture(name), { source: name });
    assert.equal(report.input, name.endsWith(".ndjson") ? "ndjson" : "synapse_event_json", name);
    assert.deepEqual(report.events.map((e) => e.event_id).sort(), stored, name);
    assert.deepEqual([report.counts.valid, report.outcome, report.room_version], [18, "valid", "10"], name);
    assert.equal(session.details(stored[0]).source.split(", ")[0], name);
    session.free();
  }
  // A row whose stored ID is not the event's: the computed ID is used, the stored one named.
  const tsv = fixture("synapse/event_json.sqlite-tabs.tsv").split("\n");
  const [written] = tsv[3].split("\t");
  tsv[3] = tsv[3].replace(written, "$notTheEventsId");
  const session = new mx.RoomSession(undefined, undefined);
  session.addKeys(fixture("synapse/B.server_keys_json.json"));
  const report = session.ingest(tsv.join("\n"));
  const event = report.events[3];
  assert.equal(event.event_id, written);
  assert.ok(event.problems.some((p) => p.code === "event_id_mismatch" && p.message.includes("$notTheEventsId")), JSON.stringify(event.problems));
  session.free();
  // A row without an event's JSON.
  const broken = new mx.RoomSession(undefined, "10").ingest("$A\tno json here\n");
  assert.deepEqual([broken.input, broken.events.length], ["synapse_event_json", 0]);
  assert.deepEqual(broken.problems.map((p) => [p.code, p.message]), [["row_unreadable", "Line 1: a tab-separated row with no column holding an event's JSON (an object with a `type`) nor a key."]]);
});

test("client-API answers: /messages and /sync in the federation format are checked; /context is drawn unchecked", () => {
  for (const [name, shape] of [["synapse/messages-federation.json", "client_messages"], ["synapse/admin-messages-federation.json", "client_messages"], ["synapse/sync-federation.json", "client_sync"]]) {
    const session = new mx.RoomSession(undefined, undefined);
    session.addKeys(fixture("synapse/B.server_keys_json.json"));
    const report = session.ingest(fixture(name));
    assert.deepEqual([report.input, report.counts.valid, report.outcome], [shape, 18, "valid"], name);
    assert.equal(session.forwardExtremities().length, 1, name);
    assert.deepEqual(session.gaps(), [], name);
    session.free();
  }
  const session = new mx.RoomSession(undefined, undefined);
  const report = session.ingest(fixture("synapse/context.json"));
  assert.deepEqual([report.input, report.room_version, report.outcome], ["client_context", "10", "unchecked"]);
  assert.ok(report.events.every((e) => e.verdict === "unchecked" && e.problems.some((p) => p.code === "client_format_event")));
  // Without prev_events the events are outliers, not a timeline of tips.
  const [summary] = session.summaries();
  assert.deepEqual([summary.counts.timeline, summary.counts.outliers], [0, 13]);
  session.free();
});

test("a tardis scenario (JSON5, decoded first) is read with its made-up IDs, title and annotations", async () => {
  const { text, from } = await decodeText(fixture("tardis/linear.json5"), "linear.json5", (name) => import(name));
  assert.equal(from, "json5");
  assert.equal(mx.RoomSession.holdsOnlyKeys(text), false);
  const session = new mx.RoomSession(undefined, undefined);
  const report = session.ingest(text, { source: "linear.json5" });
  assert.deepEqual([report.input, report.room_version, report.room_id], ["tardis_scenario", "10", "!scenario:example.org"]);
  assert.match(report.title, /^Alice makes a room, Bob joins and talks\./);
  assert.ok(report.events.every((e) => e.verdict === "unchecked" && e.problems.some((p) => p.code === "scenario_event")));
  assert.deepEqual(session.linearOrder(), ["$CREATE", "$ALICE_JOIN", "$JOIN_RULES", "$BOB_JOIN", "$BOB_SAYS"]);
  const details = session.details("$BOB_JOIN");
  assert.deepEqual([details.annotation, details.origin], ["Bob joins the public room.", "scenario"]);
  assert.deepEqual(details.prev.map((n) => n.event_id), ["$JOIN_RULES"]);
  // The same file as the core sees it without decoding: named as JSON5 to decode first.
  const raw = new mx.RoomSession(undefined, undefined).ingest(fixture("tardis/linear.json5"));
  assert.equal(raw.input, "unrecognised");
  assert.match(raw.problems[0].message, /JSON5 and YAML/);
  session.free();
});

test("a YAML file whose decoder cannot be loaded names the file, the package and the fix", async () => {
  const missing = () => Promise.reject(new Error("Failed to fetch dynamically imported module"));
  await assert.rejects(decodeText(fixture("synapse/trusted_key_servers.yaml"), "homeserver.yaml", missing), (e) => {
    assert.equal(e.code, "input_not_json");
    assert.match(e.message, /^homeserver\.yaml is YAML, and its decoder \(the npm package yaml, a dependency of mxdag\) could not be loaded: install mxdag's dependencies \(npm install\)/);
    return true;
  });
});

test("key files: server key tables, trusted_key_servers (YAML), key lines; events judged again when keys arrive", async () => {
  const { text: yaml } = await decodeText(fixture("synapse/trusted_key_servers.yaml"), "trusted_key_servers.yaml", (name) => import(name));
  const sources = [
    [fixture("synapse/B.server_keys_json.json"), "server_keys", undefined],
    [fixture("synapse/B.server_signature_keys.json"), "synapse_keys", "server_database"],
    [yaml, "trusted_keys", "trusted_key_servers"],
    ["127.0.0.1:46329 ed25519:a_A q69rD9yl/OuxXG6kLT+9Zmel8J7ly2cj0FQI6uMuIBE", "trusted_keys", "given"],
  ];
  for (const [text, shape, trusted] of sources) {
    assert.equal(mx.RoomSession.holdsOnlyKeys(text), true, shape);
    const session = new mx.RoomSession(undefined, undefined);
    const before = session.ingest(fixture("synapse/export-with-event-id.ndjson"));
    assert.deepEqual([before.counts.unchecked, before.outcome], [18, "unchecked"]);
    const needed = session.missingKeys();
    assert.deepEqual(needed, [{ server_name: "127.0.0.1:46329", key_id: "ed25519:a_A" }]);
    assert.deepEqual(session.keysNotHeld(needed), needed);
    const added = session.addKeys(text);
    assert.deepEqual([added.input, added.added, added.problems], [shape, 1, []], shape);
    assert.equal(added.keys[0].trusted, trusted, shape);
    assert.deepEqual(added.rejudged, { judged: 18, checked: 18, still_unchecked: 0, auth: { allowed: 18, rejected: 0, unknown: 0 } }, shape);
    assert.deepEqual([session.missingKeys(), session.keysNotHeld(needed)], [[], []]);
    assert.deepEqual(session.verdictCounts(before.events.map((e) => e.event_id)).valid, 18);
    assert.equal(session.details(before.events[17].event_id).verdict, "valid");
    session.free();
  }
  // Keys refused say which key and why; input that holds no keys says what it is.
  const session = new mx.RoomSession(undefined, undefined);
  const bad = session.addKeys("example.org ed25519:x notbase64");
  assert.deepEqual([bad.added, bad.problems.map((p) => p.code)], [0, ["key_malformed"]]);
  assert.match(bad.problems[0].message, /^example\.org's key ed25519:x from a key given as trusted is not unpadded base64/);
  const events = session.addKeys(fixture("synapse/export-with-event-id.ndjson"));
  assert.deepEqual([events.added, events.problems.map((p) => p.code)], [0, ["input_shape_unknown"]]);
  assert.equal(mx.RoomSession.holdsOnlyKeys(fixture("synapse/export-with-event-id.ndjson")), false);
  session.free();
});

test("hostile keys stay inert: __proto__ and constructor are data", () => {
  const text = '{"event_id":"$x","room_id":"!r:one.test","type":"t","sender":"@a:one.test","depth":1,"prev_events":[],"__proto__":{"polluted":1},"content":{"constructor":{"prototype":{"x":1}}}}';
  const session = new mx.RoomSession(undefined, "1");
  const report = session.ingest(text);
  assert.equal(report.added, 1);
  assert.equal({}.polluted, undefined);
  const details = session.details("$x");
  assert.equal(Object.getPrototypeOf(details), Object.prototype);
  assert.deepEqual(JSON.parse(details.json).__proto__, { polluted: 1 });
  assert.equal(details.source, "Event #0", "no source given: the label alone");
  assert.equal(session.details("$never-seen"), undefined);
  session.free();
});

test("GapPlanner.onSession fills a session's gaps from a server's answers, judging every one", async () => {
  const big = tools.generateRoom({ seed: 12, roomVersion: "12", events: 300, redaction: false });
  const server = new mx.RoomSession(undefined, undefined);
  server.addKeys(JSON.stringify(big.serverKeys));
  assert.equal(server.ingest(JSON.stringify(big.pdus)).added, 300);
  // What we hold: the newest 40 events, and a few old ones (two gaps).
  const session = new mx.RoomSession(big.roomId, undefined);
  session.addKeys(JSON.stringify(big.serverKeys));
  const kept = big.pdus.filter((_, i) => i < 3 || i >= 260 || (i >= 120 && i < 125));
  session.ingest(JSON.stringify(kept), { source: "held" });
  assert.ok(session.gaps().length >= 2, JSON.stringify(session.gaps()));
  const planner = mx.GapPlanner.onSession({ room_id: big.roomId, servers: ["peer.test"], strategy: "cover", limit: 50 }, session);
  const reports = [];
  const result = await fillAllGaps({
    planner,
    fetch: async (request) => {
      const answer = server.referenceAnswer(`${request.method} ${request.path}`, request.body ?? undefined);
      return { status: 200, body: responseText(answer.endpoint, server.pickEvents(answer.event_ids), "peer.test", 1) };
    },
    onAnswer: async (request, recorded) => reports.push(recorded.report),
  });
  assert.equal(result.stopped, "done");
  assert.deepEqual(result.open_gaps, []);
  assert.deepEqual(session.gaps(), []);
  assert.deepEqual(new Set(session.linearOrder()), new Set(big.eventIds));
  assert.ok(reports.length > 0 && reports.every((r) => r.outcome === "valid" && r.contract?.ok === true), JSON.stringify(reports.map((r) => [r?.outcome, r?.contract?.problems])));
  assert.equal(reports.reduce((n, r) => n + r.added, 0), 300 - kept.length);
  session.free();
  server.free();
});
