// `mxdag check --request`: the contract verdict of a response next to its event verdicts.
// The responses are the crate's own reference answers over a generated room, so a kept and
// a broken contract differ only in what the test changes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { scratchFiles } from "./support.js";

const cli = fileURLToPath(new URL("../../pkg/node/cli.js", import.meta.url));
const { mxdag, loadTools } = await import(new URL("../../pkg/node/wasm.js", import.meta.url).href);
const tools = await loadTools();

const file = scratchFiles("contract");
function check(...args) {
  const run = spawnSync(process.execPath, [cli, "check", ...args], { encoding: "utf8" });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const room = tools.generateRoom({ seed: 11, roomVersion: "11", events: 60, redaction: false });
const keys = file("keys.json", room.serverKeys);
const held = file("held.json", { origin: "peer.example", origin_server_ts: 1, pdus: room.pdus });
const newest = room.forwardExtremities[0];
const backfill = (limit) =>
  `GET /_matrix/federation/v1/backfill/${encodeURIComponent(room.roomId)}?v=${encodeURIComponent(newest)}&limit=${limit}`;
const indexOf = new Map(room.eventIds.map((id, i) => [id, i]));
const transaction = (ids) => ({ origin: "peer.example", origin_server_ts: 1, pdus: ids.map((id) => room.pdus[indexOf.get(id)]) });

/** The reference answer of a server that holds the whole room. */
function referenceIds(request) {
  const session = new mxdag.RoomSession(undefined, "11");
  session.ingest(JSON.stringify(room.pdus));
  const answer = session.referenceAnswer(request, undefined, "synapse");
  session.free();
  return answer.event_ids;
}

test("a reference /backfill answer keeps its contract: exit 0 and ok", () => {
  const ids = referenceIds(backfill(10));
  assert.equal(ids.length, 10);
  assert.equal(ids[0], newest, "the v event comes first, newest first");
  const answer = file("answer.json", transaction(ids));
  const run = check("--request", backfill(10), answer, "--keys", keys, "--dag", held, "--json");
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const report = JSON.parse(run.stdout);
  assert.equal(report.contract.endpoint, "backfill");
  assert.equal(report.contract.ok, true);
  assert.equal(report.contract.ordering, "synapse");
  assert.equal(report.counts.valid, 10);
});

test("events of a --dag file that cannot be read are named on stderr, and the check goes on", () => {
  const answer = file("answer-with-bad-dag.json", transaction(referenceIds(backfill(4))));
  const broken = file("held-broken.json", { pdus: [...room.pdus, { type: "m.room.message" }] });
  const run = check("--request", backfill(4), answer, "--keys", keys, "--dag", broken);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`^mxdag check: warning: --dag ${broken.replaceAll("/", "\\/")}: 1 event\\(s\\) refused, so they prove nothing\\. .+\\n$`));
  assert.equal(check("--request", backfill(4), answer, "--keys", keys, "--dag", held).stderr, "");
});

test("more events than the limit break the contract: exit 1 with a problem naming the limit", () => {
  const ids = referenceIds(backfill(10));
  const answer = file("too-many.json", transaction(ids));
  const run = check("--request", backfill(5), answer, "--keys", keys, "--dag", held, "--json");
  assert.equal(run.code, 1);
  const report = JSON.parse(run.stdout);
  assert.equal(report.counts.valid, 10, "every event is still valid: only the contract is broken");
  assert.equal(report.contract.ok, false);
  assert.ok(report.contract.problems.some((p) => p.severity === "error" && /limit/.test(p.message)), JSON.stringify(report.contract.problems));
});

test("the human report states the contract; a bad request line exits 2", () => {
  const answer = file("human.json", transaction(referenceIds(backfill(4))));
  const run = check("--request", backfill(4), answer, "--keys", keys, "--dag", held);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /contract of backfill: kept \(ordering: synapse\)/);
  const bad = check("--request", "GET /not/a/federation/path", answer, "--keys", keys);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--request/);
  assert.equal(check("--request", backfill(4), answer, answer, "--keys", keys).code, 2, "one RESPONSE only");
});

test("a malformed --body is unusable input naming --body, without the usage text", () => {
  const answer = file("gme-answer.json", { events: [] });
  const gme = `POST /_matrix/federation/v1/get_missing_events/${encodeURIComponent(room.roomId)}`;
  for (const [name, body, why] of [
    ["bad-body.json", "{", /--body: The get_missing_events body is not JSON/],
    ["typed-body.json", { earliest_events: 5, latest_events: [] }, /--body: The get_missing_events body needs earliest_events as an array of event IDs/],
  ]) {
    const run = check("--request", gme, answer, "--body", file(name, body), "--keys", keys);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, why);
    assert.doesNotMatch(run.stderr, /Usage:/);
  }
});

test("error answers are judged by their contract alone, with or without a room version", () => {
  const unrecognized = file("404.json", { errcode: "M_UNRECOGNIZED", error: "Unrecognized request" });
  const ff = `GET /_matrix/federation/v1/forwards_fill/${encodeURIComponent(room.roomId)}?from_event_id=${encodeURIComponent(newest)}&limit=10`;
  for (const version of [[], ["--room-version", "12"]]) {
    const run = check("--request", ff, unrecognized, "--status", "404", ...version, "--json");
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.room_version, version.length ? "12" : null);
    assert.deepEqual(report.inputs.map((i) => [i.input, i.counts.total]), [["error_response", 0]]);
    assert.deepEqual(report.events, []);
    assert.deepEqual([report.contract.endpoint, report.contract.ok], ["forwards_fill", true]);
    assert.deepEqual(report.contract.problems.map((p) => p.code), ["error_unrecognized"]);
  }
  const forbidden = file("403.json", { errcode: "M_FORBIDDEN", error: "Host not in room." });
  const human = check("--request", backfill(10), forbidden, "--status", "403");
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /\/403\.json: error_response, 0 event\(s\)/);
  assert.match(human.stdout, /contract of backfill: kept \(ordering: none\)\n {6}warning: error_other at \$: 403 M_FORBIDDEN/);
  // An error body is an error answer even when --status is not given.
  const bodyOnly = JSON.parse(check("--request", backfill(10), forbidden, "--json").stdout);
  assert.equal(bodyOnly.inputs[0].input, "error_response");
});

test("an empty answer needs no room version; an empty file without --request is unusable", () => {
  const empty = file("empty.json", transaction([]));
  const run = check("--request", backfill(10), empty, "--json");
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual([report.room_version, report.inputs[0].input, report.contract.ok], [null, "transaction", true]);
  const alone = check(empty);
  assert.equal(alone.code, 2);
  assert.equal(alone.stderr, `mxdag check: ${empty}: holds no events mxdag can read. The input is a transaction with no events.\n`);
});
