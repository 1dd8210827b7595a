// Validation on every core (node/parallel.js, src/session/parallel.rs): the parallel path
// gives byte-identical reports to the single-core path — through the JS API on the demo
// room generator's files (NDJSON, an array, a transaction; pruned, tampered and badly
// signed events) and on files with what a JS object would hide (a duplicate key, `1.0`, a
// lone surrogate) and a PDU over 65,536 bytes, and through `mxdag check` and `mxdag dag`
// on a file large enough to be split, also when the session takes it in parts as the
// judgements come; the workers of a large input start before it is read and stop when it
// is no list of events; the progress bar draws only on a terminal.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { scratchFiles } from "./support.js";

const { mxdag, loadTools, ingestParallel } = await import("../../pkg/node/wasm.js");
const { progressBar } = await import("../../pkg/node/progress.js");
const { ingestOnWorkers } = await import("../../pkg/www/judge-pool.js");
const tools = await loadTools();
const cli = fileURLToPath(new URL("../../pkg/node/cli.js", import.meta.url));
const example = (name) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
const fixture = (name) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const file = scratchFiles("parallel");

const room = tools.generateRoom({
  roomVersion: "12",
  events: 400,
  servers: 4,
  seed: 9,
  concurrency: 0.4,
  damage: { pruned: 3, tampered: true, badSignature: true },
});
const lines = room.pdus.map((p) => JSON.stringify(p));
const keyTexts = room.serverKeys.map((k) => JSON.stringify(k));

