// Benchmark: what bad signatures cost. One NDJSON file of 20,000 v12 events validated whole
// (`validateEvents`, batches of 2,048 signatures, a failed batch split into batches of 256
// then halved: src/crypto/signatures.rs), with every Kth event's signature altered, for
// several K. Prints the CPU time of each (best of two) and how many events stayed valid.
//   node benches/node/bad-signatures.mjs [K ...]      (default: 0 1000 50 1; 0 = none bad)
import { validationRoom } from "./validation-room.mjs";

const { mxdag, loadTools } = await import("../../node/wasm.js");
const tools = await loadTools();
const everies = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [0, 1000, 50, 1];
const room = tools.generateRoom(validationRoom(20_000));
const ring = new mxdag.KeyRing();
for (const response of room.serverKeys) ring.addResponse(response);

/** The event with each of its signatures changed in its first character. */
function spoilt(pdu) {
  const copy = structuredClone(pdu);
  for (const signatures of Object.values(copy.signatures)) {
    for (const key of Object.keys(signatures)) signatures[key] = (signatures[key][0] === "A" ? "B" : "A") + signatures[key].slice(1);
  }
  return copy;
}

for (const every of everies) {
  const pdus = room.pdus.map((pdu, i) => (every > 0 && i % every === every - 1 ? spoilt(pdu) : pdu));
  const file = pdus.map((pdu) => JSON.stringify(pdu)).join("\n");
  let best = Infinity;
  let valid = 0;
  for (let round = 0; round < 2; round++) {
    const cpu = process.cpuUsage();
    valid = mxdag.validateEvents(file, "12", ring, { viaBackfill: true }).counts.valid;
    const used = process.cpuUsage(cpu);
    best = Math.min(best, (used.user + used.system) / 1e6);
  }
  const which = every === 0 ? "no signature bad" : every === 1 ? "every signature bad" : `every ${every}th signature bad`;
  console.log(`${which.padEnd(28)} ${best.toFixed(2)} s CPU, ${valid} of ${pdus.length} valid`);
}
