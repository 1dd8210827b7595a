// Two federating Synapses on loopback, A and B, on free ports, in fresh folders.
import { mkdirSync } from "node:fs";
import { ensureSynapse } from "./venv.mjs";
import { Homeserver, freePort, loopbackAllowingBlocklist, selfSignedCertificate, ARTIFACTS } from "./homeserver.mjs";

/**
 * Installs Synapse if needed, prepares and starts A and B; returns `{ a, b, install, stop }`.
 * `stop()` stops both by PID and never throws; call it from an `after()` hook.
 */
export async function startPair() {
  const install = ensureSynapse();
  mkdirSync(ARTIFACTS, { recursive: true });
  const tls = selfSignedCertificate(ARTIFACTS);
  const blocklist = loopbackAllowingBlocklist();
  // A backs off from a failed destination for two hours: when B goes down, A drops its queue
  // for B and later sends only its latest event, which leaves B with a gap (see rooms.mjs).
  // A serves MSC4370 /extremities, B does not (tests/homeserver/lib/suite-named.mjs).
  const a = new Homeserver("A", await freePort(), await freePort(), { backoff: true, msc4370: true });
  const b = new Homeserver("B", await freePort(), await freePort());
  const stop = async () => {
    await Promise.allSettled([a.stop(), b.stop()]);
  };
  try {
    a.prepare(tls, blocklist);
    b.prepare(tls, blocklist);
    await Promise.all([a.start(), b.start()]);
  } catch (e) {
    await stop();
    throw e;
  }
  return { a, b, install, stop };
}