/** examples/backfill.json as NDJSON, four lines altered as text (as tests/e2e/same-verdicts). */
function hostile() {
  const pdus = JSON.parse(readFileSync(example("backfill.json"), "utf8")).pdus.map((p) => JSON.stringify(p));
  const messages = pdus.map((l, i) => [l, i]).filter(([l]) => l.includes('"m.room.message"')).map(([, i]) => i);
  const [a, b, c, d] = messages.slice(-4);
  pdus[a] = pdus[a].replace(/^\{/, '{"depth":1,');
  pdus[b] = pdus[b].replace(/"depth":(\d+)/, '"depth":$1.0');
  pdus[c] = pdus[c].replace(/"body":"/, '"body":"\\ud800');
  pdus[d] = pdus[d].replace(/"body":"/, `"body":"${"x".repeat(70_000)}`);
  return pdus;
}

/** The reports of `input` taken whole and taken on two workers, and how often judgements were used. */
async function both(input, keys, options = {}) {
  const whole = new mxdag.RoomSession();
  const split = new mxdag.RoomSession();
  for (const k of keys) {
    whole.addKeys(k);
    split.addKeys(k);
  }
  const expected = JSON.stringify(whole.ingest(input, options));
  let judged = 0;
  const ingestJudged = split.ingestJudged.bind(split);
  split.ingestJudged = (...args) => (judged++, ingestJudged(...args));
  const progress = [];
  const report = await ingestParallel(mxdag, split, input, options, {
    workers: 2,
    minEvents: 1,
    sliceEvents: 7,
    onProgress: (done, total) => progress.push([done, total]),
  });
  whole.free();
  split.free();
  return { expected, actual: JSON.stringify(report), judged, progress };
}

test("the generator's room: NDJSON, an array and a transaction give the same report on two workers", async () => {
  const inputs = [
    ["ndjson", "\ufeff" + lines.join("\n") + "\n\n", {}],
    ["array", `[\n${lines.join(",\n")}\n]`, {}],
    ["transaction", `{"origin":"a.test","origin_server_ts":1,"pdus":[${lines.join(",")}]}`, { viaBackfill: true }],
  ];
  for (const [name, text, options] of inputs) {
    const { expected, actual, judged, progress } = await both(text, keyTexts, { source: name, ...options });
    assert.equal(judged, 1, `${name}: taken with judgements`);
    assert.equal(actual, expected, `${name}: byte-identical report`);
    assert.deepEqual(progress.at(-1), [lines.length, lines.length], `${name}: progress up to every event`);
    const report = JSON.parse(actual);
    assert.ok(report.counts.redacted >= 3 && report.counts.dropped >= 1, `${name}: the damage is found: ${JSON.stringify(report.counts)}`);
  }
});

test("bytes a JS object would hide, a PDU over 65,536 bytes and bad lines give the same report", async () => {
  const pdus = hostile();
  const keys = [readFileSync(example("keys.json"), "utf8")];
  const withJunk = [...pdus.slice(0, 10), "[1,2]", "{\"type\":", ...pdus.slice(10)].join("\n");
  for (const text of [pdus.join("\n") + "\n", withJunk, Buffer.from(withJunk)]) {
    const { expected, actual, judged } = await both(text, keys, { source: "hostile" });
    assert.equal(judged, 1);
    assert.equal(actual, expected);
    const codes = JSON.parse(actual).events.flatMap((e) => e.problems.map((p) => p.code));
    assert.ok(codes.includes("json_duplicate_key"), `duplicate key found: ${[...new Set(codes)]}`);
  }
});

/**
 * A generated room as NDJSON, the report of a session that takes it whole (with `named` as
 * its room version named ahead, when one is), and a second such session to take it on
 * workers.
 */
function largeRoom({ named, source, ...options }) {
  const large = tools.generateRoom({ servers: 3, concurrency: 0.3, ...options });
  const text = large.pdus.map((p) => JSON.stringify(p)).join("\n");
  const whole = new mxdag.RoomSession();
  const split = new mxdag.RoomSession();
  if (named !== undefined) for (const session of [whole, split]) session.nameRoomVersion(named);
  for (const k of large.serverKeys.map((k) => JSON.stringify(k))) {
    whole.addKeys(k);
    split.addKeys(k);
  }
  const expected = JSON.stringify(whole.ingest(text, { source }));
  whole.free();
  return { large, text, split, expected };
}

test("a list of more than 4,096 events is taken in parts as its judgements come, with the same report", async () => {
  const damage = { pruned: 1, tampered: true, badSignature: true };
  const { large, text, split, expected } = largeRoom({ roomVersion: "10", events: 5_000, seed: 6, damage, source: "large" });
  const taken = [];
  const takeJudgedParts = split.takeJudgedParts.bind(split);
  split.takeJudgedParts = (taking, judgements) => {
    takeJudgedParts(taking, judgements);
    taken.push(taking.taken);
  };
  const report = await ingestParallel(mxdag, split, text, { source: "large" }, { workers: 2, sliceEvents: 500 });
  assert.equal(JSON.stringify(report), expected);
  assert.equal(taken.length, 10, "every judgement handed over as it came");
  assert.ok(taken.some((n) => n > 0 && n < large.pdus.length), `a part taken before the last judgement: ${taken}`);
  split.free();
});

test("a session holding a room version has a file of a room of another version judged with that room's: the same report", async () => {
  // As `mxdag check a.json b.json` opens its session: the version the first file names,
  // named ahead; this file's room is of another.
  const damage = { pruned: 1, tampered: true, badSignature: true };
  const { text, split, expected } = largeRoom({ roomVersion: "12", events: 5_000, seed: 8, damage, named: "10", source: "held" });
  const calls = [];
  for (const name of ["judgeContext", "beginParts", "takeJudgedParts"]) {
    const original = split[name].bind(split);
    split[name] = (...args) => (calls.push([name, ...args.slice(0, 1).filter((a) => typeof a === "string")]), original(...args));
  }
  const report = await ingestParallel(mxdag, split, text, { source: "held" }, { workers: 2, sliceEvents: 500 });
  assert.equal(JSON.stringify(report), expected);
  assert.equal(report.room_version, "12");
  assert.deepEqual(calls.slice(0, 2), [["beginParts"], ["judgeContext", "12"]], "the workers judge with the version of the input's room");
  assert.equal(calls.filter(([c]) => c === "takeJudgedParts").length, 10, "every judgement taken as it came");
  split.free();
});

/** Worker threads for `ingestOnWorkers`, each spawn and termination noted in `log`. */
function loggedSpawn(log) {
  return () => {
    const worker = new Worker(new URL("../../pkg/node/judge-worker.js", import.meta.url));
    log.push("spawn");
    return {
      post: (message, transfer) => worker.postMessage(message, transfer),
      onMessage: (fn) => worker.on("message", fn),
      onError: (fn) => worker.on("error", fn),
      terminate: () => (log.push("terminate"), worker.terminate()),
    };
  };
}

test("a session without a room version starts the workers, then begins the parts, which give the spans", async () => {
  const { text, split, expected } = largeRoom({ roomVersion: "11", events: 4_500, servers: 2, seed: 12, source: "unversioned" });
  const log = [];
  const beginParts = split.beginParts.bind(split);
  split.beginParts = (...args) => (log.push("beginParts"), beginParts(...args));
  const mx = { ...mxdag, eventSpans: (...args) => (log.push("eventSpans"), mxdag.eventSpans(...args)) };
  const report = await ingestOnWorkers(mx, split, text, { source: "unversioned" }, { spawn: loggedSpawn(log), threads: 2, sliceEvents: 1_000 });
  assert.equal(JSON.stringify(report), expected);
  assert.deepEqual(log.slice(0, 3), ["spawn", "spawn", "beginParts"], "the workers started before the input is read");
  assert.ok(!log.includes("eventSpans"), "the spans come from the parts begun");
  assert.equal(log.filter((l) => l === "terminate").length, 2);
  split.free();
});

test("a large input that is no list of events stops the workers it started and is taken whole", async () => {
  // One event whose body makes the text large enough to start workers, as a single PDU.
  const pdu = { ...room.pdus.find((p) => p.type === "m.room.message"), content: { body: "x".repeat(600_000) } };
  const text = JSON.stringify(pdu);
  const whole = new mxdag.RoomSession(undefined, "12");
  const split = new mxdag.RoomSession(undefined, "12");
  const expected = JSON.stringify(whole.ingest(text, { source: "one" }));
  const log = [];
  const report = await ingestOnWorkers(mxdag, split, text, { source: "one" }, { spawn: loggedSpawn(log), threads: 2 });
  assert.equal(JSON.stringify(report), expected);
  assert.deepEqual(log, ["spawn", "spawn", "terminate", "terminate"]);
  whole.free();
  split.free();
});

test("a real Synapse export with event IDs written beside the PDUs gives the same report", async () => {
  const text = readFileSync(fixture("synapse/export-with-event-id.ndjson"), "utf8");
  const keys = [readFileSync(fixture("synapse/B.server_keys_json.json"), "utf8")];
  const { expected, actual } = await both(text, keys, { source: "export" });
  assert.equal(actual, expected);
});

test("an input holding keys among its events is taken whole, with the same report", async () => {
  const text = [keyTexts[0], ...lines.slice(0, 30)].join("\n");
  const { expected, actual, judged } = await both(text, keyTexts.slice(1));
  assert.equal(judged, 0, "a worker saw keys: no judgements");
  assert.equal(actual, expected);
});

test("mxdag check and mxdag dag print the same on every core as on one", () => {
  const big = tools.generateRoom({ roomVersion: "10", events: 2_600, servers: 3, seed: 4, concurrency: 0.3, damage: { pruned: 1, tampered: true, badSignature: true } });
  const pdus = file("big.ndjson", big.pdus.map((p) => JSON.stringify(p)).join("\n") + "\n");
  const keys = file("big-keys.json", big.serverKeys);
  const run = (threads, ...args) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", maxBuffer: 256 << 20, env: { ...process.env, MXDAG_THREADS: String(threads) } });
  for (const args of [["check", pdus, "--keys", keys, "--json"], ["check", pdus, "--keys", keys], ["dag", pdus, "--keys", keys, "--json"]]) {
    const one = run(1, ...args);
    const two = run(2, ...args);
    assert.ok(one.stdout.length > 1000, `${args[0]}: ${one.stderr}`);
    assert.equal(two.stdout, one.stdout, `${args.join(" ")}: byte-identical`);
    assert.equal(two.status, one.status);
    assert.equal(two.stderr, "", "no progress bar when stderr is not a terminal");
  }
});

test("the progress bar draws on a terminal and clears its line, and writes nothing elsewhere", () => {
  const written = [];
  const tty = progressBar({ isTTY: true, write: (s) => written.push(s) }, "judging");
  tty.update(500, 1_000);
  tty.update(1_000, 1_000);
  tty.end();
  assert.match(written[0], /^\rjudging \[#{15}-{15}\] 50% 500\/1,000 events$/);
  assert.match(written.at(-2), /100% 1,000\/1,000 events$/);
  assert.equal(written.at(-1), "\r\x1b[K");
  const piped = [];
  const quiet = progressBar({ isTTY: false, write: (s) => piped.push(s) }, "judging");
  quiet.update(1, 2);
  quiet.end();
  assert.deepEqual(piped, []);
});
