// Real `mxdag check --json` reports, with and without --request, against the JSON Schema in
// docs/report-schema.md, read from the page itself. The checker below knows the keywords
// that schema uses (type, required, additionalProperties, properties, items, enum, pattern,
// minimum, $ref into $defs) and fails on any other, so the page cannot drift past it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { scratchFiles } from "./support.js";

const cli = fileURLToPath(new URL("../../pkg/node/cli.js", import.meta.url));
const page = readFileSync(new URL("../../docs/report-schema.md", import.meta.url), "utf8");
const schema = JSON.parse(page.split("## JSON Schema")[1].match(/```json\n([\s\S]*?)```/)[1]);
const { mxdag, loadTools } = await import(new URL("../../pkg/node/wasm.js", import.meta.url).href);
const tools = await loadTools();

const KNOWN = new Set(["$schema", "$id", "$defs", "$ref", "type", "required", "additionalProperties", "properties", "items", "enum", "pattern", "minimum"]);

function typeOf(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (Number.isInteger(value)) return "integer";
  return typeof value;
}

/** The places where `value` breaks `node` of the schema, as "path: why" strings. */
function violations(value, node, path = "$") {
  for (const key of Object.keys(node)) assert.ok(KNOWN.has(key), `the checker does not know the keyword ${key}`);
  if (node.$ref) return violations(value, schema.$defs[node.$ref.replace("#/$defs/", "")], path);
  const found = [];
  if (node.type !== undefined) {
    const types = [node.type].flat();
    const type = typeOf(value);
    if (!types.includes(type) && !(type === "integer" && types.includes("number"))) return [`${path}: ${type}, not ${types.join("|")}`];
  }
  if (node.enum && !node.enum.includes(value)) found.push(`${path}: ${JSON.stringify(value)} not in ${node.enum.join(", ")}`);
  if (node.pattern && typeof value === "string" && !new RegExp(node.pattern, "u").test(value)) found.push(`${path}: does not match ${node.pattern}`);
  if (node.minimum !== undefined && typeof value === "number" && value < node.minimum) found.push(`${path}: below ${node.minimum}`);
  if (typeOf(value) === "object") {
    for (const key of node.required ?? []) if (!(key in value)) found.push(`${path}: ${key} missing`);
    for (const [key, child] of Object.entries(value)) {
      const rule = node.properties?.[key];
      if (rule) found.push(...violations(child, rule, `${path}.${key}`));
      else if (node.additionalProperties === false) found.push(`${path}: ${key} not allowed`);
    }
  }
  if (Array.isArray(value) && node.items) value.forEach((item, i) => found.push(...violations(item, node.items, `${path}[${i}]`)));
  return found;
}

const file = scratchFiles("schema");
function report(...args) {
  const run = spawnSync(process.execPath, [cli, "check", "--json", ...args], { encoding: "utf8" });
  assert.ok([0, 1, 3].includes(run.status), `exit ${run.status}: ${run.stderr}`);
  assert.equal(run.status, { valid: 0, invalid: 1, unchecked: 3 }[JSON.parse(run.stdout).outcome], "the exit status says the outcome");
  return { code: run.status, json: JSON.parse(run.stdout), stderr: run.stderr };
}

const room = tools.generateRoom({ seed: 21, roomVersion: "12", events: 40, damage: { pruned: 1, tampered: true, badSignature: true } });
const keys = file("keys.json", room.serverKeys);
const transaction = (pdus) => ({ origin: "peer.example", origin_server_ts: 1, pdus });
const all = file("all.json", transaction(room.pdus));

test("the checker catches what the schema forbids", () => {
  const { json } = report(all, "--keys", keys);
  assert.deepEqual(violations(json, schema), []);
  assert.deepEqual(violations({ ...json, extra: 1 }, schema), ["$: extra not allowed"]);
  assert.deepEqual(violations({ ...json, valid: "yes" }, schema), ["$.valid: string, not boolean"]);
  const { counts, ...noCounts } = json;
  assert.deepEqual(violations(noCounts, schema), ["$: counts missing"]);
  assert.equal(counts.total, 40);
});

test("check --json without --request: damaged events, a key file, missing keys", () => {
  const damaged = report(all, "--keys", keys);
  assert.equal(damaged.code, 1);
  assert.deepEqual(violations(damaged.json, schema), []);
  const noKeys = report(all, "--backfill");
  assert.ok(noKeys.json.missing_keys.length > 0);
  assert.deepEqual(violations(noKeys.json, schema), []);
  const refused = report(all, "--trusted-key", "matrix.example.org ed25519:x notbase64");
  assert.deepEqual(refused.json.keys[0].problems.map((p) => p.code), ["key_malformed"]);
  assert.deepEqual(violations(refused.json, schema), []);
});

