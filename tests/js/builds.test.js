// The library's two builds (scripts/build): the one sized for a download (mxdag_bg.wasm,
// what `init()` loads) and the one compiled for speed (mxdag_speed_bg.wasm, what Node, the
// CLI and the inspector's workers load) are the same code at two optimisation levels, and
// must judge alike. Each runs in its own process (one glue module holds one instance), on
// rooms of several versions with damaged events, keys missing and conflicted state.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const pkg = new URL("../../pkg/", import.meta.url);
const { loadTools } = await import(new URL("node/wasm.js", pkg).href);
const tools = await loadTools();

/** What a build says of `room`: the report, the drawing rows, the current state. */
const JUDGE = `
import { readFileSync } from "node:fs";
const [glue, wasm, room, keys] = process.argv.slice(1);
const mx = await import(glue);
mx.initSync({ module: readFileSync(wasm) });
const session = new mx.RoomSession(undefined, undefined);
session.addKeys(readFileSync(keys, "utf8"));
const report = session.ingest(readFileSync(room), { viaBackfill: true });
const rows = session.rows();
let current;
try { current = session.currentState(); } catch (e) { current = String(e.code); }
process.stdout.write(JSON.stringify({ report, rows: { ids: rows.ids, verdicts: [...rows.verdicts], marks: [...rows.marks], labels: rows.labels }, current }));
`;

function judgeWith(wasm, room, keys) {
  const glue = new URL("mxdag.js", pkg).href;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", JUDGE, glue, fileURLToPath(new URL(wasm, pkg)), room, keys], { encoding: "utf8", maxBuffer: 1 << 28 });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

test("the download-sized and the speed build judge rooms alike", () => {
  const dir = mkdtempSync(join(tmpdir(), "mxdag-builds-"));
  for (const roomVersion of ["1", "6", "10", "12"]) {
    const room = tools.generateRoom({ roomVersion, seed: 77, events: 3000, servers: 4, concurrency: 0.4, partitions: 3, partitionLength: 30, stateChanges: 0.1 });
    const lines = room.pdus.map((p) => JSON.stringify(p));
    // Damage: a changed body (hash), a forged signature, a duplicate key, a float depth.
    lines[100] = lines[100].replace(/"body":"/, '"body":"x');
    lines[200] = lines[200].replace(/"ed25519:([^"]+)":"./, '"ed25519:$1":"A');
    lines[300] = lines[300].replace(/^\{/, '{"type":"m.room.message",');
    lines[400] = lines[400].replace(/"depth":(\d+)/, '"depth":$1.0');
    const file = join(dir, `room-v${roomVersion}.ndjson`);
    writeFileSync(file, lines.join("\n") + "\n");
    // One server's keys left out: its events stay unchecked.
    const keys = join(dir, `keys-v${roomVersion}.json`);
    writeFileSync(keys, JSON.stringify(room.serverKeys.slice(1)));
    const small = judgeWith("mxdag_bg.wasm", file, keys);
    const speed = judgeWith("mxdag_speed_bg.wasm", file, keys);
    assert.ok(small.length > 1000);
    assert.ok(small === speed, `room version ${roomVersion}: the builds differ`);
    const { report } = JSON.parse(small);
    assert.ok(report.counts.unchecked > 0 && report.counts.valid > 0, JSON.stringify(report.counts));
    assert.ok(report.counts.total - report.counts.valid - report.counts.unchecked >= 3, JSON.stringify(report.counts));
  }
});
