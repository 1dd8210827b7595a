// Two real Synapse homeservers on loopback (see lib/): the rooms they build, what they store
// and answer over federation, and mxdag's verdicts, DAG, reference answers and contract checks
// measured against them. One world (servers, rooms, fetches) serves every test in this file.
import { before, after } from "node:test";
import { buildWorld } from "./lib/world.mjs";
import { synapseSuite } from "./lib/suite-synapse.mjs";
import { mxdagSuite } from "./lib/suite-mxdag.mjs";
import { answersSuite } from "./lib/suite-answers.mjs";
import { cliSuite } from "./lib/suite-cli.mjs";
import { pageSuite } from "./lib/suite-page.mjs";
import { exportsSuite } from "./lib/suite-exports.mjs";
import { namedSuite } from "./lib/suite-named.mjs";
import { stateSuite, rejectedSuite } from "./lib/suite-state.mjs";

let world;
before(async () => { world = await buildWorld(); }, { timeout: 15 * 60_000 });
after(async () => {
  if (!world) return;
  console.log(`# timings (ms): ${JSON.stringify(world.timings)}; Synapse ${world.install.version}` +
    ` ${world.install.installed ? `installed in ${world.install.seconds} s` : "reused from .cache/synapse-venv"}`);
  await world.stop();
});

synapseSuite(() => world);
mxdagSuite(() => world);
answersSuite(() => world);
cliSuite(() => world);
pageSuite(() => world);
exportsSuite(() => world);
namedSuite(() => world);
stateSuite(() => world);
rejectedSuite(() => world);
