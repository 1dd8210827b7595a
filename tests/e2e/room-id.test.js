// The Homeserver form with a room ID alone, against the demo peer through the signing
// proxy: the page asks MSC4370 /extremities, reads the room version from the room's
// m.room.create, and starts from the extremities; a peer without MSC4370 (`--no-extremities`)
// gets the form back, asking for an event ID and saying why.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { count, launch, netlog, open, withServer, idle } from "./harness.js";

const browserReady = launch();
after(async () => (await browserReady).close());

/** Fills the Homeserver form with the server and room only, and submits it. */
async function submitRoomOnly(page, serverName, roomId) {
  await page.click("#connect summary");
  await page.fill('#connect-form input[name="proxy"]', serverName);
  await page.fill('#connect-form input[name="room"]', roomId);
  await Promise.all([page.waitForURL(/proxy=/), page.click("#connect-form button")]);
  await idle(page);
}

test("a room ID alone opens the room from the forward extremities the server names", async () => {
  const browser = await browserReady;
  await withServer([], async (server) => {
    const info = await (await fetch(new URL("/_mxdag/demo", server.url))).json();
    // The old-format room (v3): its version must come from its m.room.create, not a default.
    const room = info.rooms.find((r) => r.room_version === "3");
    const page = await open(browser, server.url);
    await submitRoomOnly(page, info.server_name, room.room_id);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get("version"), null);
    assert.deepEqual(url.searchParams.getAll("event"), []);
    assert.match(await page.textContent("#source-name"), /via the signing proxy/);
    assert.equal(await page.textContent("#room-version"), "v3");
    assert.equal(await count(page, "events"), room.latest_events.length);
    const ids = await page.evaluate(() => [...window.mxdag.snapshot.ids]);
    for (const id of room.latest_events) assert.ok(ids.includes(id), id);
    const log = await netlog(page);
    const ext = log.find((r) => r.path.startsWith("unstable/msc4370/extremities/"));
    assert.ok(ext, JSON.stringify(log));
    assert.equal(ext.status, "200");
    assert.equal(ext.cls, "ok", ext.verdict);
    assert.equal(await page.isVisible("#connect-why"), false);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("a server without MSC4370: the form asks for an event ID, saying why", async () => {
  const browser = await browserReady;
  await withServer(["--no-extremities"], async (server) => {
    const info = await (await fetch(new URL("/_mxdag/demo", server.url))).json();
    const room = info.rooms[0];
    const page = await open(browser, server.url);
    await submitRoomOnly(page, info.server_name, room.room_id);
    assert.equal(await page.isVisible("#connect-form"), true);
    assert.match(await page.textContent("#connect-why"), /does not support MSC4370 \/extremities \(M_UNRECOGNIZED\): give an event ID/);
    assert.equal(await page.inputValue('#connect-form input[name="room"]'), room.room_id);
    assert.equal(await count(page, "events"), 0);
    const ext = (await netlog(page)).find((r) => r.path.startsWith("unstable/msc4370/extremities/"));
    assert.equal(ext.status, "404");
    // Given an event, the room opens (its version still read from m.room.create).
    await page.fill('#connect-form input[name="event"]', room.latest_events[0]);
    await Promise.all([page.waitForURL(/event=/), page.click("#connect-form button")]);
    await idle(page);
    assert.equal(await page.textContent("#room-version"), `v${room.room_version}`);
    assert.equal(await count(page, "events"), 1);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});

test("the proxy's own refusals are named as the local proxy's, with its explanation, not blamed on the homeserver", async () => {
  const browser = await browserReady;
  await withServer(["--allow-destination", "remote.example"], async (server) => {
    const room = encodeURIComponent("!abc:remote.example");
    // No identity: the proxy signs nothing, so sends nothing.
    let page = await open(browser, `${server.url}?proxy=remote.example&room=${room}`);
    let why = await page.textContent("#connect-why");
    assert.match(why, /local signing proxy/, why);
    assert.match(why, /the proxy has no identity: start mxdag serve with --server-name and --signing-key/, why);
    assert.doesNotMatch(why, /named no forward extremity|could not be read/, why);
    let row = (await netlog(page)).find((r) => r.path.startsWith("unstable/msc4370/extremities/"));
    assert.equal(row.status, "503");
    assert.match(row.verdict, /proxy/, row.verdict);
    await page.click("#netlog-body tr");
    const detail = await page.textContent("#panel");
    assert.match(detail, /local signing proxy.*not remote\.example/, detail);
    assert.match(detail, /the proxy has no identity/, detail);
    await page.close();
    // A destination not allowed, an event given: the room version is not blamed on the server.
    page = await open(browser, `${server.url}?proxy=other.example&room=${room}&event=${encodeURIComponent("$abc")}`);
    why = await page.textContent("#connect-why");
    assert.match(why, /local signing proxy/, why);
    assert.match(why, /other\.example is not an allowed destination: start mxdag serve with --allow-destination other\.example/, why);
    row = (await netlog(page)).find((r) => r.path.startsWith("event/"));
    assert.match(row.verdict, /proxy/, row.verdict);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
});
