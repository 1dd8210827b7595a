// State resolution through the built pkg/: RoomSession.stateAt, authChain and currentState
// on a generated room with forks and partitions, their errors, and `mxdag state`.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

import mx, { loadTools } from "../../pkg/node/wasm.js";
import { run as state } from "../../pkg/node/commands/state.js";

const tools = await loadTools();
const room = tools.generateRoom({ seed: 12, roomVersion: "12", events: 300, partitions: 2, concurrency: 0.4, stateChanges: 0.15 });
const keys = JSON.stringify(room.serverKeys);
const ndjson = (pdus) => pdus.map((p) => JSON.stringify(p)).join("\n");

function session(pdus) {
  const s = new mx.RoomSession(undefined, undefined);
  s.addKeys(keys);
  s.ingest(ndjson(pdus));
  return s;
}

const sorted = (entries) => [...entries].sort((a, b) => (a.type === b.type ? (a.state_key < b.state_key ? -1 : a.state_key > b.state_key ? 1 : 0) : a.type < b.type ? -1 : 1));

test("stateAt: empty before the create event, the create event after it; sorted entries", () => {
  const s = session(room.pdus);
  const create = room.eventIds[0];
  assert.deepEqual(s.stateAt(create, "before"), []);
  assert.deepEqual(s.stateAt(create, "after"), [{ type: "m.room.create", state_key: "", event_id: create }]);
  const last = room.eventIds[room.eventIds.length - 1];
  const after = s.stateAt(last, "after");
  assert.deepEqual(after, sorted(after));
  assert.ok(after.some((e) => e.type === "m.room.power_levels"), JSON.stringify(after));
  const current = s.currentState();
  assert.deepEqual(current, sorted(current));
  assert.ok(current.some((e) => e.type === "m.room.create" && e.event_id === create));
  s.free();
});

test("stateAt does not depend on arrival order (backfill, newest first)", () => {
  const forward = session(room.pdus);
  const backward = session([...room.pdus].reverse());
  for (const id of room.eventIds.filter((_, i) => i % 17 === 0)) {
    assert.deepEqual(backward.stateAt(id, "before"), forward.stateAt(id, "before"), id);
  }
  assert.deepEqual(backward.currentState(), forward.currentState());
  forward.free();
  backward.free();
});

test("authChain reaches the first power levels event; errors carry codes", () => {
  const s = session(room.pdus);
  const last = room.eventIds[room.eventIds.length - 1];
  const chain = s.authChain(last);
  // Room version 12 lists no create event in auth_events: the chain starts after it.
  const firstPl = room.eventIds[room.pdus.findIndex((p) => p.type === "m.room.power_levels")];
  assert.ok(chain.includes(firstPl));
  assert.ok(!chain.includes(room.eventIds[0]));
  assert.deepEqual(chain, [...chain].sort());
  assert.throws(() => s.stateAt("$nope", "before"), (e) => e.code === "state_event_not_held");
  assert.throws(() => s.stateAt(last, "middle"), (e) => e.code === "invalid_argument");
  assert.throws(() => s.authChain("$nope"), (e) => e.code === "state_event_not_held");
  s.free();
  // Without the power levels event, the states after it are not known: auth_unknown names it.
  const pl = room.pdus.findIndex((p) => p.type === "m.room.power_levels");
  const gap = session(room.pdus.filter((_, i) => i !== pl));
  assert.throws(() => gap.stateAt(last, "before"), (e) => e.code === "auth_unknown" && e.message.includes(room.eventIds[pl]) && Array.isArray(e.missing) && e.missing.includes(room.eventIds[pl]) && typeof e.why === "string");
  const details = gap.details(room.eventIds[pl + 1]);
  assert.equal(details.state.status, "unknown");
  gap.free();
});

/** The room's events and keys written to a scratch folder: `{events, keyFile}`. */
function roomFiles(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const events = join(dir, "room.ndjson");
  const keyFile = join(dir, "keys.json");
  writeFileSync(events, ndjson(room.pdus) + "\n");
  writeFileSync(keyFile, keys);
  return { events, keyFile };
}