test("check --json on real inputs: exports, client-API answers, key files as FILE, trusted keys, a tardis scenario", () => {
  const fixture = (name) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
  const runs = [
    [fixture("synapse/messages-federation.json"), fixture("synapse/B.server_keys_json.json")],
    [fixture("synapse/event_json.sqlite-tabs.tsv"), "--trusted-keys", fixture("synapse/trusted_key_servers.yaml")],
    [fixture("synapse/context.json"), fixture("synapse/B.server_signature_keys.json")],
    [fixture("synapse/sync-federation.json")],
    [fixture("tardis/linear.json5")],
  ];
  const outcomes = runs.map((args) => {
    const { json } = report(...args);
    assert.deepEqual(violations(json, schema), [], args.join(" "));
    return [json.inputs.map((i) => i.input).join(","), json.outcome];
  });
  assert.deepEqual(outcomes, [
    ["client_messages,server_keys", "valid"],
    ["synapse_event_json", "valid"],
    ["client_context,synapse_keys", "unchecked"],
    ["client_sync", "unchecked"],
    ["tardis_scenario", "unchecked"],
  ]);
});

test("check --json without a room version: an Element export, a truncated file whose events wait for one", () => {
  const exported = fileURLToPath(new URL("../fixtures/synapse/element-export.json", import.meta.url));
  const text = JSON.stringify(transaction(room.pdus.slice(5, 12)), null, 1);
  const truncated = file("truncated.json", text.slice(0, text.length / 2));
  for (const args of [[exported], [truncated]]) {
    const { json } = report(...args);
    assert.equal(json.room_version, null);
    assert.deepEqual(violations(json, schema), [], args.join(" "));
  }
  assert.ok(report(truncated).json.inputs[0].waiting_for_room_version > 0);
});

test("check --json on events whose auth events are not held: check 4 not run, the auth events named", () => {
  const { json } = report(file("no-create.json", transaction(room.pdus.slice(1))), "--keys", keys, "--room-version", "12");
  assert.ok(json.auth.not_run > 0 && json.auth.not_held.length > 0, JSON.stringify(json.auth));
  assert.deepEqual(violations(json, schema), []);
});

test("check --json with --request: a kept contract, a broken one, an error answer", () => {
  const session = new mxdag.RoomSession(undefined, "12");
  session.ingest(JSON.stringify(room.pdus));
  const request = (limit) =>
    `GET /_matrix/federation/v1/backfill/${encodeURIComponent(room.roomId)}?v=${encodeURIComponent(room.forwardExtremities[0])}&limit=${limit}`;
  const ids = session.referenceAnswer(request(8)).event_ids;
  session.free();
  const byId = new Map(room.eventIds.map((id, i) => [id, room.pdus[i]]));
  const answer = file("answer.json", transaction(ids.map((id) => byId.get(id))));
  for (const limit of [8, 3]) {
    const { json } = report("--request", request(limit), answer, "--keys", keys, "--dag", all);
    assert.equal(json.contract.ok, limit === 8);
    assert.deepEqual(violations(json, schema), [], `limit ${limit}`);
  }
  // The answers that name events: /timestamp_to_event (stable and MSC3030 paths), MSC4370 /extremities.
  const room_ = encodeURIComponent(room.roomId);
  const first = byId.get(room.eventIds[3]);
  const named = [
    [`GET /_matrix/federation/v1/timestamp_to_event/${room_}?dir=b&ts=${first.origin_server_ts}`, { event_id: room.eventIds[3], origin_server_ts: first.origin_server_ts }, "timestamp_to_event"],
    [`GET /_matrix/federation/unstable/org.matrix.msc3030/timestamp_to_event/${room_}?dir=f&ts=1`, { event_id: room.eventIds[0], origin_server_ts: room.pdus[0].origin_server_ts }, "timestamp_to_event"],
    [`GET /_matrix/federation/unstable/org.matrix.msc4370/extremities/${room_}`, { prev_events: room.forwardExtremities }, "extremities"],
  ];
  const help = spawnSync(process.execPath, [cli, "check", "--help"], { encoding: "utf8" }).stdout;
  for (const endpoint of schema.properties.contract.properties.endpoint.enum) assert.ok(help.includes(`/${endpoint}`) || help.includes(endpoint.replace("_", " ")), `--help names ${endpoint}`);
  for (const [line, body, endpoint] of named) {
    const { json } = report("--request", line, file(`${endpoint}.json`, body), "--keys", keys, "--dag", all);
    assert.equal(json.contract.endpoint, endpoint, line);
    assert.deepEqual(violations(json, schema), [], line);
  }
  const error = file("403.json", { errcode: "M_FORBIDDEN", error: "Host not in room." });
  const { json } = report("--request", request(8), error, "--status", "403");
  assert.equal(json.room_version, null);
  assert.deepEqual(violations(json, schema), []);
});

test("a room_version_mismatch warning fits the report", () => {
  const { json, stderr } = report(all, "--keys", keys, "--room-version", "10");
  assert.equal(json.inputs[0].problems[0].code, "room_version_mismatch");
  assert.match(stderr, /warning/);
  assert.deepEqual(violations(json, schema), []);
});
