// The `mxdag` CLI on the files the suite saved from real Synapses: `check` on what Synapse
// sent, `dag` on rows of Synapse's own event_json table, `answer` against Synapse's answer.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PKG } from "./mxdag.mjs";
import { EXCHANGES } from "./fetch.mjs";
import { allRooms, hsTest } from "./world.mjs";
import { view, idsOf } from "./suite-mxdag.mjs";
import { sorted } from "./synapse.mjs";

/** Runs `mxdag ...args`; returns `{ status, json, stderr }` (`json` parsed from stdout). */
function mxdag(args) {
  const r = spawnSync(process.execPath, [join(PKG, "node", "cli.js"), ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  let json = null;
  try { json = JSON.parse(r.stdout); } catch { /* not JSON */ }
  return { status: r.status, json, stderr: r.stderr, stdout: r.stdout };
}

/** Registers the tests; `world` gives the world built in the test file's `before()`. */
export function cliSuite(w) {
  hsTest(w, "mxdag check --json on each room Synapse sent: the same event IDs and verdicts as the wasm API", (world) => {
    const keys = world.keyFiles.flatMap((f) => ["--keys", f]);
    for (const room of allRooms(world)) {
      const { fetched, report } = view(world).rooms.get(room.label);
      const r = mxdag(["check", "--json", "--backfill", "--room-version", room.version, ...keys, fetched.file]);
      const anyRedacted = report.counts.redacted > 0;
      assert.equal(r.status, anyRedacted ? 1 : 0, `${room.label}: ${r.stderr}`);
      assert.deepEqual(r.json.events.map((e) => e.event_id), fetched.ids, room.label);
      assert.deepEqual(r.json.events.map((e) => e.verdict), report.events.map((e) => e.verdict), room.label);
      assert.deepEqual(r.json.missing_keys, []);
    }
  });

  hsTest(w, "mxdag dag --json on B's event_json rows gives B's forward and backward extremity tables", (world) => {
    const stored = world.partitionOnB.stored;
    const rows = stored.timeline.map((e) => ({ event_id: e.event_id, json: JSON.stringify(e.json) }));
    const file = join(EXCHANGES, "partition-onB.event_json-rows.json");
    writeFileSync(file, JSON.stringify(rows));
    const r = mxdag(["dag", "--json", "--room-version", "12", file]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.json.rooms.length, 1);
    assert.deepEqual(r.json.inputs.map((i) => i.refused), [0]);
    const [room] = r.json.rooms;
    assert.equal(room.room_id, world.rooms.partition.roomId);
    assert.deepEqual(sorted(room.forward_extremities), sorted(stored.forward_extremities));
    assert.deepEqual(sorted(room.backward_extremities.map((b) => b.event_id)), sorted(stored.backward_extremities));
  });

  hsTest(w, "mxdag answer on the v10 room gives Synapse's /get_missing_events answer", (world) => {
    const exchange = world.asB.log.find((x) => x.name === "ref-gme-linear");
    assert.ok(exchange, "the /get_missing_events exchange was made");
    const { fetched } = view(world).rooms.get("v10");
    const r = mxdag(["answer", "--dag", fetched.file, "--request", exchange.request,
      "--body", join(EXCHANGES, "ref-gme-linear.body.json")]);
    assert.equal(r.status, 0, r.stderr);
    const ids = (events) => sorted(idsOf(fetched.stored, events));
    assert.deepEqual(ids(r.json.events), ids(exchange.json.events));
  });
}