test("mxdag state: current state and --at as JSON; exit 2 for an event not held", async () => {
  const { events, keyFile } = roomFiles("mxdag-state-");
  const cli = async (args) => {
    let stdout = "";
    let stderr = "";
    const code = await state(args, { stdout: { write: (t) => (stdout += t) }, stderr: { write: (t) => (stderr += t) } });
    return { code, stdout, stderr };
  };
  const last = room.eventIds[room.eventIds.length - 1];
  const out = await cli([events, "--keys", keyFile, "--at", last, "--json"]);
  assert.equal(out.code, 0, out.stderr);
  const report = JSON.parse(out.stdout);
  assert.equal(report.room_version, "12");
  assert.ok(report.current.some((e) => e.type === "m.room.create"));
  assert.deepEqual(report.at.map((a) => [a.event_id, a.auth, a.rule]), [[last, "allowed", null]]);
  assert.deepEqual(Object.keys(report.at[0].state_before[0]), ["type", "state_key", "event_id"]);
  const human = await cli([events, "--keys", keyFile]);
  assert.equal(human.code, 0);
  assert.match(human.stdout, /^room version 12\n  current state: \d+ entries\n/);
  const missing = await cli([events, "--keys", keyFile, "--at", "$nope"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /\$nope is not held/);
  // Without the power levels event: the states not known name it as a list, and say why.
  const pl = room.pdus.findIndex((p) => p.type === "m.room.power_levels");
  writeFileSync(events, ndjson(room.pdus.filter((_, i) => i !== pl)) + "\n");
  const gap = JSON.parse((await cli([events, "--keys", keyFile, "--at", last, "--json"])).stdout);
  assert.equal(gap.current, null);
  assert.ok(gap.missing_current.includes(room.eventIds[pl]), JSON.stringify(gap.missing_current));
  assert.equal(gap.at[0].state_before, null);
  assert.ok(gap.at[0].missing_before.includes(room.eventIds[pl]), JSON.stringify(gap.at[0].missing_before));
  assert.match(gap.at[0].why_before, /not known/);
});

test("mxdag state on client-format events only (Synapse's /context): the current state is not known, not empty", async () => {
  let stdout = "";
  const io = { stdout: { write: (t) => (stdout += t) }, stderr: { write: () => {} } };
  const context = fileURLToPath(new URL("../fixtures/synapse/context.json", import.meta.url));
  assert.equal(await state([context], io), 0);
  assert.match(stdout, /current state: not known — no event of the room's timeline is held/);
});

test("mxdag state --at a merge with conflicted state: the pairs, each candidate and why, as the session explains them", async () => {
  const { events, keyFile } = roomFiles("mxdag-state-merge-");
  const s = session(room.pdus);
  const merges = room.eventIds.map((id) => [id, s.details(id)?.merge]).filter(([, m]) => m);
  s.free();
  assert.ok(merges.length > 0, "the generated room has a merge with conflicted state");
  const [id, merge] = merges[0];
  // Every pair is explained: its candidates in the order taken, the kept one's reason.
  for (const c of merge.conflicted) {
    assert.deepEqual([...c.outcomes.map((o) => o.event_id)].sort(), c.candidates);
    assert.ok(c.decided_by.length > 0);
    if (c.resolved) assert.match(c.outcomes.find((o) => o.event_id === c.resolved).why, /^kept/);
    const places = c.outcomes.map((o) => [o.step, o.place]);
    assert.deepEqual(places, [...places].sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] === "power_ordering" ? -1 : 1)));
  }
  let stdout = "";
  const io = { stdout: { write: (t) => (stdout += t) }, stderr: { write: () => {} } };
  assert.equal(await state([events, "--keys", keyFile, "--at", id, "--json"], io), 0);
  assert.deepEqual(JSON.parse(stdout).at[0].merge, merge);
  stdout = "";
  assert.equal(await state([events, "--keys", keyFile, "--at", id], io), 0);
  assert.match(stdout, new RegExp(`conflicted state at this merge: ${merge.conflicted.length} pair`));
  for (const o of merge.conflicted[0].outcomes) assert.ok(stdout.includes(`      ${o.event_id}: ${o.why}`));
});
