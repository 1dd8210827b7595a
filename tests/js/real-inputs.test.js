// The CLI on inputs nobody here made (tests/fixtures/, see its README and tests/real_inputs.rs):
// a real Synapse's exports and client-API answers, its key tables and trusted_key_servers,
// and a tardis scenario in JSON5. `check` and `dag` agree on every event ID, and those are
// the IDs Synapse wrote; the linear room has one forward extremity and no gap; an altered
// event is caught; trusted keys check what missing keys left unchecked.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { scratchFiles } from "./support.js";

const cli = fileURLToPath(new URL("../../pkg/node/cli.js", import.meta.url));
const fixture = (name) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const file = scratchFiles("real");

function mxdag(...args) {
  const run = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}
function json(...args) {
  const run = mxdag(...args, "--json");
  assert.ok(run.stdout, `exit ${run.code}: ${run.stderr}`);
  return { code: run.code, report: JSON.parse(run.stdout), stderr: run.stderr };
}

const KEYS = fixture("synapse/B.server_keys_json.json");
const ROOM = "!ExkIpThqsRfMGAbBsJ:127.0.0.1:46329";
/** The event IDs Synapse stored (the event_json table's `event_id` column). */
const SYNAPSE_IDS = JSON.parse(readFileSync(fixture("synapse/event_json.sqlite-json.json"), "utf8")).map((r) => r.event_id).sort();

/** The exports of the linear room that hold PDUs, with the shape each is read as. */
const EXPORTS = [
  ["synapse/messages-federation.json", "client_messages"],
  ["synapse/admin-messages-federation.json", "client_messages"],
  ["synapse/sync-federation.json", "client_sync"],
  ["synapse/export-with-event-id.ndjson", "ndjson"],
  ["synapse/event_json.sqlite-json.json", "synapse_event_json"],
  ["synapse/event_json.sqlite-tabs.tsv", "synapse_event_json"],
];

/** Every event ID the DAG of `path` holds, through `mxdag answer`: /backfill from its tips. */
function dagIds(path, tips) {
  const v = tips.map((id) => `v=${encodeURIComponent(id)}`).join("&");
  const run = mxdag("answer", "--dag", path, "--request", `GET /_matrix/federation/v1/backfill/${encodeURIComponent(ROOM)}?${v}&limit=100`);
  assert.equal(run.code, 0, run.stderr);
  const answer = file(`answer-${tips.length}-${Math.random().toString(36).slice(2)}.json`, run.stdout);
  // The answer's PDUs carry no event_id (room version 10): check computes them again.
  const { report } = json("check", answer, "--keys", KEYS);
  return report.events.map((e) => e.event_id).sort();
}

test("check and dag agree on every event ID of every export, and they are the IDs Synapse wrote", () => {
  for (const [name, shape] of EXPORTS) {
    const { code, report } = json("check", fixture(name), "--keys", KEYS);
    assert.equal(code, 0, name);
    assert.deepEqual([report.inputs[0].input, report.room_version, report.outcome], [shape, "10", "valid"], name);
    assert.deepEqual(report.counts, { total: 18, valid: 18, redacted: 0, rejected: 0, soft_failed: 0, unchecked: 0, dropped: 0 }, name);
    const checked = report.events.map((e) => e.event_id).sort();
    assert.deepEqual(checked, SYNAPSE_IDS, `${name}: check computes Synapse's IDs`);

    const dag = json("dag", fixture(name));
    assert.equal(dag.code, 0, `${name}: ${dag.stderr}`);
    assert.equal(dag.report.rooms.length, 1, name);
    const [room] = dag.report.rooms;
    assert.equal(room.room_id, ROOM);
    assert.equal(room.counts.timeline, 18, name);
    assert.equal(room.forward_extremities.length, 1, `${name}: a linear room has one tip`);
    assert.deepEqual(room.backward_extremities, [], `${name}: no false gap`);
    assert.deepEqual(room.findings, [], name);
    assert.deepEqual(room.depth_range, [1, 18], name);
    assert.ok(SYNAPSE_IDS.includes(room.forward_extremities[0]), name);
    // Walking back from dag's tip reaches every event, under the IDs check computes.
    assert.deepEqual(dagIds(fixture(name), room.forward_extremities), SYNAPSE_IDS, `${name}: dag's events are check's`);
  }
});

