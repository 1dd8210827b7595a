// "Fill all gaps": the gap planner closes every gap of the demo room, request by request.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { count, idle, launch, netlog, open, withServer } from "./harness.js";

const browserReady = launch();
after(async () => (await browserReady).close());
test("Fill all gaps closes every gap of the demo room", async () => {
  await withServer([], async (server) => {
    const page = await open(await browserReady, server.url);
    assert.ok((await count(page, "backward")) > 0);
    await page.click("#fill");
    await page.waitForTimeout(50);
    await idle(page);
    assert.equal(await count(page, "backward"), 0);
    const info = await (await fetch(new URL("/_mxdag/demo", server.url))).json();
    const total = info.rooms[0].latest_events.length;
    assert.ok((await count(page, "events")) > total);
    const planned = (await netlog(page)).filter((r) => /^(backfill|get_missing_events|forwards_fill|msc4000)/.test(r.path));
    assert.ok(planned.length > 0);
    assert.ok(planned.every((r) => r.cls === "ok" || r.cls === "warn"), JSON.stringify(planned.filter((r) => r.cls === "bad")));
    assert.match(await page.textContent("#notice"), /requests closed every gap/);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
