// The page through the signing proxy: a peer that requires X-Matrix (`--require-auth`)
// answers the page only because the proxy signs its requests.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FLAG, clickNode, count, lastRequest, launch, netlog, newestWith, open, withServer } from "./harness.js";

const browserReady = launch();
after(async () => (await browserReady).close());

test("through the proxy, signed requests reach a peer that requires X-Matrix; unsigned ones do not", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mxdag-proxy-"));
  const key = join(dir, "signing.key");
  writeFileSync(key, "ed25519 a_page YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1\n");
  const browser = await browserReady;
  await withServer(["--require-auth", "--server-name", "inspector.test", "--signing-key", key], async (server) => {
    const info = await (await fetch(new URL("/_mxdag/demo", server.url))).json();
    const room = info.rooms[0];
    // Directly, the peer refuses the page.
    const direct = await open(browser, server.url);
    const refused = (await netlog(direct)).filter((r) => r.path.startsWith("event/"));
    assert.ok(refused.length > 0 && refused.every((r) => r.status === "401"), JSON.stringify(refused));
    await direct.close();
    // Through the proxy, with the room given in the address as for a real homeserver.
    const q = new URLSearchParams({ proxy: info.server_name, room: room.room_id, version: room.room_version });
    for (const id of room.latest_events) q.append("event", id);
    const page = await open(browser, `${server.url}?${q}`);
    assert.match(await page.textContent("#source-name"), /via the signing proxy/);
    assert.equal(await count(page, "events"), room.latest_events.length);
    await clickNode(page, await newestWith(page, FLAG.gap));
    const last = await lastRequest(page, "backfill/");
    assert.match(last.path, /^backfill\//);
    assert.equal(last.status, "200");
    assert.equal(last.cls, "ok", last.verdict);
    assert.ok((await count(page, "events")) > room.latest_events.length);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