test("a client-API /context answer is read as such: unchecked, under Synapse's IDs, held as outliers", () => {
  const { code, report } = json("check", fixture("synapse/context.json"), "--keys", KEYS);
  assert.equal(code, 3);
  assert.deepEqual([report.inputs[0].input, report.room_version, report.outcome], ["client_context", "10", "unchecked"]);
  assert.ok(report.events.every((e) => e.verdict === "unchecked" && e.problems.some((p) => p.code === "client_format_event")));
  assert.ok(report.events.every((e) => SYNAPSE_IDS.includes(e.event_id)), "its IDs are Synapse's");
  const human = mxdag("check", fixture("synapse/context.json"), "--keys", KEYS);
  assert.equal(human.code, 3);
  assert.match(human.stdout, /warning: client_format_event on \d+ event\(s\), e\.g\. /, "summed up, not one line per event");
  assert.match(human.stdout, /— nothing invalid, but not all checked\n$/);
  const dag = json("dag", fixture("synapse/context.json"));
  assert.equal(dag.code, 0, dag.stderr);
  assert.deepEqual([dag.report.rooms[0].counts.timeline, dag.report.rooms[0].counts.outliers], [0, 13]);
});

test("an altered event is caught: content changed is tampered, a changed ID-bearing field is event_id_mismatch", () => {
  const lines = readFileSync(fixture("synapse/export-with-event-id.ndjson"), "utf8").trim().split("\n");
  const i = lines.findIndex((l) => l.includes('"m.room.message"'));
  const original = JSON.parse(lines[i]);
  const written = original.event_id;
  // Content only: the event ID (over the redacted event) still holds, the content hash not.
  const tampered = structuredClone(original);
  tampered.content.body = "forged";
  const contentOnly = file("tampered.ndjson", lines.map((l, k) => (k === i ? JSON.stringify(tampered) : l)).join("\n"));
  const t = json("check", contentOnly, "--keys", KEYS);
  assert.equal(t.code, 1);
  const event = t.report.events[i];
  assert.deepEqual([event.event_id, event.verdict, event.pruned_by_sender], [written, "redacted", false]);
  assert.deepEqual(event.problems.filter((p) => p.severity === "error").map((p) => [p.code, p.path]), [["content_hash_mismatch", "$.hashes.sha256"]]);
  assert.match(mxdag("check", contentOnly, "--keys", KEYS).stdout, new RegExp(`Line ${i + 1} \\${written}: REDACTED \\(tampered\\)`));
  // The depth too: the content no longer hashes to the event_id the export wrote.
  const forged = structuredClone(tampered);
  forged.depth += 1;
  const withId = file("forged.ndjson", lines.map((l, k) => (k === i ? JSON.stringify(forged) : l)).join("\n"));
  const f = json("check", withId, "--keys", KEYS);
  assert.equal(f.code, 1);
  const dropped = f.report.events[i];
  assert.equal(dropped.verdict, "dropped");
  assert.notEqual(dropped.event_id, written);
  const mismatch = dropped.problems.find((p) => p.code === "event_id_mismatch");
  assert.ok(mismatch && mismatch.path === "$.event_id" && mismatch.message.includes(written) && mismatch.message.includes(dropped.event_id), JSON.stringify(dropped.problems));
  assert.match(mismatch.message, new RegExp(`^Line ${i + 1}: `), "the message names the event");
  assert.ok(f.report.inputs[0].findings.some((p) => p.code === "event_id_mismatch"));
  // dag places it under its computed ID: the written one becomes a gap, and it says why.
  const dag = json("dag", withId);
  assert.equal(dag.code, 1);
  const [room] = dag.report.rooms;
  assert.deepEqual(room.backward_extremities.map((g) => g.event_id), [written]);
  assert.ok(room.findings.some((p) => p.code === "event_id_mismatch" && p.severity === "error"));
});

