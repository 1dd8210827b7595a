// The state panel (www/state-panel.js): the state before a selected event equals what
// `mxdag state --at ID --json` says on the same file; its entries select the event that set
// them; the auth chain is outlined; shift-click diffs two events' states; a rejected event
// (a message forged from a user who never joined, signed with its server's test key) is
// drawn in the rejected colour.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, createPrivateKey, sign } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadTools } from "../../pkg/node/wasm.js";
import { clickNode, launch, loadFile, open, withServer } from "./harness.js";

const CLI = fileURLToPath(new URL("../../pkg/node/cli.js", import.meta.url));
const browserReady = launch();
after(async () => (await browserReady).close());

const tools = await loadTools();
const room = tools.generateRoom({ seed: 12, roomVersion: "12", events: 150, partitions: 2, concurrency: 0.4, stateChanges: 0.15 });

/** Canonical JSON (keys sorted, no spaces); the generated events hold no floats. */
const canonical = (v) =>
  Array.isArray(v) ? `[${v.map(canonical).join(",")}]`
  : v && typeof v === "object" ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`
  : JSON.stringify(v);
const b64 = (buf) => buf.toString("base64").replace(/=+$/, "");
const sha256 = (text) => createHash("sha256").update(text, "utf8").digest();

/**
 * A message from `@never_joined` on the server of the last message's sender, with
 * that message's prev and auth events, hashed and signed as its server would (room version
 * 12: content hash, redaction keeps no message content, reference hash as the event ID).
 */
function forgeRejected() {
  const k = room.pdus.findLastIndex((p) => p.type === "m.room.message");
  const model = room.pdus[k];
  const server = model.sender.slice(model.sender.indexOf(":") + 1);
  const key = room.signingKeys.find((s) => s.serverName === server);
  const pdu = {
    auth_events: model.auth_events, content: { msgtype: "m.text", body: "from a user who never joined" }, depth: model.depth,
    origin_server_ts: model.origin_server_ts + 1, prev_events: model.prev_events, room_id: model.room_id,
    sender: `@never_joined:${server}`, type: "m.room.message",
  };
  pdu.hashes = { sha256: b64(sha256(canonical(pdu))) };
  const redacted = { ...pdu, content: {} };
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(key.seed, "base64")]);
  const signature = sign(null, Buffer.from(canonical(redacted), "utf8"), createPrivateKey({ key: der, format: "der", type: "pkcs8" }));
  pdu.signatures = { [server]: { [key.keyId]: b64(signature) } };
  const id = "$" + b64(sha256(canonical(redacted))).replace(/\+/g, "-").replace(/\//g, "_");
  return { pdu, id };
}

const forged = forgeRejected();
const dir = mkdtempSync(join(tmpdir(), "mxdag-e2e-state-"));
const events = join(dir, "room.ndjson");
const keyFile = join(dir, "keys.json");
writeFileSync(events, [...room.pdus, forged.pdu].map((p) => JSON.stringify(p)).join("\n") + "\n");
writeFileSync(keyFile, JSON.stringify(room.serverKeys));

/** `mxdag state FILE --keys KEYS --at ID --json` for `ids`: the report's `at` entries. */
function cliState(ids) {
  const args = [CLI, "state", events, "--keys", keyFile, "--json", ...ids.flatMap((id) => ["--at", id])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: "utf8" })).at;
}

/** The session's `authChain(id)` on the same events, in Node. */
function authChainOf(id) {
  const session = new tools.RoomSession(undefined, undefined);
  session.addKeys(JSON.stringify(room.serverKeys));
  session.ingest([...room.pdus, forged.pdu].map((p) => JSON.stringify(p)).join("\n"));
  const chain = session.authChain(id);
  session.free();
  return chain;
}

/** The state panel's rows: `{type, state_key, event_id}`. */
const panelState = (page) =>
  page.$$eval(".state-panel tr", (rows) =>
    rows.map((r) => ({ type: r.dataset.type, state_key: r.dataset.stateKey, event_id: r.querySelector(".state-link").dataset.eventId })),
  );

const indexOf = (page, id) => page.evaluate((e) => window.mxdag.snapshot.ids.indexOf(e), id);

async function roomPage(server) {
  const page = await open(await browserReady, server.url);
  await loadFile(page, keyFile);
  await loadFile(page, events);
  return page;
}

test("the state panel lists the state before the event as `mxdag state --at` does; an entry selects its event", async () => {
  await withServer([], async (server) => {
    const page = await roomPage(server);
    const last = room.eventIds.at(-1);
    const [cli] = cliState([last]);
    await clickNode(page, await indexOf(page, last));
    await page.waitForSelector(".state-panel tr");
    assert.equal(await page.textContent("#panel .event-id"), last);
    const shown = await panelState(page);
    assert.ok(shown.length > 3, JSON.stringify(shown));
    assert.deepEqual(shown, cli.state_before);
    // The auth chain is outlined: the bitset holds exactly the chain's held nodes.
    const chain = await page.evaluate(() => [...window.mxdag.view.chain.keys()].filter((i) => window.mxdag.view.chain[i]).map((i) => window.mxdag.snapshot.ids[i]).sort());
    assert.ok(chain.length > 0);
    assert.deepEqual(chain, authChainOf(last));
    // "after" through the toggle.
    await page.click(".state-toggle");
    await page.waitForSelector('.state-panel[data-at="after"]');
    assert.deepEqual(await panelState(page), cli.state_after);
    await page.click(".state-toggle");
    await page.waitForSelector('.state-panel[data-at="before"]');
    // An entry selects the event that set it.
    const pl = shown.find((e) => e.type === "m.room.power_levels");
    await page.click(`.state-panel .state-link[data-event-id="${pl.event_id}"]`);
    await page.waitForFunction((id) => document.querySelector("#panel .event-id")?.textContent === id, pl.event_id);
    assert.equal(await page.evaluate(() => window.mxdag.snapshot.ids[window.mxdag.view.selected]), pl.event_id);
    assert.deepEqual(page.errors, []);
  });
});

test("shift-click diffs the state at two events: added, removed, changed", async () => {
  await withServer([], async (server) => {
    const page = await roomPage(server);
    const a = room.eventIds[8];
    const b = room.eventIds.at(-1);
    const [sa, sb] = cliState([a, b]).map((r) => r.state_before);
    await clickNode(page, await indexOf(page, a));
    await page.waitForSelector(".state-panel tr");
    const i = await indexOf(page, b);
    await page.evaluate((k) => window.mxdag.view.focus(k), i);
    await page.waitForTimeout(50);
    const p = await page.evaluate((k) => window.mxdag.view.screenOf(k), i);
    const box = await page.locator("#dag").boundingBox();
    await page.keyboard.down("Shift");
    await page.mouse.click(box.x + p.x, box.y + p.y);
    await page.keyboard.up("Shift");
    await page.waitForSelector(".state-diff");
    const key = (e) => `${e.type}\u0000${e.state_key}`;
    const ofA = new Map(sa.map((e) => [key(e), e.event_id]));
    const ofB = new Map(sb.map((e) => [key(e), e.event_id]));
    const expected = [
      ...sb.filter((e) => !ofA.has(key(e))).map((e) => ["added", e.type, e.state_key, e.event_id]),
      ...sa.filter((e) => !ofB.has(key(e))).map((e) => ["removed", e.type, e.state_key, e.event_id]),
      ...sb.filter((e) => ofA.has(key(e)) && ofA.get(key(e)) !== e.event_id).map((e) => ["changed", e.type, e.state_key, `${ofA.get(key(e))}>${e.event_id}`]),
    ];
    assert.ok(expected.length > 0, "the two states differ");
    const shown = await page.$$eval(".state-diff tr", (rows) =>
      rows.map((r) => [r.querySelector(".diff-kind").textContent, r.dataset.type, r.dataset.stateKey, [...r.querySelectorAll(".state-link")].map((l) => l.dataset.eventId).join(">")]),
    );
    assert.deepEqual(shown, expected);
    // Types and verdict words are never broken mid-word, in the diff and the state list (long IDs wrap instead).
    const brokenWords = await page.$$eval(".state-table td.type, .state-table td.diff-kind", (cells) =>
      cells.filter((td) => {
        const range = document.createRange();
        range.selectNodeContents(td);
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
      }).map((td) => td.textContent),
    );
    assert.deepEqual(brokenWords, []);
    // The selection stays on the first event.
    assert.equal(await page.textContent("#panel .event-id"), a);
    assert.deepEqual(page.errors, []);
  });
});

test("a message from a user who never joined is rejected and drawn in the rejected colour", async () => {
  await withServer([], async (server) => {
    const page = await roomPage(server);
    const i = await indexOf(page, forged.id);
    assert.ok(i >= 0, "the forged event is drawn");
    assert.equal(await page.evaluate((k) => window.mxdag.snapshot.verdict[k], i), 5, "VERDICT.rejected");
    const [cli] = cliState([forged.id]);
    assert.equal(cli.auth, "rejected");
    await clickNode(page, i);
    assert.match(await page.textContent("#panel .badge"), /^rejected/);
    // The panel names the check that rejected it and the rule, as the CLI does.
    await page.waitForSelector('.state-panel .check[data-check="rejected"]');
    const why = await page.$$eval('.state-panel .check[data-check="rejected"]', (ps) => ps.map((p) => p.textContent).join("\n"));
    assert.ok(why.includes(cli.rule), `${why} names ${cli.rule}`);
    // The node's centre pixel is the rejected colour (#c2417f).
    const rgb = await page.evaluate((k) => {
      const v = window.mxdag.view;
      const { x, y } = v.screenOf(k);
      const d = v.ctx.getImageData(Math.round(x * v.dpr), Math.round(y * v.dpr), 1, 1).data;
      return [d[0], d[1], d[2]];
    }, i);
    assert.deepEqual(rgb, [0xc2, 0x41, 0x7f]);
    assert.deepEqual(page.errors, []);
  });
});

test("a merge whose states conflicted carries a diamond and lists the conflicted state and what was kept", async () => {
  // The merges with conflicted state, as the session says in Node.
  const session = new tools.RoomSession(undefined, undefined);
  session.addKeys(JSON.stringify(room.serverKeys));
  session.ingest([...room.pdus, forged.pdu].map((p) => JSON.stringify(p)).join("\n"));
  const merges = room.eventIds.map((id) => [id, session.details(id)?.merge]).filter(([, m]) => m);
  session.free();
  assert.ok(merges.length > 0, "the generated room has a merge with conflicted state");
  const [id, merge] = merges[0];
  await withServer([], async (server) => {
    const page = await roomPage(server);
    // Each such merge, and only those, is flagged for a diamond (FLAG.conflicted = 32).
    const flagged = await page.evaluate(() => {
      const s = window.mxdag.snapshot;
      return s.ids.filter((_, i) => s.flags[i] & 32).sort();
    });
    assert.deepEqual(flagged, merges.map(([m]) => m).sort());
    await clickNode(page, await indexOf(page, id));
    await page.waitForSelector(".merge-panel tr");
    const shown = await page.$$eval(".merge-panel tr", (rows) =>
      rows.map((r) => ({
        type: r.dataset.type,
        state_key: r.dataset.stateKey,
        candidates: [...r.querySelectorAll(".state-link")].map((l) => l.dataset.eventId),
        resolved: r.querySelector(".state-link.won")?.dataset.eventId ?? null,
      })),
    );
    assert.deepEqual(shown, merge.conflicted.map(({ type, state_key, candidates, resolved }) => ({ type, state_key, candidates, resolved })));
    // Each candidate is listed with why it was kept or not, the kept one first among equals.
    const reasons = await page.$$eval(".merge-why li", (items) => items.map((li) => [li.dataset.eventId, li.textContent]));
    const expected = merge.conflicted.flatMap((c) => c.outcomes.map((o) => [o.event_id, `${c.type} ${c.state_key}: ${o.event_id} — ${o.why}`]));
    assert.ok(expected.length > 0, "the resolution was explained");
    assert.deepEqual(reasons, expected);
    assert.deepEqual(page.errors, []);
  });
});
