// The page's input splitting (www/parse.js): every accepted shape, unusable lines reported
// and skipped, hostile keys inert.
import { test } from "node:test";
import assert from "node:assert/strict";
import { prevIds, serverOf, signingKeysOf, splitInput } from "../../pkg/www/parse.js";

const a = { type: "m.room.message", sender: "@a:one.test", room_id: "!r:one.test", prev_events: ["$p"], content: { body: "x" } };
const b = { type: "m.room.member", state_key: "@b:two.test", sender: "@b:two.test", room_id: "!r:one.test", prev_events: [["$q", { sha256: "h" }]], content: {} };

test("transactions, get_missing_events answers, arrays, bare PDUs and NDJSON", () => {
  const cases = [
    [{ origin: "o", origin_server_ts: 1, pdus: [a, b] }, "transaction"],
    [{ events: [a, b] }, "events"],
    [[a, b], "array"],
  ];
  for (const [value, shape] of cases) {
    const r = splitInput(JSON.stringify(value));
    assert.equal(r.shape, shape);
    assert.deepEqual(r.pdus, [a, b]);
    assert.deepEqual(r.errors, []);
  }
  const one = splitInput(JSON.stringify(a));
  assert.equal(one.shape, "pdu");
  assert.deepEqual(one.pdus, [a]);
  const nd = splitInput(`${JSON.stringify(a)}\n\nnot json\n${JSON.stringify(b)}\n[1]\n`);
  assert.equal(nd.shape, "ndjson");
  assert.deepEqual(nd.pdus, [a, b]);
  assert.deepEqual(nd.errors.map((e) => e.where), ["line 3", "line 5"]);
});

test("Synapse event_json exports: JSON rows and tab-separated rows keep the stored event ID", () => {
  const rows = [{ event_id: "$A", room_id: "!r:one.test", json: JSON.stringify(a) }, { event_id: "$B", json: JSON.stringify(b) }];
  const r = splitInput(JSON.stringify(rows));
  assert.deepEqual(r.pdus, [a, b]);
  assert.deepEqual(r.knownIds, ["$A", "$B"]);
  const tsv = splitInput(`$A\t!r:one.test\t{}\t${JSON.stringify(a)}\t3\n$B\t!r:one.test\t{}\t${JSON.stringify(b)}\t3\n`);
  assert.equal(tsv.shape, "synapse export");
  assert.deepEqual(tsv.pdus, [a, b]);
  assert.deepEqual(tsv.knownIds, ["$A", "$B"]);
  const bad = splitInput("$A\tno json here\n");
  assert.equal(bad.pdus.length, 0);
  assert.match(bad.errors[0].message, /without an event JSON column/);
});

test("prev_events of both formats, the signing keys to fetch, and __proto__ inert", () => {
  assert.deepEqual(prevIds(a), ["$p"]);
  assert.deepEqual(prevIds(b), ["$q"]);
  assert.deepEqual(prevIds({ prev_events: "x" }), []);
  const signed = (server, keyId) => ({ ...a, signatures: { [server]: { [keyId]: "sig" } } });
  assert.deepEqual(signingKeysOf([signed("one.test", "ed25519:a"), signed("one.test", "ed25519:a"), signed("one.test", "ed25519:b"), signed("two.test", "ed25519:a"), b, { signatures: "x" }]), [
    { server_name: "one.test", key_id: "ed25519:a" },
    { server_name: "one.test", key_id: "ed25519:b" },
    { server_name: "two.test", key_id: "ed25519:a" },
  ]);
  assert.equal(serverOf("@a:one.test"), "one.test");
  assert.equal(serverOf("@a:"), null);
  assert.equal(serverOf(7), null);
  const r = splitInput('{"type":"t","__proto__":{"polluted":1},"content":{"constructor":{"prototype":{"x":1}}}}');
  assert.equal(r.pdus.length, 1);
  assert.equal(Object.getPrototypeOf(r.pdus[0]), Object.prototype);
  assert.equal({}.polluted, undefined);
  assert.deepEqual(Object.keys(r.pdus[0]), ["type", "__proto__", "content"]);
});