test("a tardis scenario in JSON5 is read as a scenario by check and dag", () => {
  const scenario = fixture("tardis/linear.json5");
  const { code, report } = json("check", scenario);
  assert.equal(code, 3, "made-up IDs, no signatures: unchecked, not invalid");
  const [input] = report.inputs;
  assert.deepEqual([input.input, report.room_version, report.outcome], ["tardis_scenario", "10", "unchecked"]);
  assert.match(input.title, /^Alice makes a room, Bob joins and talks\./);
  assert.deepEqual(report.events.map((e) => e.event_id), ["$CREATE", "$ALICE_JOIN", "$JOIN_RULES", "$BOB_JOIN", "$BOB_SAYS"]);
  assert.ok(report.events.every((e) => e.verdict === "unchecked" && e.problems.some((p) => p.code === "scenario_event")));
  assert.match(mxdag("check", scenario).stdout, /linear\.json5: tardis_scenario “Alice makes a room, Bob joins and talks\.”, 5 event\(s\)/);
  const dag = json("dag", scenario);
  assert.equal(dag.code, 0, dag.stderr);
  const [room] = dag.report.rooms;
  assert.deepEqual([room.room_id, room.counts.timeline, room.forward_extremities, room.backward_extremities], ["!scenario:example.org", 5, ["$BOB_SAYS"], []]);
  // Broken JSON5 names the file and the decoder's reason.
  const broken = mxdag("check", file("broken.json5", "{ tardis_version: 1, events: [ }"));
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /^mxdag check: .*broken\.json5: is not usable JSON5 \(a tardis scenario\): /);
});

test("trusted keys (--trusted-keys YAML or JSON, --trusted-key, the key table) make unchecked events valid", () => {
  const events = fixture("synapse/export-with-event-id.ndjson");
  const none = json("check", events);
  assert.equal(none.code, 3);
  assert.deepEqual([none.report.outcome, none.report.counts.unchecked], ["unchecked", 18]);
  assert.deepEqual(none.report.missing_keys, [{ server_name: "127.0.0.1:46329", key_id: "ed25519:a_A" }]);
  const key = "q69rD9yl/OuxXG6kLT+9Zmel8J7ly2cj0FQI6uMuIBE";
  const trustedJson = file("trusted.json", [{ server_name: "127.0.0.1:46329", verify_keys: { "ed25519:a_A": key } }]);
  for (const [args, trusted] of [
    [["--trusted-keys", fixture("synapse/trusted_key_servers.yaml")], "trusted_key_servers"],
    [["--trusted-keys", trustedJson], "trusted_key_servers"],
    [["--trusted-key", `127.0.0.1:46329 ed25519:a_A ${key}`], "given"],
    [["--keys", fixture("synapse/B.server_signature_keys.json")], "server_database"],
  ]) {
    const { code, report } = json("check", events, ...args);
    assert.equal(code, 0, args.join(" "));
    assert.deepEqual([report.outcome, report.counts.valid, report.missing_keys], ["valid", 18, []], args.join(" "));
    assert.deepEqual(report.keys.map((k) => [k.added, k.keys[0].key, k.keys[0].trusted]), [[1, key, trusted]], args.join(" "));
    assert.ok(report.events.every((e) => e.problems.some((p) => p.code === "signed_with_trusted_key")), args.join(" "));
  }
  const human = mxdag("check", events, "--trusted-keys", fixture("synapse/trusted_key_servers.yaml"));
  assert.match(human.stdout, /trusted_key_servers\.yaml: 1 key\(s\) added: 127\.0\.0\.1:46329 ed25519:a_A \(trusted: trusted_key_servers\)\n/);
  // The wrong key for the server: every signature fails.
  const wrong = json("check", events, "--trusted-key", "127.0.0.1:46329 ed25519:a_A 5CbwGw3KRN+aSXQMLA5mmIcixpYnev+BfRH4Dc5oBFg");
  assert.equal(wrong.code, 1);
  assert.equal(wrong.report.counts.dropped, 18);
  assert.ok(wrong.report.events.every((e) => e.problems.some((p) => p.code === "signature_invalid")));
});

