// The inspector page on a real homeserver: headless Chromium opens it from mxdag's signing
// proxy (acting as A) on the partition room as B holds it, and must show B's real gap and
// forward extremities, as B's own database lists them.
import assert from "node:assert/strict";
import { hsTest } from "./world.mjs";
import { join } from "node:path";
import { launch, open } from "../../e2e/harness.js";
import { ARTIFACTS } from "./homeserver.mjs";
import { sorted } from "./synapse.mjs";

/** Registers the tests; `world` gives the world built in the test file's `before()`. */
export function pageSuite(w) {
  hsTest(w, "the inspector through the proxy shows B's real gap and forward extremities after the partition", async (world) => {
    assert.ok(world.proxyAsA, "the page is served by mxdag's signing proxy");
    const stored = world.partitionOnB.stored;
    const params = new URLSearchParams({ proxy: world.b.serverName, room: world.rooms.partition.roomId, version: "12" });
    for (const e of stored.timeline) params.append("event", e.event_id);
    const browser = await launch();
    try {
      const page = await open(browser, `${world.proxyAsA.url}/?${params}`);
      const snapshot = await page.evaluate(() => {
        const s = window.mxdag.snapshot;
        return { ids: Array.from(s.ids), flags: Array.from(s.flags) };
      });
      const flagged = (bit) => sorted(snapshot.ids.filter((_, i) => snapshot.flags[i] & bit));
      await page.screenshot({ path: join(ARTIFACTS, "inspector-partition-on-B.png") });
      assert.deepEqual(flagged(1), sorted(stored.forward_extremities), "forward extremities, as B lists them");
      assert.deepEqual(flagged(2), sorted(stored.backward_extremities), "gaps, as B's event_backward_extremities");
      assert.deepEqual(page.errors, []);
    } finally {
      await browser.close();
    }
  });
}
