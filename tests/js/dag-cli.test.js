// `mxdag dag` and `mxdag answer`, run through their command modules against the built pkg/.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { run as answer } from "../../node/commands/answer.js";
import { run as dag } from "../../node/commands/dag.js";

const dir = mkdtempSync(join(tmpdir(), "mxdag-dag-"));

/** A room version 1 event (carries its event_id; no signatures needed by the DAG). */
function event(id, prevs, depth, extra = {}) {
  return {
    event_id: `$${id}:x`,
    room_id: "!r:x",
    type: "m.room.message",
    sender: "@u:x",
    content: {},
    depth,
    origin_server_ts: depth * 10,
    prev_events: prevs.map((p) => `$${p}:x`),
    auth_events: [],
    ...extra,
  };
}

function file(name, lines) {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  return path;
}

async function cli(command, args) {
  let stdout = "";
  let stderr = "";
  const io = { stdout: { write: (s) => (stdout += s) }, stderr: { write: (s) => (stderr += s) } };
  const code = await command(args, io);
  return { code, stdout, stderr };
}

// a ← b, a ← c (fork), {d missing, c} ← e (merge over a gap).
const create = event("a", [], 1, { type: "m.room.create", state_key: "" });
const fork = [create, event("b", ["a"], 2), event("c", ["a"], 2), event("e", ["d", "c"], 4)];
const forkFile = file("fork.ndjson", fork);

test("dag --json: extremities, gaps, forks per room", async () => {
  const other = { ...event("z", [], 1), room_id: "!other:x" };
  const { code, stdout, stderr } = await cli(dag, [forkFile, file("other.ndjson", [other]), "--json"]);
  assert.equal(code, 0, stderr);
  const { rooms } = JSON.parse(stdout);
  assert.deepEqual(rooms.map((r) => r.room_id), ["!r:x", "!other:x"]);
  const [r] = rooms;
  assert.deepEqual(r.forward_extremities, ["$b:x", "$e:x"]);
  assert.deepEqual(
    r.backward_extremities.map(({ event_id, referenced_by }) => ({ event_id, referenced_by })),
    [{ event_id: "$d:x", referenced_by: ["$e:x"] }],
  );
  assert.equal(r.backward_extremities[0].estimated_depth, 3);
  assert.deepEqual(r.forks, [{ event_id: "$a:x", children: ["$b:x", "$c:x"] }]);
  assert.deepEqual(r.outliers, []);
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.depth_range, [1, 4]);
  assert.equal(r.counts.timeline, 4);
});

test("dag: outliers file, human output, cycle exits 1", async () => {
  const outliers = file("state.ndjson", [event("o", ["q"], 9)]);
  const human = await cli(dag, [forkFile, "--outliers", outliers]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /room !r:x \(room version 1\): 4 timeline event\(s\), 1 outlier\(s\), depths 1–4/);
  assert.match(human.stdout, /\$d:x: referenced by \$e:x; depth ≈3, held again at depth 2, ~1 depth\(s\) missing/);
  assert.match(human.stdout, /outliers: 1\n    \$o:x/);
  const cycle = file("cycle.ndjson", [create, event("x", ["a", "y"], 2), event("y", ["x"], 3)]);
  const result = await cli(dag, [cycle, "--json"]);
  assert.equal(result.code, 1);
  const codes = JSON.parse(result.stdout).rooms[0].findings.map((p) => p.code);
  assert.deepEqual(codes, ["dag_prev_events_cycle", "dag_depth_not_increasing"]);
});

test("dag: bad arguments and unusable files exit 2", async () => {
  assert.equal((await cli(dag, [])).code, 2);
  assert.equal((await cli(dag, ["--nope", forkFile])).code, 2);
  const missing = await cli(dag, [join(dir, "absent.json")]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /absent\.json: cannot be read/);
});

test("answer: backfill in Synapse and BFS order, as a transaction of the held PDUs", async () => {
  const request = "GET /_matrix/federation/v1/backfill/%21r%3Ax?v=%24e%3Ax&limit=3";
  const synapse = await cli(answer, ["--dag", forkFile, "--request", request, "--origin", "hs.test"]);
  assert.equal(synapse.code, 0, synapse.stderr);
  const transaction = JSON.parse(synapse.stdout);
  assert.equal(transaction.origin, "hs.test");
  assert.equal(typeof transaction.origin_server_ts, "number");
  assert.deepEqual(transaction.pdus.map((p) => p.event_id), ["$e:x", "$c:x", "$a:x"]);
  assert.deepEqual(transaction.pdus[1], fork[2]);
  const bfs = await cli(answer, ["--dag", forkFile, "--request", request, "--order", "bfs"]);
  assert.deepEqual(JSON.parse(bfs.stdout).pdus.map((p) => p.event_id), ["$e:x", "$c:x", "$a:x"]);
});

