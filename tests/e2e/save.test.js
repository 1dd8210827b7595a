// "Save room": the room shown as one NDJSON file (the keys held, then every held event),
// which opens in the page and in the CLI with the same events, gaps and verdicts.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { count, idle, launch, loadFile, open, verdictCounts, withServer } from "./harness.js";

const browserReady = launch();
after(async () => (await browserReady).close());
const cli = fileURLToPath(new URL("../../pkg/node/cli.js", import.meta.url));

/** What the page shows of the room: its counts, verdicts and the IDs drawn. */
const shown = async (page) => ({
  events: await count(page, "events"),
  gaps: await count(page, "backward"),
  forward: await count(page, "forward"),
  verdicts: await verdictCounts(page),
  ids: await page.evaluate(() => window.mxdag.snapshot.ids.toSorted()),
});

/** Saves the room shown; returns the file's path and lines. */
async function save(page) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#save")]);
  await idle(page);
  assert.match(download.suggestedFilename(), /\.ndjson$/);
  const path = await download.path();
  return { path, lines: readFileSync(path, "utf8").trim().split("\n") };
}

test("a saved room opens in a fresh page and in mxdag check with the same events, gaps and verdicts", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    const info = await (await fetch(new URL("/_mxdag/demo", server.url))).json();
    const version = info.rooms[0].room_version;
    // The latest events alone: a gap, and no m.room.create to name the room version.
    const start = await shown(page);
    assert.ok(start.gaps > 0);
    const partial = await save(page);
    assert.match(await page.textContent("#notice"), new RegExp(`Saved ${start.events} events and \\d+ keys as .*--room-version ${version}\\. It holds no m\\.room\\.create`));
    const fresh = await open(await browserReady, server.url);
    await loadFile(fresh, partial.path);
    assert.match(await fresh.textContent("#panel"), new RegExp(`^Loaded [^ ]+: ${start.events} events \\(ndjson\\); judged as room version ${version} \\(the room's version\\)`));
    assert.deepEqual(await shown(fresh), start, "the gap and the verdicts come back");
    await fresh.close();

    // The whole room, tampered and badly signed events included.
    await page.click("#fill");
    await page.waitForTimeout(50);
    await idle(page);
    const before = await shown(page);
    assert.ok(before.events > 100, `${before.events} events`);
    const whole = await save(page);
    assert.match(await page.textContent("#notice"), new RegExp(`Saved ${before.events} events and \\d+ keys as [^ ]+: open it here`));
    assert.ok(JSON.parse(whole.lines[0]).trusted_key_servers.length > 0, "the keys held first");
    assert.equal(whole.lines.length - 1, before.events, "then one line per held event");
    const again = await open(await browserReady, server.url);
    await loadFile(again, whole.path);
    assert.match(await again.textContent("#panel"), new RegExp(`^Loaded [^ ]+: ${before.events} events \\(ndjson\\); judged as room version ${version} \\(its m\\.room\\.create\\)`));
    assert.deepEqual(await shown(again), before, "the page opens it as it was");
    assert.deepEqual(again.errors, []);
    await again.close();

    const run = spawnSync(process.execPath, [cli, "check", whole.path, "--json"], { encoding: "utf8", maxBuffer: 1 << 28 });
    const report = JSON.parse(run.stdout);
    assert.equal(report.room_version, version, "named by its m.room.create");
    assert.equal(report.counts.total, before.events);
    assert.equal(report.counts.unchecked, 0, "the keys saved check every event");
    const bad = report.counts.redacted + report.counts.rejected + report.counts.dropped + report.counts.soft_failed;
    assert.ok(bad > 0, "the demo room's damaged events are judged so again");
    assert.equal(run.status, 1, run.stderr);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("client-format events are saved and come back apart from the DAG; PDUs held apart are not saved, and the notice says why", async () => {
  await withServer([], async (server) => {
    const fixture = (name) => fileURLToPath(new URL(`../fixtures/synapse/${name}`, import.meta.url));
    const page = await open(await browserReady, server.url);
    await loadFile(page, fixture("element-export.json"));
    const apart = () => page.$$eval("#panel .apart button", (bs) => bs.map((b) => b.title));
    const listed = await apart();
    assert.equal(listed.length, 6);
    const saved = await save(page);
    const keyLines = saved.lines.filter((l) => l.startsWith('{"trusted_key_servers"'));
    assert.equal(saved.lines.length - keyLines.length, 6, "the six events");
    await loadFile(page, saved.path);
    assert.match(await page.textContent("#panel"), /^Loaded [^ ]+: 6 events \(ndjson\)/);
    assert.deepEqual(await apart(), listed, "the same events, apart from the DAG again");
    // PDUs listed as state beside an answer are held apart: from NDJSON they would be placed
    // in the DAG, so the room is not saved.
    const answer = JSON.parse(readFileSync(fixture("messages-federation.json"), "utf8"));
    const withState = join(mkdtempSync(join(tmpdir(), "mxdag-save-")), "with-state.json");
    writeFileSync(withState, JSON.stringify({ ...answer, chunk: answer.chunk.slice(6), state: answer.chunk.slice(0, 6) }));
    await loadFile(page, withState);
    assert.match(await page.textContent("#panel"), /Held apart from the DAG \(6\)/);
    await page.click("#save");
    await idle(page);
    assert.match(await page.textContent("#notice"), /^Not saved: the room shown holds \d+ events apart from its DAG \(state listed beside an answer\)/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
