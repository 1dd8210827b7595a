// Run by cleanup.test.mjs as a child process: starts one Synapse, prints its PID, then dies
// of an uncaught exception. The Synapse must not outlive it (homeserver.mjs kills it by PID).
import { mkdirSync } from "node:fs";
import { ensureSynapse } from "./venv.mjs";
import { Homeserver, freePort, loopbackAllowingBlocklist, selfSignedCertificate, ARTIFACTS } from "./homeserver.mjs";

ensureSynapse();
mkdirSync(ARTIFACTS, { recursive: true });
const hs = new Homeserver("crash-probe", await freePort(), await freePort());
hs.prepare(selfSignedCertificate(ARTIFACTS), loopbackAllowingBlocklist());
await hs.start();
console.log(`synapse pid ${hs.child.pid}`);
throw new Error("crash-probe: a deliberate crash with Synapse running");
