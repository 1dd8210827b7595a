// examples/archive-viewer: its serve.mjs in front of a demo peer (`mxdag serve`); the
// viewer shows the room as a timeline with a gap row, and clicking the row fills the gap.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { launch, withServer } from "./harness.js";

const SERVE = fileURLToPath(new URL("../../examples/archive-viewer/serve.mjs", import.meta.url));
const browserReady = launch();
after(async () => (await browserReady).close());

/** Starts the viewer's server in front of `peer`; resolves to `{url, stop()}`. */
function viewer(peer) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVE, "--port", "0", "--peer", peer], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => reject(new Error(`serve.mjs exited with ${code}: ${out}`)));
    child.stdout.on("data", (d) => {
      out += d;
      const m = /(http:\/\/\S+\/)/.exec(out);
      if (!m) return;
      child.removeAllListeners("exit");
      resolve({ url: m[1], stop: () => new Promise((done) => (child.exitCode !== null ? done() : (child.once("exit", done), child.kill("SIGTERM")))) });
    });
  });
}

/** Events held, as the viewer's status line says. */
const held = async (page) => Number(/: (\d+) events held/.exec(await page.textContent("#status"))?.[1] ?? NaN);

test("the archive viewer shows the demo room as a timeline with a gap row that fills", async () => {
  await withServer([], async (server) => {
    const v = await viewer(server.url);
    try {
      const page = await (await browserReady).newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(v.url);
      await page.waitForFunction(() => /events held/.test(document.getElementById("status").textContent));
      const before = await held(page);
      assert.ok(before > 0);
      assert.equal(await page.locator("#timeline li:not(.gap)").count(), Math.min(before, 30));
      assert.ok((await page.locator("#timeline li.gap button").count()) > 0, "a gap row");
      await page.locator("#timeline li.gap button").first().click();
      await page.waitForFunction((n) => Number(/: (\d+) events held/.exec(document.getElementById("status").textContent)?.[1]) > n, before);
      assert.ok((await held(page)) > before, "the fill brought events");
      assert.ok((await page.locator("#timeline li:not(.gap)").count()) > 0);
      assert.deepEqual(errors, []);
      await page.close();
    } finally {
      await v.stop();
    }
  });
});
