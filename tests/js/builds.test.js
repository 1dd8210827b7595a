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

/** What `script` prints, run in a process of its own with the build `wasm` of pkg/ and `args`. */
function runWith(script, wasm, ...args) {
  const glue = new URL("mxdag.js", pkg).href;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script, glue, fileURLToPath(new URL(wasm, pkg)), ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

const judgeWith = (wasm, room, keys) => runWith(JUDGE, wasm, room, keys);

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

/** What a build says of each of the files `list` (a JSON array of paths) names, as bytes. */
const READ = `
import { readFileSync } from "node:fs";
const [glue, wasm, list] = process.argv.slice(1);
const mx = await import(glue);
mx.initSync({ module: readFileSync(wasm) });
const out = [];
for (const file of JSON.parse(readFileSync(list, "utf8"))) {
  const session = new mx.RoomSession(undefined, undefined);
  try {
    const r = session.ingest(readFileSync(file), {});
    let named;
    try { named = mx.roomVersionOf(readFileSync(file)) ?? null; } catch (e) { named = e.code; }
    out.push({ counts: r.counts, version: session.roomVersion ?? null, named, ids: r.events.map((e) => e.event_id) });
  } catch (e) {
    out.push({ code: e.code, message: e.message });
  }
  session.free();
}
process.stdout.write(JSON.stringify(out));
`;

// The speed build checks UTF-8 and finds create events 16 bytes at a time (src/utf8.rs),
// the download build byte by byte: they must agree on where bytes stop being UTF-8 (the
// offset is in the error) and on which events a file holds, wherever the bytes sit.
test("the download-sized and the speed build read bytes alike", () => {
  const dir = mkdtempSync(join(tmpdir(), "mxdag-builds-"));
  const room = tools.generateRoom({ roomVersion: "11", seed: 5, events: 300, servers: 2 });
  const text = room.pdus.map((p) => JSON.stringify(p)).join("\n") + "\n";
  // Non-ASCII bodies, and bodies that name m.room.create or hold an escape (items read
  // for the room version).
  const bytes = Buffer.from(text.replace(/"body":"/g, '"body":"caf\u00e9 \u{1f600} m.room.create \\" '));
  const bad = [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]];
  const files = [];
  const write = (name, content) => {
    const file = join(dir, name);
    writeFileSync(file, content);
    files.push(file);
  };
  write("good.ndjson", bytes);
  for (const [i, seq] of bad.entries()) {
    for (const at of [0, 17, 4099, bytes.length - 1]) {
      write(`bad-${i}-${at}.ndjson`, Buffer.concat([bytes.subarray(0, at), Buffer.from(seq), bytes.subarray(at)]));
    }
  }
  // Truncated in the middle of a four-byte character at the very end.
  write("truncated.ndjson", Buffer.concat([bytes, Buffer.from([0xf0, 0x9f, 0x98])]));
  // Create events named late and twice (the second room's version is read too).
  const other = tools.generateRoom({ roomVersion: "10", seed: 6, events: 40, servers: 1 });
  write("two-rooms.ndjson", Buffer.concat([bytes, Buffer.from(other.pdus.map((p) => JSON.stringify(p)).join("\n"))]));
  const list = join(dir, "list.json");
  writeFileSync(list, JSON.stringify(files));
  const read = (wasm) => JSON.parse(runWith(READ, wasm, list));
  const small = read("mxdag_bg.wasm");
  const speed = read("mxdag_speed_bg.wasm");
  assert.deepEqual(speed, small);
  assert.equal(small[0].counts.total, 300);
  const refused = small.filter((r) => r.code !== undefined);
  assert.equal(refused.length, bad.length * 4 + 1, JSON.stringify(small.map((r) => r.message ?? r.counts)));
  assert.ok(refused.every((r) => /not UTF-8 \(invalid byte at offset \d+\)/.test(r.message)), refused[0].message);
  assert.equal(small.at(-1).counts.total, 340);
  assert.equal(small[0].named, "11");
});