test("a chat message with PDUs in ```json blocks (Conduit's family: !admin debug get-pdu) is read as those PDUs", async () => {
  const { jsonBlocks } = await import(new URL("../../pkg/www/decode.js", import.meta.url).href);
  const exported = readFileSync(fixture("synapse/export-with-event-id.ndjson"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  // As the admin room shows it: a line, then the PDU pretty-printed in a fenced block.
  const answer = (pdu, outlier) => `${outlier ? "Outlier PDU" : "PDU"} found in our database\n\`\`\`json\n${JSON.stringify(pdu, null, 2)}\n\`\`\``;
  const one = json("check", file("get-pdu.md", answer(exported[3])), "--room-version", "10", "--keys", KEYS);
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual([one.report.inputs[0].input, one.report.events.map((e) => e.event_id)], ["pdu", [exported[3].event_id]]);
  const two = json("check", file("get-pdus.md", `${answer(exported[0])}\n\nand\n\n${answer(exported[5], true)}\n`), "--keys", KEYS);
  assert.equal(two.code, 0, two.stderr);
  assert.deepEqual([two.report.inputs[0].input, two.report.counts.valid], ["array", 2]);
  assert.deepEqual(two.report.events.map((e) => e.event_id), [exported[0].event_id, exported[5].event_id]);
  // CommonMark fences: tildes, longer fences, up to three spaces in, a block the text ends
  // in; a block of no JSON is not read.
  assert.deepEqual(jsonBlocks("~~~\n{}\n~~~\n  ````json\n[1]\n  `````\n```log\nerror\n```\n```\n{\"unclosed\": 1}\n"), ["{}", "[1]", '{"unclosed": 1}']);
  // A line with inline code ("```a``` b") opens no block.
  assert.deepEqual(jsonBlocks("```not``` json\n```json\n{\"a\": 1}\n```\n"), ['{"a": 1}']);
  // Text with no JSON block stays as it is (and is refused by the core as before).
  assert.equal(mxdag("check", file("prose.md", "PDU not found locally.\n")).code, 2);
});

test("one file per room of a Synapse's rooms of five versions: check judges each with its own version", () => {
  // What dumping event_json once per room (`WHERE room_id = …`) gives, one file each.
  const rows = JSON.parse(readFileSync(fixture("synapse/all-rooms/event_json.all-rooms.sqlite-json.json"), "utf8"));
  const rooms = [...new Set(rows.map((r) => r.room_id))];
  const files = rooms.map((room, i) => file(`room-${i}.json`, JSON.stringify(rows.filter((r) => r.room_id === room))));
  const keys = ["A", "B"].flatMap((k) => ["--keys", fixture(`synapse/all-rooms/${k}.server_keys_json.json`)]);
  for (const order of [files, [...files].reverse()]) {
    const run = json("check", ...order, ...keys);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, "", "no room_version_mismatch warning");
    assert.equal(run.report.counts.valid, rows.length);
    assert.deepEqual(run.report.events.map((e) => e.event_id).sort(), rows.map((r) => r.event_id).sort(), "Synapse's IDs");
    assert.ok(run.report.inputs.every((i) => i.problems.length === 0));
    const human = mxdag("check", ...order, ...keys);
    assert.match(human.stdout, new RegExp(`\\nroom versions 1, 3, 10, 11, 12: ${rows.length} event\\(s\\): ${rows.length} valid,`));
  }
});
