// Forwards fill from the page: answered on the stable path, on the MSC's unstable path or on
// Synapse's unstable/ path after 404 M_UNRECOGNIZED on the ones before, or reported as not
// supported when all three paths say so.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { FLAG, clickNode, count, launch, netlog, newestWith, open, withServer } from "./harness.js";

const browserReady = launch();
after(async () => (await browserReady).close());

/** An event older than the latest ones: the newest gap a fresh page sees. */
async function olderEvent(browser, url) {
  const page = await open(browser, url);
  const id = await page.evaluate((i) => window.mxdag.snapshot.ids[i], await newestWith(page, FLAG.gap));
  await page.close();
  return id;
}

/** Opens the page holding only `id` (a forward extremity there) and clicks it. */
async function forwardsFillFrom(browser, url, id) {
  const page = await open(browser, `${url}?event=${encodeURIComponent(id)}`);
  assert.equal(await count(page, "events"), 1);
  assert.equal(await count(page, "forward"), 1);
  const before = (await netlog(page)).length;
  await clickNode(page, await newestWith(page, FLAG.forward));
  return { page, rows: (await netlog(page)).slice(before) };
}

for (const [name, args, paths] of [
  ["stable", [], ["forwards_fill/"]],
  ["the MSC's unstable path after the stable path is not recognised", ["--unstable-only-forwards-fill"], ["forwards_fill/", "msc4000/forwards_fill/"]],
  ["Synapse's unstable/ path after the other two are not recognised", ["--synapse-only-forwards-fill"],
    ["forwards_fill/", "msc4000/forwards_fill/", "unstable/msc4000/forwards_fill/"]],
]) {
  test(`forwards fill works: ${name}`, async () => {
    const browser = await browserReady;
    await withServer(args, async (server) => {
      const id = await olderEvent(browser, server.url);
      const { page, rows } = await forwardsFillFrom(browser, server.url, id);
      const ff = rows.filter((r) => /forwards_fill\//.test(r.path));
      assert.deepEqual(ff.map((r) => r.path.replace(/!.*/, "")), paths);
      for (const r of ff.slice(0, -1)) {
        assert.equal(r.status, "404");
        assert.equal(r.verdict, "not supported");
      }
      assert.equal(ff.at(-1).status, "200");
      assert.equal(ff.at(-1).cls, "ok", ff.at(-1).verdict);
      assert.ok((await count(page, "events")) > 1, "successors arrived");
      const held = await page.evaluate((x) => {
        const s = window.mxdag.snapshot;
        return !(s.flags[s.ids.indexOf(x)] & 1);
      }, id);
      assert.ok(held, "the event asked about is no longer a forward extremity");
      assert.deepEqual(page.errors, []);
      await page.close();
    });
  });
}

test("forwards fill is reported as not supported when all three paths answer 404 M_UNRECOGNIZED", async () => {
  const browser = await browserReady;
  await withServer(["--no-forwards-fill"], async (server) => {
      const id = await olderEvent(browser, server.url);
      const { page, rows } = await forwardsFillFrom(browser, server.url, id);
      assert.deepEqual(rows.map((r) => [r.path.replace(/!.*/, ""), r.status, r.verdict]), [
        ["forwards_fill/", "404", "not supported"],
        ["msc4000/forwards_fill/", "404", "not supported"],
        ["unstable/msc4000/forwards_fill/", "404", "not supported"],
      ]);
      assert.match(await page.textContent("#notice"), /does not support forwards fill \(MSC4000\): M_UNRECOGNIZED on its three paths \(v1, org\.matrix\.msc4000, unstable\/org\.matrix\.msc4000\)/);
      assert.equal(await count(page, "events"), 1);
      // Asked again, the page does not repeat requests the peer cannot answer.
      const logged = (await netlog(page)).length;
      await clickNode(page, await newestWith(page, FLAG.forward));
      assert.equal((await netlog(page)).length, logged);
      assert.deepEqual(page.errors, []);
      await page.close();
  });
});