test("answer: get_missing_events with a body, and forwards fill on the unstable path", async () => {
  const body = join(dir, "gme.json");
  writeFileSync(body, JSON.stringify({ earliest_events: [], latest_events: ["$e:x"], limit: 10 }));
  const gme = await cli(answer, ["--dag", forkFile, "--request", "POST /_matrix/federation/v1/get_missing_events/!r:x", "--body", body]);
  assert.equal(gme.code, 0, gme.stderr);
  assert.deepEqual(JSON.parse(gme.stdout).events.map((p) => p.event_id), ["$a:x", "$c:x"]);
  const ff = await cli(answer, ["--dag", forkFile, "--request", "GET /_matrix/federation/org.matrix.msc4000/forwards_fill/!r:x?from_event_id=$a:x&limit=5"]);
  assert.deepEqual(JSON.parse(ff.stdout).pdus.map((p) => p.event_id), ["$b:x", "$c:x", "$e:x"]);
});

test("answer: usage errors exit 2", async () => {
  assert.equal((await cli(answer, ["--request", "GET /x"])).code, 2);
  assert.equal((await cli(answer, ["--dag", forkFile])).code, 2);
  const bad = await cli(answer, ["--dag", forkFile, "--request", "GET /_matrix/federation/v1/state/!r:x"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--request: .*is not \/backfill/);
  assert.equal((await cli(answer, ["--dag", forkFile, "--request", "GET /x", "--order", "dfs"])).code, 2);
});

test("RoomSession.ingest with a request: the contract verdict the check command uses", async () => {
  const { mxdag, loadTools } = await import("../../node/wasm.js");
  // Two tips; the session misses the first tip's parent, so it holds a gap below it.
  const room = (await loadTools()).generateRoom({ seed: 7, roomVersion: "12", events: 30, finalForks: 2, redaction: false });
  const byId = new Map(room.eventIds.map((id, i) => [id, room.pdus[i]]));
  const [tip, other] = room.forwardExtremities;
  const [missing] = byId.get(tip).prev_events;
  const held = () => {
    const session = new mxdag.RoomSession(undefined, undefined);
    session.addKeys(JSON.stringify(room.serverKeys));
    const report = session.ingest(JSON.stringify(room.pdus.filter((_, i) => room.eventIds[i] !== missing)), { source: "held" });
    assert.deepEqual([report.added, report.counts.valid], [29, 29]);
    assert.deepEqual(session.gaps().map((g) => g.event_id), [missing]);
    return session;
  };
  const request = (limit) => `GET /_matrix/federation/v1/backfill/${encodeURIComponent(room.roomId)}?v=${encodeURIComponent(tip)}&limit=${limit}`;
  const answer = (limit, ids, options = {}) => {
    const session = held();
    const report = session.ingest(JSON.stringify({ origin: "o", origin_server_ts: 1, pdus: ids.map((id) => byId.get(id)) }), { source: "answer", request: request(limit), ...options });
    session.free();
    return report;
  };
  const good = answer(1, [tip], { status: 200 });
  assert.deepEqual([good.contract.ok, good.contract.ordering, good.contract.endpoint, good.contract.room_id], [true, "synapse", "backfill", room.roomId]);
  assert.deepEqual(good.contract.problems.filter((p) => p.severity !== "info"), []);
  const bad = answer(2, [tip, other, other]).contract;
  assert.equal(bad.ok, false);
  const codes = (severity) => bad.problems.filter((p) => p.severity === severity).map((p) => p.code);
  assert.deepEqual(codes("error"), ["contract_duplicate_event", "contract_over_limit"]);
  // The other tip is no ancestor of the first, but the walk from it meets the gap: not
  // provable, a warning (once per copy).
  assert.deepEqual(codes("warning"), ["contract_ancestry_unproven", "contract_ancestry_unproven"]);
  const session = held();
  const unsupported = session.ingest('{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}', {
    request: `GET /_matrix/federation/v1/forwards_fill/${encodeURIComponent(room.roomId)}?from_event_id=${encodeURIComponent(tip)}&limit=5`,
    status: 404,
  });
  assert.deepEqual([unsupported.input, unsupported.counts.total], ["error_response", 0]);
  assert.equal(unsupported.contract.ok, true);
  assert.equal(unsupported.contract.problems[0].code, "error_unrecognized");
  assert.throws(() => session.ingest("{}", { request: "GET /_matrix/federation/v1/state/!r:x" }), (e) => e.code.startsWith("request_"));
  session.free();
});

test("RoomSession on a generated room: computed IDs, extremities, self-consistent answers", async () => {
  const { mxdag, loadTools } = await import("../../node/wasm.js");
  const room = (await loadTools()).generateRoom({ seed: 5, roomVersion: "12", events: 300, finalForks: 3 });
  const session = new mxdag.RoomSession(undefined, undefined);
  const added = session.ingest(JSON.stringify(room.pdus));
  assert.equal(added.added, room.pdus.length, JSON.stringify(added.problems));
  assert.deepEqual(added.events.map((e) => e.event_id), room.eventIds, "IDs computed as the generator signed them");
  assert.equal(session.roomId, room.roomId);
  assert.equal(session.roomVersion, "12");
  assert.deepEqual([...session.forwardExtremities()].sort(), [...room.forwardExtremities].sort());
  assert.deepEqual(new Set(session.linearOrder()), new Set(room.eventIds));
  assert.deepEqual(session.gaps(), []);
  const byId = new Map(room.eventIds.map((id, i) => [id, room.pdus[i]]));
  const v = room.forwardExtremities.map((id) => `v=${encodeURIComponent(id)}`).join("&");
  const requests = [
    `GET /_matrix/federation/v1/backfill/${encodeURIComponent(room.roomId)}?${v}&limit=60`,
    `GET /_matrix/federation/v1/forwards_fill/${encodeURIComponent(room.roomId)}?from_event_id=${encodeURIComponent(room.eventIds[40])}&limit=60`,
  ];
  for (const request of requests) {
    for (const order of ["synapse", "bfs"]) {
      const { event_ids } = session.referenceAnswer(request, undefined, order);
      assert.equal(event_ids.length, 60);
      assert.deepEqual(session.pickEvents(event_ids).map((text) => JSON.parse(text)), event_ids.map((id) => byId.get(id)));
      const response = JSON.stringify({ origin: "o", origin_server_ts: 1, pdus: event_ids.map((id) => byId.get(id)) });
      const empty = new mxdag.RoomSession(undefined, "12");
      const { contract } = empty.ingest(response, { request, status: 200 });
      empty.free();
      assert.equal(contract.ok, true, JSON.stringify(contract.problems));
    }
  }
  session.free();
});

test("dag: a tab-separated Synapse export", async () => {
  const rows = fork.map((e) => `${e.event_id}\t!r:x\t{}\t${JSON.stringify(e)}\t1`).join("\n");
  const path = join(dir, "event_json.tsv");
  writeFileSync(path, rows + "\n");
  const { code, stdout, stderr } = await cli(dag, [path, "--json"]);
  assert.equal(code, 0, stderr);
  assert.deepEqual(JSON.parse(stdout).rooms[0].forward_extremities, ["$b:x", "$e:x"]);
});

test("dag: events that need a room version nobody names exit 2, as check does", async () => {
  const { loadTools } = await import("../../node/wasm.js");
  const room = (await loadTools()).generateRoom({ seed: 9, roomVersion: "12", events: 11, redaction: false });
  const path = file("nocreate.ndjson", room.pdus.slice(1));
  for (const json of [[], ["--json"]]) {
    const run = await cli(dag, [path, ...json]);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, `mxdag dag: ${path}: 10 event(s) wait for a room version: no m.room.create event in the inputs names it; pass --room-version V (1–12)\n`);
    assert.equal(run.stdout, "");
  }
  const given = await cli(dag, [path, "--room-version", "12", "--json"]);
  assert.equal(given.code, 0, given.stderr);
  assert.deepEqual(JSON.parse(given.stdout).inputs.map((i) => [i.added, i.refused]), [[10, 0]]);
});

test("dag: refused events exit 1 and --json lists them with the inputs", async () => {
  const bad = { ...event("bad", ["a"], 2), prev_events: "$a:x" };
  const path = file("refused.ndjson", [...fork, bad]);
  const { code, stdout } = await cli(dag, [path, "--json"]);
  assert.equal(code, 1);
  const { inputs, rooms } = JSON.parse(stdout);
  assert.equal(rooms.length, 1);
  assert.deepEqual(inputs.map(({ file, added, refused }) => ({ file, added, refused })), [{ file: path, added: 4, refused: 1 }]);
  assert.ok(inputs[0].problems.some((p) => p.code === "dag_unreadable_event" && p.path === "$[4].prev_events"), JSON.stringify(inputs[0].problems));
  const human = await cli(dag, [path]);
  assert.equal(human.code, 1);
  assert.match(human.stdout, /refused\.ndjson: ndjson, 4 event\(s\) placed, 1 refused \(1 error\(s\); mxdag check tells more\)/);
  assert.match((await cli(dag, ["--help"])).stdout, /1 when\nevents were refused/);
});
