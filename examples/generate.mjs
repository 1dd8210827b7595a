#!/usr/bin/env node
// Regenerates the bundled samples with mxdag's own deterministic generator:
//   scripts/build && node examples/generate.mjs
// - backfill.json: a /backfill answer ({origin, origin_server_ts, pdus}, newest first) with a
//   whole v12 room of 3 servers; every event valid.
// - damaged.json: another room of the same servers with one event of each kind of damage:
//   pruned by the sender (history visibility), a redacted message, tampered, bad signature.
// - keys.json: the servers' self-signed /_matrix/key/v2/server responses.
// Try: node pkg/node/cli.js check examples/backfill.json --keys examples/keys.json
import { writeFileSync } from "node:fs";
import { loadTools } from "../node/wasm.js";

const tools = await loadTools();

const common = { seed: 7, roomVersion: "12", events: 60, servers: 3, finalForks: 4 };

function transaction(room) {
  const newest = room.pdus.at(-1).origin_server_ts;
  return { origin: room.signingKeys[0].serverName, origin_server_ts: newest + 1500, pdus: [...room.pdus].reverse() };
}

const write = (name, value) => writeFileSync(new URL(name, import.meta.url), JSON.stringify(value, null, 2) + "\n");
const clean = tools.generateRoom({ ...common, redaction: false });
// Same seed, so the same servers and keys; another start time, so another room.
const damaged = tools.generateRoom({
  ...common,
  startTs: 1_710_000_000_000,
  damage: { pruned: 1, tampered: true, badSignature: true },
});
write("backfill.json", transaction(clean));
write("damaged.json", transaction(damaged));
write("keys.json", clean.serverKeys);
console.log(`examples/: backfill.json (${clean.pdus.length} events), damaged.json (${damaged.pdus.length} events), keys.json`);
