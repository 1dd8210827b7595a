// The files users already have, made from the real Synapse (exports.mjs): every shape is
// judged and drawn right on the first try — Synapse's event IDs, valid with the database's
// keys or a trusted key, one forward extremity and no false gap for a linear room — and one
// altered event is caught by `check` and flagged by `dag`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PKG } from "./mxdag.mjs";
import { EXPORTS } from "./exports.mjs";
import { hsTest, publicKeyOf } from "./world.mjs";
import { sorted } from "./synapse.mjs";

/** Runs `mxdag ...args`; returns `{ status, json, stderr, stdout }`. */
function mxdag(args) {
  const r = spawnSync(process.execPath, [join(PKG, "node", "cli.js"), ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  let json = null;
  try { json = JSON.parse(r.stdout); } catch { /* not JSON */ }
  return { status: r.status, json, stderr: r.stderr, stdout: r.stdout };
}

/** The exports of PDUs (the federation format): each is checked in full. */
const PDU_EXPORTS = [
  ["messages-federation.json", "client_messages"],
  ["admin-messages-federation.json", "client_messages"],
  ["sync-federation.json", "client_sync"],
  ["export-with-event-id.ndjson", "ndjson"],
  ["event_json.sqlite-json.json", "synapse_event_json"],
  ["event_json.sqlite-tabs.tsv", "synapse_event_json"],
];

/** Registers the tests; `world` gives the world built in the test file's `before()`. */
export function exportsSuite(w) {
  hsTest(w, "exports and client-API answers: Synapse's event IDs, every event valid with the database's keys", (world) => {
    const { linear, files } = world.exports;
    const ids = sorted(linear.stored.timeline.map((e) => e.event_id));
    for (const [name, shape] of PDU_EXPORTS) {
      const r = mxdag(["check", "--json", "--keys", files["B.server_keys_json.json"], files[name]]);
      assert.equal(r.status, 0, `${name}: ${r.stdout.slice(0, 2000)} ${r.stderr}`);
      assert.equal(r.json.inputs[0].input, shape, name);
      assert.equal(r.json.room_version, "10", name);
      assert.deepEqual(sorted(r.json.events.map((e) => e.event_id)), ids, `${name}: the event IDs are Synapse's`);
      assert.ok(r.json.events.every((e) => e.verdict === "valid"), name);
      assert.deepEqual(r.json.missing_keys, [], name);
    }
    // The export that added event_id says it set the key aside, and the IDs agree.
    const r = mxdag(["check", "--json", "--keys", files["B.server_keys_json.json"], files["export-with-event-id.ndjson"]]);
    assert.ok(r.json.events.every((e) => e.problems.some((p) => p.code === "non_pdu_keys_set_aside") && !e.problems.some((p) => p.code === "event_id_mismatch")));
  });

  hsTest(w, "exports draw whole: one forward extremity (Synapse's) and no gap in a linear room", (world) => {
    const { linear, files } = world.exports;
    for (const [name] of PDU_EXPORTS) {
      const r = mxdag(["dag", "--json", files[name]]);
      assert.equal(r.status, 0, `${name}: ${r.stderr} ${r.stdout.slice(0, 1500)}`);
      assert.equal(r.json.rooms.length, 1, name);
      const [room] = r.json.rooms;
      assert.deepEqual(room.forward_extremities, linear.stored.forward_extremities, `${name}: Synapse's forward extremity`);
      assert.deepEqual(room.backward_extremities, [], `${name}: no gap`);
      assert.equal(room.counts.timeline, linear.stored.timeline.length, name);
    }
  });

  hsTest(w, "keys a user has: the key tables of the database, a trusted key, trusted_key_servers in YAML; without keys, unchecked (exit 3)", (world) => {
    const { files } = world.exports;
    const events = files["export-with-event-id.ndjson"];
    const a = world.a;
    const keyId = a.signingKey().keyId;
    const yaml = join(EXPORTS, "trusted_key_servers.yaml");
    writeFileSync(yaml, `# from homeserver.yaml\ntrusted_key_servers:\n  - server_name: "${a.serverName}"\n    verify_keys:\n      "${keyId}": "${publicKeyOf(a)}"\n`);
    const trustedRuns = [
      [["--keys", files["B.server_signature_keys.json"]], "server_database"],
      [["--trusted-key", `${a.serverName} ${keyId} ${publicKeyOf(a)}`], "given"],
      [["--trusted-keys", yaml], "trusted_key_servers"],
    ];
    for (const [args, source] of trustedRuns) {
      const r = mxdag(["check", "--json", ...args, events]);
      assert.equal(r.status, 0, `${args.join(" ")}: ${r.stdout.slice(0, 1500)} ${r.stderr}`);
      const added = r.json.keys.flatMap((k) => k.keys);
      assert.ok(added.some((k) => k.server_name === a.serverName && k.key_id === keyId && k.trusted === source), JSON.stringify(r.json.keys));
      assert.ok(r.json.events.every((e) => e.problems.some((p) => p.code === "signed_with_trusted_key")), "marked in every event's report");
    }
    const none = mxdag(["check", "--json", events]);
    assert.equal(none.status, 3, none.stderr);
    assert.equal(none.json.outcome, "unchecked");
    assert.equal(none.json.counts.unchecked, none.json.counts.total);
    assert.deepEqual(none.json.missing_keys, [{ server_name: a.serverName, key_id: keyId }]);
  });

  hsTest(w, "/context (the client format: no hashes, no signatures) is drawn under its IDs and said to be uncheckable", (world) => {
    const { linear, files } = world.exports;
    const r = mxdag(["check", "--json", "--keys", files["B.server_keys_json.json"], files["context.json"]]);
    assert.equal(r.status, 3, r.stderr);
    assert.equal(r.json.inputs[0].input, "client_context");
    assert.equal(r.json.room_version, "10", "read from the create event in the answer's state");
    assert.ok(r.json.events.every((e) => e.verdict === "unchecked" && e.problems.some((p) => p.code === "client_format_event")));
    for (const e of r.json.events) assert.ok(linear.stored.byId.has(e.event_id), `${e.event_id} is Synapse's`);
  });

  hsTest(w, "an Element chat export (client-format events) is read as such, under Synapse's IDs, unchecked", (world) => {
    const { linear, files } = world.exports;
    const r = mxdag(["check", "--json", "--keys", files["B.server_keys_json.json"], files["element-export.json"]]);
    assert.equal(r.status, 3, r.stderr);
    assert.deepEqual([r.json.inputs[0].input, r.json.inputs[0].title, r.json.room_version], ["element_export", "mxdag linear", "10"]);
    assert.equal(r.json.counts.unchecked, linear.stored.timeline.length, "every event of the room, none invalid");
    assert.ok(r.json.events.every((e) => e.problems.some((p) => p.code === "client_format_event")));
    const ids = (list) => list.map((e) => e.event_id).sort();
    assert.deepEqual(ids(r.json.events), ids(linear.stored.timeline), "Synapse's IDs");
    assert.equal(linear.stored.byId.get(r.json.events[0].event_id).json.type, "m.room.create", "oldest first");
  });

  hsTest(w, "an altered event in an export is caught by check and flagged by dag", (world) => {
    const { files, linear } = world.exports;
    const lines = readFileSync(files["export-with-event-id.ndjson"], "utf8").trim().split("\n");
    const i = lines.findIndex((l) => JSON.parse(l).type === "m.room.message");
    const forged = JSON.parse(lines[i]);
    forged.origin_server_ts += 1; // kept by redaction: the reference hash and the signature change
    lines[i] = JSON.stringify(forged);
    const file = join(EXPORTS, "export-with-a-forged-event.ndjson");
    writeFileSync(file, lines.join("\n") + "\n");
    const check = mxdag(["check", "--json", "--keys", files["B.server_keys_json.json"], file]);
    assert.equal(check.status, 1);
    const bad = check.json.events[i];
    assert.equal(bad.verdict, "dropped", JSON.stringify(bad));
    const mismatch = bad.problems.find((p) => p.code === "event_id_mismatch");
    assert.ok(mismatch?.message.includes(forged.event_id), JSON.stringify(bad.problems));
    const dag = mxdag(["dag", "--json", file]);
    assert.equal(dag.status, 1, "an error-level finding");
    const finding = dag.json.rooms[0].findings.find((p) => p.code === "event_id_mismatch");
    assert.ok(finding?.message.includes(forged.event_id), JSON.stringify(dag.json.rooms[0].findings));
    assert.ok(linear.stored.byId.has(forged.event_id));
  });

  hsTest(w, "a dump of the whole event_json table (every room A holds, room versions 1 to 12): each room judged with its own room version, drawn whole under Synapse's IDs", (world) => {
    const { files } = world.exports;
    const file = files["event_json.all-rooms.sqlite-json.json"];
    const rows = JSON.parse(readFileSync(file, "utf8"));
    const versions = new Set(rows.map((r) => JSON.parse(r.json)).filter((e) => e.type === "m.room.create").map((e) => e.content.room_version ?? "1"));
    assert.ok(versions.size >= 3, `rooms of several room versions: ${[...versions]}`);
    const byRoom = new Map();
    for (const r of rows) byRoom.set(r.room_id, [...(byRoom.get(r.room_id) ?? []), r.event_id]);
    const dag = mxdag(["dag", "--json", file]);
    const drawn = new Map((dag.json?.rooms ?? []).map((room) => [room.room_id, room]));
    for (const [roomId, ids] of byRoom) {
      const room = drawn.get(roomId);
      assert.ok(room, `${roomId} is drawn (rooms drawn: ${[...drawn.keys()]})`);
      assert.equal(room.counts.timeline + room.counts.outliers, ids.length, roomId);
    }
    const check = mxdag(["check", "--json", "--keys", files["A.server_keys_json.json"], "--keys", files["B.server_keys_json.json"], file]);
    assert.equal(check.status, 0, check.stdout.slice(0, 2000));
    assert.equal(check.json.counts.valid, rows.length);
    assert.deepEqual(sorted(check.json.events.map((e) => e.event_id)), sorted(rows.map((r) => r.event_id)), "Synapse's IDs");
  });

  hsTest(w, "check, dag and the JS API (the page's session) agree on every event ID of the same file", (world) => {
    const { files } = world.exports;
    for (const [name] of PDU_EXPORTS) {
      const check = mxdag(["check", "--json", files[name]]).json.events.map((e) => e.event_id);
      const session = new world.mxdag.RoomSession();
      session.ingest(readFileSync(files[name]), { source: name });
      const order = session.linearOrder();
      session.free();
      assert.deepEqual(sorted(order), sorted(check), name);
      const dag = mxdag(["dag", "--json", files[name]]).json.rooms[0];
      assert.ok(check.includes(dag.forward_extremities[0]), name);
    }
  });
}
